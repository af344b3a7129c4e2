"""With introspection off, no error suggests a name ("Did you mean ...?"): that would describe
the schema that introspection hides. With it on, the suggestions help, as graphql-core gives
them."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.settings import Settings
from tests.conftest import post_query

# Where graphql-core suggests: a field, an argument, a type, an input field (in a literal and
# in a variable's value, which is checked when the operation is run).
PLACES = {
    "field": ("{{ {name}(crn: \"X000001\") {{ crn }} }}", None, "offender"),
    "argument": ("{{ caseload({name}: 5) {{ totalCount }} }}", None, "first"),
    "type": ("query {{ viewer {{ ...F }} }} fragment F on {name} {{ subject }}", None, "Viewer"),
    "input field": ("{{ caseload(filter: {{ {name}: \"T1\" }}) {{ totalCount }} }}", None,
                    "teamCode"),
    "variable": ("query($f: CaseloadFilter) {{ caseload(filter: $f) {{ totalCount }} }}",
                 "{name}", "teamCode"),
}


@st.composite
def typo(draw: st.DrawFn, name: str) -> str:
    """`name` with one letter dropped, doubled, changed or two swapped."""
    i = draw(st.integers(0, len(name) - 2))
    change = draw(st.sampled_from(["drop", "double", "swap", "change"]))
    if change == "drop":
        return name[:i] + name[i + 1:]
    if change == "double":
        return name[:i] + name[i] + name[i:]
    if change == "swap":
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + draw(st.sampled_from("aeiouxz")) + name[i + 1:]


def ask(place: str, misspelt: str) -> tuple[str, dict | None]:
    template, variable, _ = PLACES[place]
    query = template.format(name=misspelt)
    return query, ({"f": {variable.format(name=misspelt): "T1"}} if variable else None)


@pytest.fixture(scope="module")
def closed_app():
    return create_app(Settings(introspection=False))


@given(st.sampled_from(sorted(PLACES)).flatmap(
    lambda place: st.tuples(st.just(place), typo(PLACES[place][2]))))
@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_no_error_suggests_a_name_when_introspection_is_off(closed_app, case):
    place, misspelt = case
    if misspelt == PLACES[place][2]:
        return  # a swap of two equal letters is no typo
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=closed_app),
                                 base_url="http://t") as client:
        body = await post_query(client, *ask(place, misspelt))
    assert body["errors"]
    for error in body["errors"]:
        assert "Did you mean" not in error["message"]
        assert f"'{PLACES[place][2]}'" not in error["message"]


@pytest.mark.parametrize("place", sorted(PLACES))
async def test_with_introspection_on_the_suggestions_help(gql, place):
    body = await gql(*ask(place, PLACES[place][2][:-1] + "x"))
    assert any("Did you mean" in e["message"] for e in body["errors"]), body
