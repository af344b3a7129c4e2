"""Noninterference: what a principal receives depends only on the records they may see.

For each principal, every generated query runs on the demo dataset and on a copy in which
every record the principal may not see in full is altered (names, dates, prisons, custody,
cases) or removed (`reach_oracle`). The two answers, errors and `extensions` included (times
masked), must be identical: then nothing outside the principal's reach shaped the answer,
whatever the query asked for, through whichever path. It runs on the embedded provider and
over the HTTP simulators (with the cache cold, then warm), with the response cache on. Before
each query the principal asks, a neighbour (another user of the same organisation and scopes,
the one the Limited Access lists exclude, or the officer they do not) asks it on both sides:
an answer cached for the neighbour and served to the principal differs from the copy's.

Queries come from the schema: one to three root fields with aliases, nested selections,
inline and named fragments, variables, and arguments drawn from identifiers inside and
outside the principal's reach (their names as search strings too), cursors and filters.
`CASEGRAPH_NI_EXAMPLES` sets the examples per principal on the embedded provider (200 in
`make test`; the full profile, `make noninterference`, runs 2,000), and a quarter of that
over HTTP, each run twice (cold cache, then warm).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from gateway import tokens
from gateway.app import create_app
from gateway.audit.trail import AuditSettings
from gateway.ratelimit import RateLimitSettings
from gateway.response_cache import ResponseCacheSettings
from gateway.settings import Settings
from policies.principal import Principal
from resolvers.nodes import global_id
from resolvers.pagination import encode_cursor
from resolvers.schema import build_schema
from tests.conftest import http_settings
from tests.policies.reach_oracle import Reach, copy_outside_reach

EXAMPLES = int(os.environ.get("CASEGRAPH_NI_EXAMPLES", "200"))
HTTP_EXAMPLES = int(os.environ.get("CASEGRAPH_NI_HTTP_EXAMPLES", str(EXAMPLES // 4)))
SCHEMA = build_schema()._schema
TIMES = frozenset({"fetchedAt", "ageSeconds", "maxAgeSeconds"})
ALL_SCOPES = ("read", "custody:read", "risk:read")


@dataclass(frozen=True)
class Who:
    name: str
    org: str
    org_type: str
    username: str | None = None
    scopes: tuple[str, ...] = ALL_SCOPES

    def token(self) -> str:
        staff = f"{self.org}T101" if self.username else None
        return tokens.mint(self.org, self.scopes, username=self.username, staff=staff)

    def principal(self) -> Principal:
        return Principal(self.name, self.org, self.org_type, frozenset(self.scopes),
                         username=self.username)


PRINCIPALS = [
    Who("crc-c01-officer", "C01", "CRC", "demo.officer"),
    Who("crc-c16-officer", "C16", "CRC", "c16.officer", ("read", "custody:read")),
    Who("crc-c16-no-custody-scope", "C16", "CRC", "c16.reader", ("read",)),
    Who("nps-n02-officer", "N02", "NPS", "n02.officer"),
    Who("prison-mdi", "MDI", "PRISON", None, ("read", "custody:read")),
    Who("crc-c01-machine", "C01", "CRC", None),
    Who("crc-c01-excluded-user", "C01", "CRC", "JEXCLUDED"),  # HMPPS Auth upper-cases it
    Who("hq-analyst", "HQ", "HQ", "hq.analyst"),
]


NOW = datetime.now(UTC)
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)")


def masked(value: Any, key: str = "") -> Any:
    """The answer with every time of this run replaced: fetch times and ages differ run to run
    (found by name, or, under an alias, as a float age or a timestamp of today); a record's
    own last-modified time is data and stays."""
    if isinstance(value, dict):
        return {k: masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    if key in TIMES or isinstance(value, float):
        return "<time>"
    if isinstance(value, str) and STAMP.fullmatch(value) and abs(
            datetime.fromisoformat(value.replace("Z", "+00:00")) - NOW) < timedelta(days=1):
        return "<time>"
    return value


# -- argument pools: inside and outside the principal's reach ---------------------------------

SCENARIO_CRNS = ["X000001", "X000002", "X000003", "X000004", "X000005", "X000010", "X000020",
                 "X000021", "X000022", "X000030", "X000031", "X000032", "X000033", "X000034",
                 "X000040", "X000041", "X000042", "X000050", "X000060", "X000071", "X999999"]
SCENARIO_NOMS = ["A0004AA", "A0005AA", "A0030AA", "A0032AA", "A0034AA", "A0034AB", "A0070AA",
                 "A0071AA", "A0060AA", "A9999ZZ"]


def pools(data: Any, reach: Reach) -> dict[str, list[Any]]:
    outside = sorted(set(data.people) - reach.people)
    full, stubs = sorted(reach.full), sorted(reach.stubs)
    crns = SCENARIO_CRNS + full[:4:2] + stubs[:3] + outside[:400:40]
    nomses = SCENARIO_NOMS + sorted(reach.custody)[:3] + sorted(set(data.custody)
                                                                - reach.custody)[:300:30]
    names = [data.people[c].surname for c in outside[:200:25] + stubs[:3] + full[:2]]
    names += [data.people[c].forename for c in stubs[:2] + outside[:3]]
    teams = [m.team_code for c in full[:2] + stubs[:2] + outside[:200:50]
             if (m := data.people[c].active_manager) is not None]
    staff = [m.staff_code for c in full[:1] + stubs[:1] + outside[:2]
             if (m := data.people[c].active_manager) is not None]
    some_cases = [(c.crn, c.id) for crn in crns[::3] for c in data.cases.get(crn, ())[:1]]
    some_appointments = [(a.crn, a.id) for crn in crns[::3]
                         for a in data.appointments.get(crn, ())[:1]]
    node_ids = [global_id("Offender", c) for c in crns[::2]] + [
        global_id("Custody", n) for n in nomses[::2]] + [
        global_id("Case", crn, i) for crn, i in some_cases] + [
        global_id("Appointment", crn, i) for crn, i in some_appointments] + [
        global_id("Establishment", code) for code in ("MDI", "LEI")]
    cursors = [encode_cursor(k, binding) for k in (0, 4, 19, 99) for binding in
               (("caseload", None), ("prisoners", "MDI"), ("offenders", "smith"))] + ["bogus"]
    return {
        "id": node_ids, "ids": [node_ids[i:i + 3] for i in range(0, len(node_ids), 3)],
        "crn": crns, "nomsNumber": nomses,
        "code": ["MDI", "LEI", "WDI", "BMI", "HLI", "OUT", "ZZZ"],
        "search": [*names, "X00004", "X000041", "X0000", "A0005AA", "A00", "smith", "jo"],
        "first": [1, 3, 10, 100, None], "last": [1, 5, None],
        "after": cursors, "before": cursors,
        "filter": [{"teamCode": t} for t in teams] + [{"staffCode": s} for s in staff]
        + [{"provider": p} for p in ("C01", "C16", "N02")] + [{}],
    }


# -- queries from the schema ------------------------------------------------------------------

@dataclass
class Draft:
    variables: dict[str, Any]
    declarations: list[str]
    fragments: list[str]


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return '"' + str(value).replace('"', '\\"') + '"'


@st.composite
def operations(draw: Any, values: dict[str, list[Any]], schema: GraphQLSchema = SCHEMA
               ) -> tuple[str, dict[str, Any]]:
    """A query over `schema`'s root fields (`_entities` too, on the subgraph schema)."""
    draft = Draft({}, [], [])

    def arguments(field: Any) -> str:
        parts = []
        for name, arg in field.args.items():
            pool = values.get(name)
            required = str(arg.type).endswith("!")
            if pool is None or (not required and draw(st.integers(0, 2)) == 0):
                continue
            value = draw(st.sampled_from(pool))
            if value is None and required:
                continue
            if draw(st.integers(0, 3)) == 0:
                var = f"v{len(draft.variables)}"
                draft.variables[var] = value
                draft.declarations.append(f"${var}: {arg.type}")
                parts.append(f"{name}: ${var}")
            else:
                parts.append(f"{name}: {_literal(value)}")
        return f"({', '.join(parts)})" if parts else ""

    def selection(kind: GraphQLObjectType, depth: int) -> str:
        names = sorted(kind.fields)
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique=True))
        parts = []
        for name in chosen:
            field = kind.fields[name]
            inner = get_named_type(field.type)
            alias = f"{name}{draw(st.integers(1, 2))}: " if draw(st.integers(0, 7)) == 0 else ""
            call = f"{alias}{name}{arguments(field)}"
            if is_leaf_type(inner):
                parts.append(call)
            elif depth < 6 and (body := inside(inner, depth + 1)):
                parts.append(f"{call} {{ {body} }}")
        if draw(st.integers(0, 9)) == 0:
            parts.append("__typename")
        return " ".join(parts) or "__typename"

    def inside(kind: Any, depth: int) -> str:
        """The selection under an object type, or an interface's id (a union's typename) and
        some of its types."""
        if isinstance(kind, GraphQLObjectType):
            return wrapped(kind, depth)
        if isinstance(kind, GraphQLInterfaceType | GraphQLUnionType):
            types = draw(st.lists(st.sampled_from(schema.get_possible_types(kind)), max_size=3,
                                  unique_by=lambda t: t.name))
            shared = "id __typename " if isinstance(kind, GraphQLInterfaceType) else "__typename "
            return shared + " ".join(
                f"... on {t.name} {{ {wrapped(t, depth)} }}" for t in types)
        return ""

    def wrapped(kind: GraphQLObjectType, depth: int) -> str:
        body = selection(kind, depth)
        how = draw(st.integers(0, 9))
        if how == 0:
            name = f"F{len(draft.fragments)}"
            draft.fragments.append(f"fragment {name} on {kind.name} {{ {body} }}")
            return f"...{name}"
        if how == 1:
            return f"... on {kind.name} {{ {body} }}"
        return body

    query = schema.query_type
    assert query is not None
    roots = draw(st.lists(st.sampled_from(sorted(query.fields)), min_size=1, max_size=3))
    parts = []
    for i, name in enumerate(roots):
        field = query.fields[name]
        inner = get_named_type(field.type)
        call = f"r{i}: {name}{arguments(field)}"
        body = inside(inner, 1)
        parts.append(f"{call} {{ {body} }}" if body else call)
    declared = f"({', '.join(draft.declarations)})" if draft.declarations else ""
    document = f"query Q{declared} {{ {' '.join(parts)} }} " + " ".join(draft.fragments)
    return document, draft.variables


