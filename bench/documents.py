"""Documents a hostile client might send: fragment-heavy, with spreads, directives, variables.

A Hypothesis strategy shared by the validation fuzz run (`bench/validation.py`) and the tests
that bound validation's work (`tests/gateway/test_validation_work.py`). Fragments spread earlier
fragments, often twice or more, so a validator that re-walks a fragment at each spread does work
exponential in the number of fragments; one that works each fragment out once does linear work.
"""

from __future__ import annotations

from hypothesis import strategies as st

# (type, leaf fields, (field, type it leads to) pairs) over the schema's own names.
TYPES = {
    "Offender": (("crn", "nomsNumber", "dateOfBirth", "__typename"),
                 (("cases", "Case"), ("custody", "Custody"), ("name", "Name"))),
    "Case": (("id", "active", "number"), (("offender", "Offender"),)),
    "Custody": (("status", "prisonNumber"), (("establishment", "Establishment"),)),
    "Establishment": (("code", "name"), ()),
    "Name": (("forename", "surname"), ()),
}
DIRECTIVES = ("", " @include(if: $yes)", " @skip(if: $no)", " @include(if: true)")


@st.composite
def selection(draw: st.DrawFn, kind: str, earlier: list[tuple[str, str]], depth: int) -> str:
    """One selection on `kind`: a leaf, a field with its own selections, a spread of an earlier
    fragment on the same type, or an inline fragment."""
    leaves, links = TYPES[kind]
    spreads = [name for name, on in earlier if on == kind][-3:]  # recent ones: long chains
    options = ["leaf"] + (["spread"] * 4 if spreads else []) + (["link"] if links and depth
                                                                  else []) + ["inline"]
    choice = draw(st.sampled_from(options))
    directive = draw(st.sampled_from(DIRECTIVES))
    if choice == "spread":
        return f"...{draw(st.sampled_from(spreads))}{directive}"
    if choice == "link":
        field, target = draw(st.sampled_from(links))
        alias = draw(st.sampled_from(("", "a: ", "b: ")))
        return f"{alias}{field}{directive} {{ {draw(body(target, earlier, depth - 1))} }}"
    if choice == "inline":
        return f"... on {kind}{directive} {{ {draw(body(kind, earlier, 0))} }}"
    return draw(st.sampled_from(leaves)) + directive


def body(kind: str, earlier: list[tuple[str, str]], depth: int) -> st.SearchStrategy[str]:
    return st.lists(selection(kind, earlier, depth), min_size=1, max_size=3).map(" ".join)


@st.composite
def documents(draw: st.DrawFn, max_fragments: int = 24) -> str:
    """A query on one offender whose selections lean on a chain of fragments."""
    earlier: list[tuple[str, str]] = []
    fragments = []
    for i in range(draw(st.integers(1, max_fragments))):
        kind = draw(st.sampled_from(("Offender", "Offender", "Offender", "Case", "Custody")))
        fragments.append(f"fragment F{i} on {kind} {{ {draw(body(kind, earlier, 2))} }}")
        earlier.append((f"F{i}", kind))
    root = draw(body("Offender", earlier, 2))
    operation = ("query Hostile($yes: Boolean = true, $no: Boolean = false) "
                 f'{{ offender(crn: "X000001") {{ {root} {_every(earlier)} '
                 "__typename @include(if: $yes) __typename @skip(if: $no) } }")
    return "\n".join([operation, *fragments])


def _every(fragments: list[tuple[str, str]]) -> str:
    """Spreads of every fragment, each where its type is, so that none is unused."""
    def on(kind: str) -> str:
        return " ".join(f"...{name}" for name, of in fragments if of == kind)
    return f"{on('Offender')} cases {{ id {on('Case')} }} custody {{ status {on('Custody')} }}"


def nested_fragments(levels: int) -> str:
    """`fragment Fn on Offender { ...Fn-1 ...Fn-1 }`: a document of `levels` such lines spreads
    F0 2**levels times; 30 levels is under 1.5 KB."""
    lines = ["fragment F0 on Offender { crn cases { offender { crn } } }"]
    lines += [f"fragment F{i} on Offender {{ ...F{i - 1} ...F{i - 1} }}"
              for i in range(1, levels + 1)]
    return f'{{ offender(crn: "X000001") {{ ...F{levels} }} }}\n' + "\n".join(lines)
