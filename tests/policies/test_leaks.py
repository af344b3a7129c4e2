"""Each leak found from outside, as an attacker with one valid token would try it.

Limited Access through search and through a prison's roll, side channels in `extensions`,
usernames in another case, and a policy walk that gave up on a large query. Each test is
written from the attack, so it fails on a gateway that has the leak.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from graphql import parse
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.settings import Settings
from policies.enforcement import TooLargeToJudge, fragments_of, judge, operation_of
from policies.limited_access import LimitedAccess
from policies.principal import Principal
from resolvers.schema import build_schema
from tests.conftest import codes, post_query

SEARCH = """query($s: String!) { offenders(search: $s, first: 100) {
  totalCount pageInfo { hasNextPage } edges { node { crn accessRestricted } } } }"""
LIMITED = ("X000040", "X000041", "X000042")


def _limited_for(dataset, username: str | None) -> list[str]:
    who = LimitedAccess(Principal("s", "C01", "CRC", frozenset(), username=username))
    return [crn for crn in LIMITED if who.limits(dataset.people[crn])]


@pytest.mark.parametrize("username", ["jexcluded", "JEXCLUDED", "demo.officer", None])
async def test_search_cannot_confirm_a_limited_persons_name(gql, dataset, username):
    """An excluded user guessed a name and read `totalCount`: now a stub matches its CRN only."""
    claims = {"username": username, "staff": "C01T101"} if username else {}
    for crn in _limited_for(dataset, username):
        person = dataset.people[crn]
        for guess in (person.surname, person.forename, f"{person.forename} {person.surname}"):
            body = await gql(SEARCH, {"s": guess}, org="C01", **claims)
            page = body["data"]["offenders"]
            assert crn not in {e["node"]["crn"] for e in page["edges"]}
            visible = [p for p in dataset.people.values() if p.managing_provider == "C01"
                       and p.crn not in _limited_for(dataset, username)
                       and all(t in f"{p.forename} {p.surname} {p.crn} {p.noms_number or ''}"
                               .lower() for t in guess.lower().split())]
            assert page["totalCount"] == len(visible)
        by_crn = (await gql(SEARCH, {"s": crn}, org="C01", **claims))["data"]["offenders"]
        assert [e["node"] for e in by_crn["edges"]] == [{"crn": crn, "accessRestricted": True}]


@pytest.mark.parametrize("username", ["jexcluded", "JEXCLUDED", "jExcluded"])
async def test_usernames_compare_without_regard_to_case(gql, username):
    body = await gql('{ offender(crn: "X000040") { crn accessRestricted name { surname } } }',
                     org="C01", username=username, staff="C01T101")
    assert body["data"]["offender"] == {"crn": "X000040", "accessRestricted": True, "name": None}


@pytest.fixture(scope="module")
def excluded_prisoner(dataset) -> Starlette:
    """The demo data with C01's prisoner X000004 (A0004AA, held at MDI) excluded from
    `jexcluded`, as nDelius would hold a Limited Access person in custody."""
    person = dataset.people["X000004"]
    people = {**dataset.people, "X000004": replace(
        person, exclusion_users=("jexcluded",),
        exclusion_message="You are excluded from viewing this offender record.")}
    data = dataset.derived(people=people)
    return create_app(Settings(providers={"embedded": {"type": "embedded", "dataset": data}}))


ROLL = """{ establishment(code: "MDI") { prisoners(first: 100) { totalCount edges { node {
  prisonNumber cellLocation offender { crn } sentenceDates { conditionalReleaseDate } } } } } }"""
THROUGH_PERSON = """{ offender(crn: "X000004") { crn accessRestricted custody { prisonNumber }
  identityCheck { consistent } } byNoms: offenderByNomsNumber(nomsNumber: "A0004AA") { crn } }"""


@pytest.mark.parametrize("who", [
    {"org": "C01", "username": "jexcluded", "staff": "C01T101"},
    {"org": "C01", "username": "JEXCLUDED", "staff": "C01T101"},
    {"org": "C01"},  # a machine client: no username, so every list applies
    {"org": "MDI"},  # the prison holding them
], ids=["excluded-user", "excluded-user-upper", "machine-client", "prison"])
async def test_a_limited_persons_custody_is_nowhere_to_be_read(excluded_prisoner, dataset, who):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=excluded_prisoner),
                                 base_url="http://t") as client:
        roll = await post_query(client, ROLL, **who)
        direct = await post_query(client, THROUGH_PERSON, **who)
    prisoners = roll["data"]["establishment"]["prisoners"]
    assert "A0004AA" not in {e["node"]["prisonNumber"] for e in prisoners["edges"]}
    assert "X000004" not in str(roll["data"])
    offender = direct["data"]["offender"]
    assert offender is None or offender == {"crn": "X000004", "accessRestricted": True,
                                            "custody": None, "identityCheck": None}
    assert direct["data"]["byNoms"] is None


async def test_a_prisons_roll_counts_only_the_prisoners_it_may_see(excluded_prisoner, gql):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=excluded_prisoner),
                                 base_url="http://t") as client:
        hidden = await post_query(client, ROLL, org="MDI")
    shown = await gql(ROLL, org="MDI")  # the demo data: nobody at MDI is limited
    count = shown["data"]["establishment"]["prisoners"]["totalCount"]
    assert hidden["data"]["establishment"]["prisoners"]["totalCount"] == count - 1


def _same_answer(a: dict, b: dict) -> None:
    """Equal, times aside (`fetchedAt` is when this request ran)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "fetchedAt"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    assert strip(a) == strip(b)


