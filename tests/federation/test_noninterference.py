"""Noninterference through federation, both ways: the CRC subgraph's fields composed into
casegraph (`/graphql`) and `_entities` on casegraph's own subgraph (`/subgraph`).

The same property as `tests/policies/test_noninterference.py`, with its principals, copies
(`reach_oracle`), argument pools and query generator: each generated query runs against the
demo data and against a copy with everything outside the principal's reach altered or
removed, each behind its own gateway and its own case-notes subgraph (made from that data),
and the answers must be identical. `CASEGRAPH_NI_FEDERATION_EXAMPLES` sets the examples per
principal and endpoint (30 in `make test`), each selecting a federated field.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

import pytest
from hypothesis import assume, given, settings
from starlette.testclient import TestClient

from examples.federation import casenotes
from gateway.app import create_app
from resolvers.entities import federated as with_entities
from resolvers.nodes import global_id
from tests.federation.conftest import federated
from tests.policies.reach_oracle import Reach, copy_outside_reach
from tests.policies.test_noninterference import (
    EXAMPLE_SETTINGS,
    PRINCIPALS,
    Twin,
    _check,
    operations,
    pools,
)
from tests.servers import serving

EXAMPLES = int(os.environ.get("CASEGRAPH_NI_FEDERATION_EXAMPLES", "30"))


def gateway(stack: ExitStack, data: Any) -> TestClient:
    """casegraph over `data`, composing a case-notes subgraph made from the same data."""
    _, notes = casenotes.build(data)
    url = stack.enter_context(serving(notes))
    return stack.enter_context(TestClient(create_app(federated(url, data=data))))


def entity_pools(data: Any, reach: Reach, values: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """References inside and outside the principal's reach, one to four at a time."""
    cases = [{"__typename": "Case", "id": global_id("Case", crn, c.id)}
             for crn in values["crn"][:20] for c in data.cases.get(crn, ())[:2]]
    single = ([{"__typename": "Offender", "crn": c} for c in values["crn"]]
              + [{"__typename": "Custody", "prisonNumber": n} for n in values["nomsNumber"]]
              + cases)
    groups = [single[i:i + n] for n in (1, 2, 4) for i in range(0, len(single), 3 * n)]
    return {**values, "representations": groups}


@pytest.fixture(scope="module")
def original(dataset):
    with ExitStack() as stack:
        yield gateway(stack, dataset)


@pytest.mark.parametrize("who", PRINCIPALS, ids=lambda w: w.name)
@pytest.mark.parametrize("path", ["/graphql", "/subgraph"])
def test_answers_through_federation_depend_only_on_what_the_principal_may_see(
        who, path, dataset, original):
    copy, reach = copy_outside_reach(dataset, who.principal())
    with ExitStack() as stack:
        twin = Twin(original, gateway(stack, copy), path)
        client_schema = original.app.state.schema._schema
        schema = client_schema if path == "/graphql" else with_entities(client_schema)
        values = entity_pools(dataset, reach, pools(dataset, reach))
        federated_fields = ("_entities",) if path == "/subgraph" else \
            ("caseNotes", "resettlementNeeds")

        @settings(max_examples=EXAMPLES, **EXAMPLE_SETTINGS)
        @given(operation=operations(values, schema))
        def run(operation: tuple[str, dict[str, Any]]) -> None:
            assume(any(name in operation[0] for name in federated_fields))
            _check(twin, who, *operation)
        run()


SWEEP = """query Sweep($crn: ID!) { offender(crn: $crn) { crn accessRestricted
  caseNotes { id type text authorStaffCode writtenAt caseId }
  cases { id caseNotes(first: 3) { id text } }
  custody { prisonNumber resettlementNeeds { pathway priority } } } }"""
SWEEP_ENTITIES = """query Sweep($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on Offender { crn accessRestricted name { surname } caseNotes { id text } }
  ... on Custody { prisonNumber status resettlementNeeds { pathway } }
  ... on Case { id active caseNotes { id text } } } }"""


@pytest.mark.parametrize("who", PRINCIPALS, ids=lambda w: w.name)
def test_every_pooled_record_answers_the_same_through_federation(who, dataset, original):
    """Beside the generated queries, a sweep: every pooled person (in reach, a Limited Access
    stub, outside), with all the subgraph's fields, directly and as a reference."""
    copy, reach = copy_outside_reach(dataset, who.principal())
    values = entity_pools(dataset, reach, pools(dataset, reach))
    with ExitStack() as stack:
        other = gateway(stack, copy)
        for crn in values["crn"]:
            _check(Twin(original, other), who, SWEEP, {"crn": crn})
        for group in values["representations"]:
            _check(Twin(original, other, "/subgraph"), who, SWEEP_ENTITIES, {"r": group})
