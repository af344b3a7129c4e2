"""A failing backend nulls only what it serves, with a code; a bug is masked, never shown."""

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from providers import registry
from providers.embedded.provider import EmbeddedProvider
from providers.errors import BackendUnavailable
from tests.conftest import post_query


class CustodyDown(EmbeddedProvider):
    async def fetch(self, kind, keys):
        if kind == "custody":
            raise BackendUnavailable(self.name, "custody is refusing connections")
        return await super().fetch(kind, keys)


class Buggy(EmbeddedProvider):
    async def fetch(self, kind, keys):
        if kind == "registrations":
            raise KeyError("secret internal detail at /srv/app/thing.py")
        return await super().fetch(kind, keys)


async def _client(monkeypatch, factory):
    monkeypatch.setitem(registry.BUILTIN_FACTORIES, "custom", factory)
    app = create_app(Settings(providers={"embedded": {"type": "custom"}}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_backend_failure_nulls_only_its_fields_with_its_code(monkeypatch):
    async with await _client(monkeypatch, CustodyDown) as client:
        body = await post_query(client, '{ offender(crn: "X000004") { crn name { surname } '
                                        'custody { status } } }')
    assert body["data"]["offender"]["crn"] == "X000004"
    assert body["data"]["offender"]["name"]["surname"]
    assert body["data"]["offender"]["custody"] is None
    [error] = body["errors"]
    assert error["path"] == ["offender", "custody"]
    assert error["extensions"] == {"code": "BACKEND_UNAVAILABLE", "provider": "embedded"}
    assert body["extensions"]["sources"][0]["status"] == "failed"


async def test_an_unexpected_error_is_masked(monkeypatch, caplog):
    async with await _client(monkeypatch, Buggy) as client:
        body = await post_query(client, '{ offender(crn: "X000001") { crn registrations '
                                        '{ typeCode } } }')
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(body) and "Traceback" not in str(body)
    assert body["data"]["offender"]["crn"] == "X000001"
    assert any("unexpected error" in r.message for r in caplog.records)


@pytest.mark.parametrize("org, pushed", [("C01", "C01"), ("N02", "N02"), ("HQ", None)])
async def test_the_caseload_row_filter_is_pushed_down_to_the_provider(monkeypatch, org, pushed):
    seen = []

    class Recording(EmbeddedProvider):
        async def page(self, kind, criteria, offset, limit):
            seen.append(dict(criteria))
            return await super().page(kind, criteria, offset, limit)

    async with await _client(monkeypatch, Recording) as client:
        await post_query(client, "{ caseload(first: 5) { totalCount } }", org=org)
    assert seen == [{"provider": pushed} if pushed else {}]
