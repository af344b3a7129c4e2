"""Rate limits per client: visible headers, 429 with Retry-After, shared through real Redis."""

import uuid

import httpx
import pytest

from gateway.app import create_app
from gateway.ratelimit import RateLimitSettings
from gateway.settings import Settings, load_settings
from providers.registry import ConfigError
from tests.conftest import bearer

QUERY = {"query": "{ viewer { organisation } }"}


def limited_app(**options):
    return create_app(Settings(rate_limits=RateLimitSettings(**options)))


async def ask(app, subject: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        return await c.post("/graphql", json=QUERY, headers=bearer("C01", subject=subject))


async def test_every_answer_shows_the_clients_budget(client):
    response = await client.post("/graphql", json=QUERY, headers=bearer("C01", subject="budget"))
    assert response.headers["ratelimit-limit"] == "600"
    assert int(response.headers["ratelimit-remaining"]) < 600
    assert 0 <= int(response.headers["ratelimit-reset"]) <= 60


async def test_past_the_limit_the_client_gets_429_with_retry_after():
    app = limited_app(default="3/minute")
    answers = [await ask(app, "eager-client") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"


async def test_clients_are_counted_separately_and_may_have_their_own_limit():
    app = limited_app(default="1/minute", clients={"nightly-sync": "5/minute"})
    assert (await ask(app, "someone")).status_code == 200
    assert (await ask(app, "someone")).status_code == 429
    assert [(await ask(app, "nightly-sync")).status_code for _ in range(5)] == [200] * 5


async def test_two_gateways_share_one_budget_through_redis():
    subject = f"shared-{uuid.uuid4().hex}"
    first, second = (limited_app(default="2/minute", storage="redis://127.0.0.1:6379/3")
                     for _ in range(2))
    statuses = [(await ask(app, subject)).status_code for app in (first, second, first)]
    assert statuses == [200, 200, 429]


async def test_with_the_redis_store_down_requests_are_let_through():
    app = limited_app(default="1/minute", storage="redis://127.0.0.1:1/0")
    assert [(await ask(app, "while-down")).status_code for _ in range(2)] == [200, 200]


@pytest.mark.parametrize("section, message", [
    ('[rate_limits]\ndefault = "lots"', "rate_limits.default"),
    ('[rate_limits]\nstorage = "mongodb://x"', "rate_limits.storage"),
    ('[rate_limits]\nburst = 3', "unknown keys ['burst']"),
    ('[rate_limits.clients]\nnightly = "often"', "rate_limits.clients.nightly"),
])
def test_a_bad_rate_limit_setting_stops_start_up_naming_the_key(tmp_path, section, message):
    config = tmp_path / "gateway.toml"
    config.write_text(f'[auth]\ndemo = true\n[providers.embedded]\ntype = "embedded"\n{section}\n')
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_app(load_settings(config))


async def test_a_down_store_is_logged_once_not_per_request(caplog):
    import logging

    app = limited_app(default="1/minute", storage="redis://127.0.0.1:1/0")
    caplog.set_level(logging.WARNING, "casegraph.ratelimit")
    for _ in range(3):
        await ask(app, "while-down-logged")
    assert len([r for r in caplog.records if "unavailable" in r.message]) == 1


async def ask_batch(app, subject: str, size: int) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        return await c.post("/graphql", json=[QUERY] * size,
                            headers=bearer("C01", subject=subject))


@pytest.mark.parametrize("storage", ["memory", "redis://127.0.0.1:6379/3"])
async def test_a_batch_costs_one_per_operation(storage):
    subject = f"batcher-{uuid.uuid4().hex}"
    app = limited_app(default="25/minute", storage=storage)
    answers = [await ask_batch(app, subject, 10) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["15", "5", "5"]
    assert all(a.headers["ratelimit-limit"] == "25" for a in answers)
    assert len(answers[0].json()) == 10
    assert (await ask(app, subject)).headers["ratelimit-remaining"] == "4"


COSTLY = {"query": "{ caseload(first: 100) { edges { node { id } } } }"}  # cost 301


async def ask_costly(app, subject: str, body=COSTLY) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        return await c.post("/graphql", json=body, headers=bearer("C01", subject=subject))


@pytest.mark.parametrize("storage", ["memory", "redis://127.0.0.1:6379/3"])
async def test_a_cost_weighted_limit_refuses_an_operation_before_it_runs(storage):
    subject = f"costly-{uuid.uuid4().hex}"
    app = limited_app(default="100/minute", cost="1000/minute", storage=storage)
    answers = [await ask_costly(app, subject) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["limit"] == "cost" and error["extensions"]["value"] == 301
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["extensions"]["sources"] == []  # no backend was asked
    assert refused.headers["ratelimit-remaining"] == "96"  # the count limit stays exact
    assert (await ask_costly(app, subject, QUERY)).status_code == 200  # 97 left to spend


async def test_in_a_batch_only_the_operation_over_the_cost_budget_is_refused():
    subject = f"costly-batch-{uuid.uuid4().hex}"
    app = limited_app(cost="700/minute", clients={}, cost_clients={subject: "650/minute"})
    response = await ask_costly(app, subject, [COSTLY, COSTLY, QUERY, COSTLY])
    answers = response.json()
    assert response.status_code == 200
    assert ["errors" in a for a in answers] == [False, False, False, True]
    assert answers[3]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_the_cost_limit_is_configured_under_rate_limits(tmp_path):
    config = tmp_path / "gateway.toml"
    config.write_text('[auth]\ndemo = true\n[providers.embedded]\ntype = "embedded"\n'
                      '[rate_limits]\ncost = "50000/minute"\n'
                      '[rate_limits.cost_clients]\nnightly = "often"\n')
    with pytest.raises(ConfigError, match=r"rate_limits\.cost_clients\.nightly"):
        create_app(load_settings(config))
