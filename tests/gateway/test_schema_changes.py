"""Schema changes classified as breaking, dangerous or safe, and the check that no breaking
change reaches the snapshot unless it is accepted in writing."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import (
    FieldDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    NameNode,
    ObjectTypeDefinitionNode,
    parse,
    print_ast,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.cli import main
from gateway.schema_diff import accepted, diff, unaccepted
from providers.registry import ConfigError

ROOT = Path(__file__).parents[2]
SNAPSHOT = ROOT / "tests" / "snapshots" / "schema.graphql"
ACCEPTED = ROOT / "tests" / "snapshots" / "schema-breaking.toml"
SDL = SNAPSHOT.read_text()
DOCUMENT = parse(SDL)
OBJECTS = [d for d in DOCUMENT.definitions if isinstance(d, ObjectTypeDefinitionNode)
           and len(d.fields or ()) > 1]
INTERFACE_FIELDS = {d.name.value: {f.name.value for f in d.fields or ()}
                    for d in DOCUMENT.definitions if isinstance(d, InterfaceTypeDefinitionNode)}
# A field an implemented interface requires cannot go alone: the schema would be invalid.
FIELDS = st.sampled_from([(i, j) for i, d in enumerate(OBJECTS)
                          for j, f in enumerate(d.fields or ())
                          if not any(f.name.value in INTERFACE_FIELDS.get(n.name.value, ())
                                     for n in d.interfaces or ())])


def _with_fields(type_index: int, fields: tuple[FieldDefinitionNode, ...]) -> str:
    """The snapshot with one object type's fields replaced."""
    target = OBJECTS[type_index]
    definitions = [ObjectTypeDefinitionNode(**{**{k: getattr(d, k) for k in d.keys},
                                                "fields": fields}) if d is target else d
                   for d in DOCUMENT.definitions]
    return print_ast(DOCUMENT.__class__(definitions=tuple(definitions)))


def _without(type_name: str, field_name: str) -> str:
    index = next(i for i, d in enumerate(OBJECTS) if d.name.value == type_name)
    return _with_fields(index, tuple(f for f in OBJECTS[index].fields or ()
                                     if f.name.value != field_name))


def test_an_unchanged_schema_has_no_changes():
    assert diff(SDL, SDL) == []


@settings(max_examples=15, deadline=None, database=None, derandomize=True)
@given(where=FIELDS)
def test_removing_any_field_is_breaking_and_names_it(where):
    type_index, field_index = where
    fields = OBJECTS[type_index].fields or ()
    removed = f"{OBJECTS[type_index].name.value}.{fields[field_index].name.value}"
    changes = diff(SDL, _with_fields(type_index, fields[:field_index] + fields[field_index + 1:]))
    assert [(c.kind, c.type) for c in changes] == [("breaking", "FIELD_REMOVED")]
    assert removed in changes[0].description


@settings(max_examples=15, deadline=None, database=None, derandomize=True)
@given(type_index=st.integers(0, len(OBJECTS) - 1))
def test_adding_a_field_anywhere_is_safe(type_index):
    added = FieldDefinitionNode(name=NameNode(value="addedForTest"), arguments=(),
                                directives=(), type=NamedTypeNode(name=NameNode(value="String")))
    changes = diff(SDL, _with_fields(type_index, (*(OBJECTS[type_index].fields or ()), added)))
    assert [(c.kind, c.type) for c in changes] == [("safe", "FIELD_ADDED")]


def test_a_new_enum_value_and_a_new_optional_argument_are_dangerous():
    new = SDL.replace("  INACTIVE_TRN\n", "  INACTIVE_TRN\n  ESCAPED\n").replace(
        "establishment(code: ID!): Establishment", "establishment(code: ID!, asOf: String): "
                                                   "Establishment")
    assert sorted(c.type for c in diff(SDL, new)) == ["OPTIONAL_ARG_ADDED",
                                                      "VALUE_ADDED_TO_ENUM"]
    assert {c.kind for c in diff(SDL, new)} == {"dangerous"}


def test_accepting_a_breaking_change_needs_its_description_and_a_reason(tmp_path):
    new = _without("Offender", "tier")
    [change] = [c for c in diff(SDL, new) if c.kind == "breaking"]
    marks = tmp_path / "accepted.toml"
    marks.write_text(f'[[accepted]]\nchange = "{change.description}"\nreason = "tiers moved"\n')
    assert unaccepted(diff(SDL, new), accepted(marks)) == []
    marks.write_text(f'[[accepted]]\nchange = "{change.description}"\n')
    with pytest.raises(ConfigError, match="reason"):
        accepted(marks)


def test_the_command_exits_1_on_a_breaking_change_not_accepted(tmp_path, capsys, monkeypatch):
    new = tmp_path / "new.graphql"
    new.write_text(_without("Offender", "tier"))
    assert main(["schema", "diff", str(SNAPSHOT), str(new), "--accepted", str(ACCEPTED)]) == 1
    out = capsys.readouterr().out
    assert "BREAKING" in out and "Offender.tier was removed" in out and "(not accepted)" in out
    assert main(["schema", "diff", str(SNAPSHOT), str(new)]) == 0  # no list: only a report
    monkeypatch.setattr("sys.stdin", io.StringIO(SDL))
    assert main(["schema", "diff", str(SNAPSHOT), "-", "--accepted", str(ACCEPTED)]) == 0
    assert capsys.readouterr().out.strip().endswith("0 breaking not accepted")


def test_a_file_that_is_not_a_schema_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.graphql"
    bad.write_text("type Query { x: }")
    assert main(["schema", "diff", str(bad), str(SNAPSHOT)]) == 2
    assert capsys.readouterr().err == ("casegraph: schema diff: not a schema: Syntax Error: "
                                       "Expected Name, found '}'.\n")


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout


def _snapshot_history() -> list[tuple[str, str, str]]:
    """(commit, snapshot before it, snapshot after it) for every commit that changed it."""
    path = SNAPSHOT.relative_to(ROOT).as_posix()
    found = []
    for commit in _git("log", "--format=%H", "--no-merges", "--", path).split():
        try:
            before = _git("show", f"{commit}^:{path}")
        except subprocess.CalledProcessError:
            continue  # the commit that created it
        found.append((commit[:10], before, _git("show", f"{commit}:{path}")))
    return found


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs the git history (CI runs in a clone)")
def test_no_unaccepted_breaking_change_in_the_snapshots_history():
    """The CI step: every change ever made to the snapshot, and the one not yet committed."""
    marks = accepted(ACCEPTED)
    path = SNAPSHOT.relative_to(ROOT).as_posix()
    changes = [(commit, c) for commit, before, after in _snapshot_history()
               for c in unaccepted(diff(before, after), marks)]
    changes += [("uncommitted", c) for c in unaccepted(diff(_git("show", f"HEAD:{path}"), SDL),
                                                        marks)]
    assert changes == [], "breaking schema changes not accepted in tests/snapshots/" \
                          f"schema-breaking.toml: {changes}"
