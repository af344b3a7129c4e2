"""Property: no response ever carries a CRN, NOMS number or case id outside the principal's reach.

Queries come from the schema (hypothesis-graphql); their arguments are rewritten to real
identifiers, the principal's own and everyone else's. The oracle below restates the policy
from the dataset directly, independently of the evaluator it checks.
"""

from __future__ import annotations

import re

import pytest
from graphql import (
    ArgumentNode,
    IntValueNode,
    NullValueNode,
    StringValueNode,
    ValueNode,
    Visitor,
    print_ast,
    visit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from starlette.testclient import TestClient

from gateway import tokens
from gateway.app import create_app
from resolvers.schema import build_schema

CRN = re.compile(r"^[A-Z]\d{6}$")
NOMS = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
CASE_ID = re.compile(r"^25\d{8}$")
ORGS = ("C01", "C16", "C05", "N02", "MDI", "LEI")
SCOPES = ("read", "custody:read", "risk:read")


def allowed_identifiers(dataset, org: str) -> set[str]:
    """What `org` may ever see, from the data and the policy's intent alone."""
    people = dataset.people.values()
    if org.startswith(("C", "N")):
        mine = [p for p in people if p.managing_provider == org]
        cases = {c.id for cases in dataset.cases.values() for c in cases
                 if c.managing_provider == org}
        nomses = {p.noms_number for p in mine if p.noms_number}
        nomses |= {dataset.merged_noms.get(n, n) for n in nomses}
        return {p.crn for p in mine} | nomses | cases
    held = {n for n, c in dataset.custody.items() if c.agency_id == org}
    crns = {crn for n in held for crn in dataset.noms_to_crns.get(n, ())}
    crns |= {p.crn for p in people if p.noms_number in dataset.merged_noms
             and dataset.merged_noms[p.noms_number] in held}
    return crns | held | {dataset.people[c].noms_number for c in crns}


def identifiers_in(value: object) -> set[str]:
    if isinstance(value, str):
        return {value} if CRN.match(value) or NOMS.match(value) or CASE_ID.match(value) else set()
    if isinstance(value, dict):
        return set().union(*map(identifiers_in, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(identifiers_in, value)) if value else set()
    return set()


class RealArguments(Visitor):
    """Rewrites generated argument values to identifiers that exist."""

    def __init__(self, draw, values: dict[str, st.SearchStrategy]) -> None:
        super().__init__()
        self.draw, self.values = draw, values

    def enter_argument(self, node: ArgumentNode, *_args):
        strategy = self.values.get(node.name.value)
        if strategy is None:
            return None
        value = self.draw(strategy)
        literal: ValueNode
        if value is None:
            literal = NullValueNode()
        elif isinstance(value, int):
            literal = IntValueNode(value=str(value))
        else:
            literal = StringValueNode(value=value)
        return ArgumentNode(name=node.name, value=literal)


@pytest.fixture(scope="module")
def sync_client():
    # An app of its own: TestClient runs it on another event loop, and the app's rate limiter
    # and audit queue belong to the loop that first used them (one loop per process in serving).
    return TestClient(create_app())


@pytest.fixture(scope="module")
def oracle(dataset):
    return {org: allowed_identifiers(dataset, org) for org in ORGS}


@pytest.fixture(scope="module")
def argument_values(dataset):
    crns = sorted(dataset.scenarios["isolation"]) + sorted(dataset.people)[:40:4] + [
        "X000030", "X000032", "X000041", "X000034"]
    nomses = ["A0004AA", "A0005AA", "A0030AA", "A0032AA", "A0034AB", "A0070AA",
              *sorted(dataset.custody)[:20:4]]
    return {
        "crn": st.sampled_from(crns), "nomsNumber": st.sampled_from(nomses),
        "code": st.sampled_from(["MDI", "LEI", "WDI", "BMI"]),
        "search": st.sampled_from(["X00000", "A00", "smith", "X000002", "jones"]),
        "first": st.sampled_from([1, 7, 100, None]), "after": st.none(),
        "provider": st.sampled_from([*ORGS, None]),
    }


SCHEMA = build_schema()._schema
ROOTS = ("offender", "offenderByNomsNumber", "offenders", "caseload", "establishment")


@st.composite
def deep_query(draw, values: dict[str, st.SearchStrategy]) -> str:
    """A random subtree of the whole schema under one root field, arguments at every level."""
    from graphql import GraphQLObjectType, get_named_type

    def selection(kind: GraphQLObjectType, depth: int) -> str:
        parts: list[str] = []
        for name, field in kind.fields.items():
            inner = get_named_type(field.type)
            if draw(st.integers(0, 6)) == 0 and parts:  # keep most fields: wide trees
                continue
            args = ", ".join(f"{a}: {_literal(draw(values[a]))}" for a in field.args
                             if a in values and draw(values[a]) is not None)
            call = f"{name}({args})" if args else name
            if isinstance(inner, GraphQLObjectType):
                if depth < 6:
                    parts.append(f"{call} {{ {selection(inner, depth + 1)} }}")
            else:
                parts.append(call)
        return " ".join(parts) or "__typename"

    root, query = draw(st.sampled_from(ROOTS)), SCHEMA.query_type
    assert query is not None
    return "{ " + selection(GraphQLObjectType("Q", {root: query.fields[root]}), 0) + " }"


def _literal(value: object) -> str:
    return str(value) if isinstance(value, int) else f'"{value}"'


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.filter_too_much])
@given(data=st.data(), org=st.sampled_from(ORGS),
       scopes=st.sets(st.sampled_from(SCOPES), min_size=1),
       user=st.sampled_from([None, "demo.officer", "rallowed", "jexcluded"]))
def test_no_response_leaks_an_identifier(sync_client, oracle, argument_values, data, org,
                                         scopes, user):
    if data.draw(st.booleans()):
        document = data.draw(queries(SCHEMA, print_ast=lambda doc: doc, allow_null=False))
        query = print_ast(visit(document, RealArguments(data.draw, argument_values)))
    else:
        query = data.draw(deep_query(argument_values))
    token = tokens.mint(org, scopes, username=user, staff=f"{org}T101" if user else None)
    response = sync_client.post("/graphql", json={"query": query},
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    leaked = identifiers_in(response.json().get("data")) - oracle[org]
    assert not leaked, f"{org} saw {sorted(leaked)[:5]}"
