"""The README's and GraphiQL's example queries run, answer data and raise no error."""

import re
from pathlib import Path

import pytest

from gateway.graphiql import example_queries

README = (Path(__file__).parents[2] / "README.md").read_text()
README_QUERIES = re.findall(r"```graphql\n(.*?)```", README, re.S)
DEMO_OFFICER = {"staff": "C01T101", "username": "demo.officer"}


def test_the_readme_shows_the_two_commands_first():
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0].startswith("make run")
    assert first_block.splitlines()[1].startswith("make test")


def test_the_readme_caseload_example_is_the_shipped_one():
    assert README_QUERIES and README_QUERIES[0].strip() in example_queries()["1-caseload"]


@pytest.mark.parametrize("query", README_QUERIES + list(example_queries().values()))
async def test_example_query_answers_with_data(gql, query):
    body = await gql(query, **DEMO_OFFICER)
    assert "errors" not in body, body["errors"]
    assert all(value is not None for value in body["data"].values())


async def test_readme_curl_example_query(gql):
    line = next(x for x in README.splitlines() if '"query"' in x)
    query = line.split('"query": "', 1)[1].rsplit('"}', 1)[0].replace('\\"', '"')
    body = await gql(query, **DEMO_OFFICER)
    assert body["data"]["offender"]["crn"] == "X000004"


def test_the_cache_settings_the_readme_names_are_accepted(tmp_path):
    from gateway.settings import load_settings

    config = tmp_path / "c.toml"
    config.write_text('[auth]\ndemo = true\n[providers.e]\ntype = "embedded"\n'
                      '[gateway]\nregressions = "withhold"\ndeadline_seconds = 10\n'
                      '[cache]\nbackend = "redis"\nurl = "redis://127.0.0.1:6379/0"\n'
                      'grace_seconds = 600\n[cache.ttl]\ncustody = 15\n')
    settings = load_settings(config)
    assert (settings.cache_backend, settings.cache_ttls, settings.withhold_regressions) == (
        "redis", {"custody": 15.0}, True)


def test_the_protections_config_the_readme_shows_is_accepted(tmp_path):
    from gateway.settings import load_settings

    block = re.findall(r"```toml\n(.*?)```", README, re.S)[0]  # the first; Events has its own
    config = tmp_path / "c.toml"
    config.write_text('[auth]\ndemo = true\n[providers.e]\ntype = "embedded"\n' + block)
    settings = load_settings(config)
    assert settings.max_batch == 10 and settings.cors_origins
    assert settings.cors_allow_headers == ("x-request-id",)
    assert settings.rate_limits.clients == {"c16-client": "120/minute"}
    assert settings.rate_limits.cost == "500000/minute"
    assert settings.persisted.clients["c16-client"].name == "crc-nightly.json"
    assert (settings.audit.sink, settings.telemetry.traces) == ("postgres", "otlp")
    assert (settings.admission.max_in_flight, settings.admission.queue) == (8, 32)
    assert settings.response_cache.enabled
