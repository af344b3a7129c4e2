"""Backend calls depend on the query's shape, never on the number of rows."""

from typing import ClassVar

import pytest

from gateway.app import create_app
from providers import registry
from providers.embedded.provider import EmbeddedProvider
from tests.conftest import post_query

CASELOAD = """query($first: Int) { caseload(first: $first) { edges { node { id active
  offender { crn name { surname } custody { status establishment { name }
    sentenceDates { conditionalReleaseDate homeDetentionCurfewEligibilityDate } } } } } } }"""


class CountingProvider(EmbeddedProvider):
    """The embedded provider, counting every call it answers, by kind."""

    calls: ClassVar[list[str]] = []

    async def fetch(self, kind, keys):
        self.calls.append(kind)
        return await super().fetch(kind, keys)

    async def page(self, kind, criteria, offset, limit):
        self.calls.append(kind)
        return await super().page(kind, criteria, offset, limit)


@pytest.fixture
async def counting_client(monkeypatch):
    import httpx

    monkeypatch.setitem(registry.BUILTIN_FACTORIES, "counting", CountingProvider)
    from gateway.settings import Settings

    app = create_app(Settings(providers={"embedded": {"type": "counting"}}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        yield client


@pytest.mark.parametrize("rows", [5, 100])
async def test_caseload_costs_one_call_per_kind_whatever_the_rows(counting_client, rows):
    CountingProvider.calls = []
    body = await post_query(counting_client, CASELOAD, {"first": rows}, org="C01")
    edges = body["data"]["caseload"]["edges"]
    assert len(edges) == rows
    assert sum(1 for e in edges if e["node"]["offender"]["custody"]) > 0
    # the caseload page carries each person, primed into the offender loader: no offender call
    assert sorted(CountingProvider.calls) == [
        "caseload", "custody", "establishment", "sentence_dates"]
    reported = body["extensions"]["sources"][0]["kinds"]
    assert reported["caseload"]["records"] == rows
    custody = sum(1 for e in edges if e["node"]["offender"]["custody"])
    assert reported["custody"]["records"] == reported["sentence_dates"]["records"] == custody


async def test_caseload_rows_resolve_from_the_look_ahead_without_awaiting(client, monkeypatch):
    from resolvers.reach import Reach

    async def never(*_args, **_kwargs):
        raise AssertionError("a row awaited a loader: the look-ahead did not cover it")

    for later in ("_person_later", "_custody_later", "_child_later", "_reference_later"):
        monkeypatch.setattr(Reach, later, never)
    body = await post_query(client, CASELOAD, {"first": 100}, org="C01")
    assert "errors" not in body and len(body["data"]["caseload"]["edges"]) == 100
    assert sum(1 for e in body["data"]["caseload"]["edges"]
               if e["node"]["offender"]["custody"]) > 10


async def test_custody_is_prefetched_early_only_for_a_page_of_people(monkeypatch):
    """A scan (a row filter the provider could not take) announces far more people than the
    page holds: those are not sent to NOMIS; the page's own rows are, when known."""
    import asyncio

    from resolvers import lookahead

    asked: list[int] = []

    async def prefetch(ctx, fields, people, *prefix):
        asked.append(len(people))

    monkeypatch.setattr(lookahead, "prefetch_custody", prefetch)
    class Loaders:
        async def load_many(self, kind, keys):
            return [None] * len(keys)

    class Ctx:
        reach = type("R", (), {"loaders": Loaders()})()

    fields = [type("F", (), {"name": "custody", "selections": []})()]
    scan = lookahead.EarlyCustody(Ctx(), fields, most=20)
    scan("offender", {f"X{i:06d}": i for i in range(2000)})
    assert scan.task is None
    await scan.finish([f"X{i:06d}" for i in range(20)])
    page = lookahead.EarlyCustody(Ctx(), fields, most=20)
    page("cases", {"X000001": 1})  # another kind: not a cue
    page("offender", {f"X{i:06d}": i for i in range(20)})
    await asyncio.sleep(0)
    await page.finish([])
    assert asked == [20, 20]