# -- the gateway, twice -----------------------------------------------------------------------

def _settings(**changes: Any) -> Settings:
    return Settings(audit=AuditSettings(sink="none"),
                    rate_limits=RateLimitSettings(enabled=False),
                    response_cache=ResponseCacheSettings(enabled=True), **changes)


def _embedded(data: Any) -> Settings:
    return _settings(providers={"embedded": {"type": "embedded", "dataset": data}})


def _over_http(delius: str, nomis: str, data: Any) -> Settings:
    base = http_settings({"delius": (None, delius), "nomis": (None, nomis)}, cache="memory")
    providers = {**base.providers, "embedded": {"type": "embedded", "dataset": data}}
    return _settings(providers=providers, bindings=base.bindings, cache_backend="memory")


class Twin:
    """The original and the copy, each behind a gateway, asked the same things."""

    def __init__(self, original: TestClient, copy: TestClient, path: str = "/graphql") -> None:
        self.clients = (original, copy)
        self.path = path

    def ask(self, who: Who, document: str, variables: dict[str, Any]) -> list[Any]:
        headers = {"Authorization": f"Bearer {who.token()}"}
        answers = []
        for client in self.clients:
            response = client.post(self.path, headers=headers,
                                   json={"query": document, "variables": variables})
            answers.append((response.status_code, masked(response.json())))
        return answers

    def prime(self, who: Who, document: str, variables: dict[str, Any]) -> None:
        """Ask as `who` first, on both sides alike, so that the response cache holds their
        answer when the principal under test asks."""
        headers = {"Authorization": f"Bearer {who.token()}"}
        for client in self.clients:
            client.post("/graphql", headers=headers,
                        json={"query": document, "variables": variables})

    def clear_caches(self) -> None:
        """Records and answers (answers share the record cache's store when there is one)."""
        for client in self.clients:
            state = client.app.state  # type: ignore[attr-defined]
            for cache in {id(c): c for c in (state.cache, state.answers and state.answers.store)
                          if c is not None}.values():
                client.portal.call(cache.clear)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def copies(dataset) -> dict[str, tuple[Any, Reach]]:
    return {who.name: copy_outside_reach(dataset, who.principal()) for who in PRINCIPALS}