@pytest.mark.parametrize("field, refused, unknown", [
    ("offenderByNomsNumber(nomsNumber: \"%s\")", "A0005AA", "A9999ZZ"),  # C16's prisoner
    ("offenderByNomsNumber(nomsNumber: \"%s\")", "A0032AA", "A9998ZZ"),  # two records share it
    ("offender(crn: \"%s\")", "X000002", "X999999"),
])
async def test_extensions_say_nothing_of_a_refused_record(gql, field, refused, unknown):
    """`sources` once listed the kinds loaded and how many records share a number: an
    unknown number loaded one kind fewer than another organisation's."""
    query = "{ found: " + field + " { crn custody { prisonNumber } } }"
    one = await gql(query % refused, org="C01")
    other = await gql(query % unknown, org="C01")
    _same_answer(one, other)
    assert one["data"]["found"] is None


async def test_cache_use_for_a_refused_record_is_not_reported(simulators):
    """One CRC read a person seconds ago: another must not learn it from `fromCache`."""
    from tests.conftest import http_settings

    app = create_app(http_settings(simulators, cache="memory"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        query = '{ offender(crn: "%s") { crn } }'
        await post_query(client, query % "X000002", org="C16")  # now cached
        read = await post_query(client, query % "X000002", org="C01")
        never = await post_query(client, query % "X999998", org="C01")
    await app.state.registry.aclose()
    _same_answer(read, never)
    assert "fromCache" not in str(read["extensions"])


def test_regression_warnings_name_only_records_the_caller_received():
    from providers.freshness import Freshness
    from resolvers.reach import Received
    from resolvers.sources import warnings

    fresh = Freshness()
    fresh.regression("nomis", "custody", {"A0005AA"})
    assert warnings(Received(), fresh) == []
    mine = Received(keys={"custody": {"A0004AA"}})
    assert warnings(mine, fresh) == []
    fresh.regression("nomis", "custody", {"A0004AA"})
    [warning] = warnings(mine, fresh)
    assert warning["code"] == "DATA_REGRESSION" and "A0004AA" not in str(warning)


def test_a_query_too_large_to_judge_is_refused_not_half_judged(monkeypatch):
    """The walk used to stop after 20,000 steps and drop the rest of its denials."""
    schema = build_schema()._schema
    document = parse("{ offender(crn: \"X000001\") { crn custody { prisonNumber } } }")
    operation = operation_of(document.definitions, None)
    from gateway.app import create_app as app_for

    decisions = app_for().state.evaluator.decisions(
        Principal("s", "C01", "CRC", frozenset({"read"})))
    with pytest.raises(TooLargeToJudge):
        judge(schema, operation, fragments_of(document.definitions), {}, decisions, budget=2)
    assert judge(schema, operation, fragments_of(document.definitions), {}, decisions,
                 budget=10).denied[0].field == "custody"


async def test_over_the_walk_budget_the_answer_is_a_refusal(monkeypatch, gql):
    import resolvers.policed

    monkeypatch.setattr(resolvers.policed, "WALK_BUDGET", 5)
    body = await gql('{ offender(crn: "X000004") { crn name { forename surname } '
                     'custody { prisonNumber } } }', org="C01", scopes=("read",))
    assert codes(body) == ["QUERY_TOO_COMPLEX"] and body.get("data") is None
    assert body["errors"][0]["extensions"]["limit"] == "policy_walk"


def test_repeated_fragment_spreads_are_judged_once_per_path():
    """`...F ...F` at one place used to be walked twice, doubling per level: 30 levels are
    a billion visits. Judged once per path, they are a few dozen."""
    levels = ["fragment F0 on Offender { crn custody { prisonNumber } }"]
    levels += [f"fragment F{i} on Offender {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 30)]
    document = parse('{ offender(crn: "X000004") { ...F29 } } ' + " ".join(levels))
    from gateway.app import create_app as app_for

    decisions = app_for().state.evaluator.decisions(
        Principal("s", "C01", "CRC", frozenset({"read"})))
    verdict = judge(build_schema()._schema, operation_of(document.definitions, None),
                    fragments_of(document.definitions), {}, decisions, budget=200)
    assert [d.path for d in verdict.denied] == [("offender", "custody")]


async def test_custody_needs_its_scope_on_every_path(gql):
    """`custody:read` once guarded only `Offender.custody`: a prison's roll and a global id
    gave the same bookings, dates and movements without it."""
    from resolvers.nodes import global_id

    query = """query($id: ID!) { node(id: $id) { ... on Custody { prisonNumber } }
      establishment(code: "MDI") { prisoners(first: 100) { totalCount edges { node {
        prisonNumber sentenceDates { conditionalReleaseDate } } } } } }"""
    variables = {"id": global_id("Custody", "A0004AA")}
    without = await gql(query, variables, org="C01", scopes=("read",))
    assert without["data"]["node"] is None
    assert without["data"]["establishment"]["prisoners"] == {"totalCount": 0, "edges": []}
    held = await gql(query, variables, org="C01", scopes=("read", "custody:read"))
    assert held["data"]["node"] == {"prisonNumber": "A0004AA"}
    assert held["data"]["establishment"]["prisoners"]["totalCount"] > 0


@pytest.mark.parametrize("client, status", [(("127.0.0.1", 5000), 200), (("10.4.5.6", 5000), 404)])
async def test_metrics_are_for_operators_networks_only(client, status):
    """Provider calls by kind, read by a tenant, told them what others' lookups found."""
    app = create_app()
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        assert (await c.get("/metrics")).status_code == status


async def test_a_prisons_search_does_work_only_for_its_own_roll(monkeypatch):
    """A prison's search once scanned every match in the country and read custody for each:
    its time, its backend calls and its refusal past 10,000 matches told the prison how
    many people anywhere matched a name."""
    from providers import registry
    from providers.embedded.provider import EmbeddedProvider

    asked: list[tuple[str, int]] = []

    class Counting(EmbeddedProvider):
        async def fetch(self, kind, keys):
            asked.append((kind, len(keys)))
            return await super().fetch(kind, keys)

        async def page(self, kind, criteria, offset, limit):
            asked.append((kind, limit))
            return await super().page(kind, criteria, offset, limit)

    monkeypatch.setitem(registry.BUILTIN_FACTORIES, "counting", Counting)
    app = create_app(Settings(providers={"embedded": {"type": "counting"}}, cache_backend="none"))
    query = 'query($s: String!) { offenders(search: $s) { totalCount edges { node { crn } } } }'
    work = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for search in ("ar", "zzqqxx"):  # thousands of matches nationwide, and none
            asked.clear()
            await post_query(client, query, {"s": search}, org="MDI")
            work.append(sorted(asked))
    # the same calls of the same sizes, but for custody of the matches (all on the roll)
    assert [w for w in work[0] if w[0] != "custody"] == work[1]
    assert all(kind != "offender_search" for kind, _ in work[0])


async def _calls_by_path(simulators, ask) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        for _, url in simulators.values():
            await client.delete(f"{url}/_sim/stats")
        await ask()
        found: dict[str, int] = {}
        for name, (_, url) in simulators.items():
            stats = (await client.get(f"{url}/_sim/stats")).json()
            found |= {f"{name} {path}": n for path, n in stats["requests"].items()}
        return found


@pytest.mark.parametrize("refused", ["A0005AA", "A0032AA"])  # C16's; two others' records
async def test_another_organisations_noms_number_costs_the_calls_an_unknown_one_does(
        simulators, refused):
    """The people behind a NOMS number came back from probation search and were then asked
    for again by CRN: one call more for a number that exists than for one that does not."""
    from tests.conftest import http_settings

    app = create_app(http_settings(simulators, cache="none"))
    query = '{ offenderByNomsNumber(nomsNumber: "%s") { crn } }'
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        async def ask(noms: str):
            return lambda: post_query(client, query % noms, org="C01")
        known = await _calls_by_path(simulators, await ask(refused))
        unknown = await _calls_by_path(simulators, await ask("A9999ZZ"))
    await app.state.registry.aclose()
    assert known == unknown and known  # the same calls, and some were made
