"""Whatever a subgraph answers, casegraph answers with values of its own types or
BACKEND_BAD_DATA naming the subgraph: never a crash, never the subgraph's own words."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLString,
    build_schema,
)
from hypothesis import given
from hypothesis import strategies as st

from providers.errors import BackendBadData
from providers.subgraph.provider import _answers, _parsed
from resolvers.remote import shaped

TYPES: dict[str, Any] = build_schema("""enum Kind { A B } scalar Stamp type Note { id: ID }
type Query { n: Note k: Kind s: Stamp }""").type_map
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=8)
FIELD_TYPES = [GraphQLString, GraphQLNonNull(GraphQLString), GraphQLList(GraphQLString),
               GraphQLList(GraphQLNonNull(TYPES["Note"])), TYPES["Kind"], TYPES["Note"],
               GraphQLList(GraphQLList(TYPES["Kind"])), GraphQLInt, GraphQLFloat, GraphQLBoolean,
               GraphQLID, TYPES["Stamp"]]


@given(st.sampled_from(FIELD_TYPES), JSON)
def test_a_value_is_shaped_to_its_type_or_is_bad_data(field_type: Any, value: Any):
    try:
        found = shaped("casenotes", field_type, value)
    except BackendBadData as exc:  # in fixed words: the value itself is never quoted
        assert exc.provider == "casenotes"
        assert str(exc) in {"casenotes: answered a value where a list belongs",
                            "casenotes: answered a value where an object belongs",
                            f"casenotes: answered a value that is not a {_leaf(field_type)}"}
        return
    if value is not None:
        assert isinstance(found, list) == isinstance(value, list)


def _leaf(field_type: Any) -> str:
    while hasattr(field_type, "of_type"):
        field_type = field_type.of_type
    return str(field_type.name)


@given(JSON, st.integers(1, 3))
def test_any_answer_to_an_entities_call_maps_to_values_or_errors(body: Any, keys: int):
    groups = {("Offender", "crn", f"caseNotes{i} {{ id }}"): {f"X00000{i}": 0}
              for i in range(keys)}
    try:
        answers = _answers("casenotes", groups, body)
    except BackendBadData as exc:
        assert exc.provider == "casenotes"
        return
    assert set(answers) == set(groups)
    assert all(len(v) == 1 for v in answers.values())


def test_an_answer_of_the_right_shape_maps_back_by_representation():
    groups = {("Offender", "crn", "caseNotes { id }"): {"X000001": 0, "X000002": 1}}
    body = {"data": {"e0": [{"v": [{"id": "N1"}]}, None]},
            "errors": [{"message": "x", "path": ["e0", 1, "v"]}]}
    [[first, second]] = _answers("casenotes", groups, body).values()
    assert first == [{"id": "N1"}] and isinstance(second, BackendBadData)


def test_keys_are_parsed_back_as_made():
    key = orjson.dumps(["Prisoner", "nomsNumber", "A0004AA", "resettlementNeeds { pathway }"])
    assert _parsed("casenotes", key.decode()) == (
        ("Prisoner", "nomsNumber", "resettlementNeeds { pathway }"), "A0004AA")