@pytest.fixture(scope="module")
def embedded_original(dataset) -> Iterator[TestClient]:
    with TestClient(create_app(_embedded(dataset))) as client:
        yield client


def neighbour(who: Who) -> Who:
    """Another user of the same organisation and scopes: the excluded user where the
    principal is not it (the demo's lists name `jexcluded`), else the officer."""
    username = "demo.officer" if who.username == "JEXCLUDED" else "JEXCLUDED"
    return Who(f"{who.name}-neighbour", who.org, who.org_type, username, who.scopes)


def _check(twin: Twin, who: Who, document: str, variables: dict[str, Any],
           prime: bool = True) -> None:
    if prime:
        twin.prime(neighbour(who), document, variables)
    original, copy = twin.ask(who, document, variables)
    assert original == copy, f"{who.name}: answers differ for\n{document}\n{variables}"


EXAMPLE_SETTINGS = dict(deadline=None, derandomize=True, database=None,
                        suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("who", PRINCIPALS, ids=lambda w: w.name)
def test_answers_depend_only_on_what_the_principal_may_see(who, dataset, copies,
                                                           embedded_original):
    copy, reach = copies[who.name]
    with TestClient(create_app(_embedded(copy))) as other:
        twin = Twin(embedded_original, other)

        @settings(max_examples=EXAMPLES, **EXAMPLE_SETTINGS)
        @given(operation=operations(pools(dataset, reach)))
        def run(operation: tuple[str, dict[str, Any]]) -> None:
            _check(twin, who, *operation)
        run()


@pytest.fixture(scope="module")
def http_original(dataset, simulators) -> Iterator[TestClient]:
    settings_ = _over_http(simulators["delius"][1], simulators["nomis"][1], dataset)
    with TestClient(create_app(settings_)) as client:
        yield client


@pytest.mark.parametrize("who", PRINCIPALS, ids=lambda w: w.name)
def test_over_http_with_the_cache_cold_and_warm(who, dataset, copies, http_original):
    from providers.delius import simulator as delius
    from providers.nomis import simulator as nomis
    from tests.servers import serving

    copy, reach = copies[who.name]
    with ExitStack() as stack:
        delius_url = stack.enter_context(serving(delius.build(copy)[1]))
        nomis_url = stack.enter_context(serving(nomis.build(copy)[1]))
        other = stack.enter_context(TestClient(create_app(_over_http(delius_url, nomis_url,
                                                                     copy))))
        twin = Twin(http_original, other)

        @settings(max_examples=HTTP_EXAMPLES, **EXAMPLE_SETTINGS)
        @given(operation=operations(pools(dataset, reach)))
        def run(operation: tuple[str, dict[str, Any]]) -> None:
            twin.clear_caches()
            _check(twin, who, *operation, prime=False)  # cold
            twin.clear_caches()
            _check(twin, who, *operation)  # warm from a neighbour's asking
            _check(twin, who, *operation)  # warm from their own
        run()
