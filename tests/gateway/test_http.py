"""GraphQL over HTTP under bad input: always a coded GraphQL error, never a stack trace."""

import pytest

from tests.conftest import bearer


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2", "application/json"),
    (b"", "application/json"),
    (b"query=1", "text/plain"),
    (b"\xa8\xff", "application/json"),  # not UTF-8 (found by the fuzz test)
    (b"1", "application/json"),  # JSON, but not an object
    (b'[{"query": "{ viewer { organisation } }", "extensions": []}]', "application/json"),
    (b'{"query": "{ viewer { organisation } }", "operationName": {}}', "application/json"),
    (b"[" * 5000 + b"]" * 5000, "application/json"),
])
async def test_malformed_bodies_are_400_bad_request(client, body, content_type):
    response = await client.post("/graphql", content=body,
                                 headers={**bearer("C01"), "content-type": content_type})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_missing_query_is_400(client):
    response = await client.post("/graphql", json={"variables": {}}, headers=bearer("C01"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("query, code", [
    ("{ offender(crn: ", "GRAPHQL_PARSE_FAILED"),
    ("{ nosuchfield }", "GRAPHQL_VALIDATION_FAILED"),
    ("{ offender { crn } }", "GRAPHQL_VALIDATION_FAILED"),
    ("{ offender(crn: true) { crn } }", "GRAPHQL_VALIDATION_FAILED"),
])
async def test_invalid_documents_carry_a_code(client, query, code):
    response = await client.post("/graphql", json={"query": query}, headers=bearer("C01"))
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


async def test_bad_variable_value_is_bad_user_input(client):
    response = await client.post("/graphql", headers=bearer("C01"), json={
        "query": "query($n: Int) { caseload(first: $n) { totalCount } }",
        "variables": {"n": "lots"}})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]


async def test_query_over_get_works_for_clients(client):
    response = await client.get("/graphql", params={"query": "{ viewer { organisation } }"},
                                headers=bearer("C16"))
    assert response.json()["data"] == {"viewer": {"organisation": "C16"}}


async def test_oversized_body_is_refused_before_parsing(client):
    response = await client.post("/graphql", content=b"x" * 300_000, headers={
        **bearer("C01"), "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT", "limit": "max_body_bytes", "maximum": 256 * 1024}


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_lists_each_provider(client):
    body = (await client.get("/readyz")).json()
    assert body["providers"]["embedded"]["state"] == "up"
    assert "custody" in body["providers"]["embedded"]["kinds"]


async def test_graphiql_page_is_served_with_local_assets(client):
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "https://" not in page.text  # nothing from a CDN
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js",
                  "react-dom.production.min.js"):
        assert f"/graphiql/{asset}" in page.text
        assert (await client.get(f"/graphiql/{asset}")).status_code == 200


async def test_an_oversized_body_without_a_length_is_refused_too(client):
    async def chunks():
        for _ in range(40):
            yield b"x" * 10_000

    response = await client.post("/graphql", content=chunks(), headers={
        **bearer("C01"), "content-type": "application/json"})
    assert response.status_code == 413


async def test_a_chunked_body_within_the_limit_is_served(client):
    async def chunks():
        yield b'{"query": "{ viewer '
        yield b'{ organisation } }"}'

    response = await client.post("/graphql", content=chunks(), headers={
        **bearer("C16"), "content-type": "application/json"})
    assert response.json()["data"] == {"viewer": {"organisation": "C16"}}


async def test_introspection_is_on_in_the_demo(client):
    body = (await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"},
                              headers=bearer("C01"))).json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("line, allowed", [("", False), ("introspection = true", True)])
async def test_introspection_is_off_unless_a_config_file_turns_it_on(tmp_path, line, allowed):
    import httpx

    from gateway.app import create_app
    from gateway.settings import load_settings

    config = tmp_path / "gateway.toml"
    config.write_text(f'[gateway]\n{line}\n[auth]\ndemo = true\n'
                      '[providers.embedded]\ntype = "embedded"\n[audit]\nsink = "none"\n')
    app = create_app(load_settings(config))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        body = (await c.post("/graphql", json={"query": "{ __schema { types { name } } }"},
                             headers=bearer("C01"))).json()
    if allowed:
        assert body["data"]["__schema"]["types"]
    else:
        assert "data" not in body
        assert {e["extensions"]["code"] for e in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
        assert "introspection has been disabled" in body["errors"][0]["message"]
