"""The provider contract, packaged: a third party checks their own provider with their own
keys; a fetch-only provider needs no `page`; a kind no provider serves answers null with
BACKEND_UNAVAILABLE instead of stopping start-up."""

import pytest

from gateway.app import create_app
from gateway.cli import main
from gateway.settings import Settings
from providers.base import ALL_KINDS, KINDS, PagedProvider, Provider
from providers.contract import check
from providers.embedded.provider import EmbeddedProvider
from providers.errors import BackendUnavailable, ConfigError
from providers.registry import build_registry
from tests.conftest import post_query


def test_the_example_provider_keeps_the_contract(capsys):
    assert main(["provider", "check", "examples.tiny_provider:TinyPrisons",
                 "--keys", "examples/tiny-keys.json"]) == 0
    assert "keeps the provider contract" in capsys.readouterr().out


def test_a_provider_that_breaks_it_is_told_how(capsys):
    assert main(["provider", "check", "examples.tiny_provider:Misaligned",
                 "--keys", "examples/tiny-keys.json"]) == 1
    assert "fetch answered 3 values for 4 keys" in capsys.readouterr().out


async def test_the_embedded_provider_keeps_the_contract_with_the_demo_keys(dataset):
    booking = str(dataset.custody["A0004AA"].booking_id)
    keys = {"offender": ["X000001"], "offender_by_noms": ["A0030AA"], "cases": ["X000004"],
            "registrations": ["X000003"], "custody": ["A0004AA"], "sentence_dates": [booking],
            "movements": ["A0071AA"], "establishment": ["MDI"], "organisation": ["C01"],
            "appointments": ["X000001"]}
    criteria = {"caseload": {"provider": "C01"}, "offender_search": {"text": "X0000"},
                "prisoners": {"establishment": "MDI"}}
    assert await check(EmbeddedProvider(dataset=dataset), keys, criteria) == []


def test_kinds_are_typed_descriptors():
    assert set(KINDS) == ALL_KINDS
    assert KINDS["custody"].record.__name__ == "Custody" and not KINDS["custody"].many
    assert KINDS["cases"].many and KINDS["caseload"].paged


async def test_a_fetch_only_provider_is_a_provider_without_page():
    from examples.tiny_provider import TinyPrisons

    tiny = TinyPrisons("t")
    assert isinstance(tiny, Provider) and not isinstance(tiny, PagedProvider)
    registry = build_registry({"t": {"type": "embedded"}}, {"prisoners": "t"})
    registry.providers["t"] = tiny
    with pytest.raises(BackendUnavailable):
        await registry.page("prisoners", {"establishment": "XYZ"}, 0, 5)


async def test_an_unserved_kind_answers_null_with_backend_unavailable():
    bindings = dict.fromkeys(ALL_KINDS - {"custody", "sentence_dates"}, "main")
    app = create_app(Settings(providers={"main": {"type": "embedded"}}, bindings=bindings))
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        body = await post_query(client, '{ offender(crn: "X000004") { crn custody { status } } }')
    assert body["data"]["offender"] == {"crn": "X000004", "custody": None}
    assert body["errors"][0]["extensions"] == {"code": "BACKEND_UNAVAILABLE", "provider": "none"}


def test_config_error_lives_in_the_errors_module():
    from providers import registry

    assert registry.ConfigError is ConfigError
