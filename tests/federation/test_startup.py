"""What casegraph refuses at start when a subgraph is composed in: each refusal names what is
wrong. A field nobody decides, a decision that would change the main policies, a subgraph
field that would hand out casegraph's own entities, a subgraph that cannot be read."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.federation import FederationSettings, parse_federation
from policies.loader import PolicyError
from providers.errors import ConfigError
from tests.federation.conftest import POLICIES, federated, subgraph
from tests.servers import free_port

SDL = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Offender @key(fields: "crn") { crn: ID! %s }
type Note { id: ID! }
type Query { note(id: ID!): Note }
'''


def app_with(**options):
    """A gateway composing a subgraph named `notes` (nothing listens on its URL)."""
    notes = subgraph("http://127.0.0.1:1", **options)
    return create_app(replace(federated(None), federation=FederationSettings(True,
                                                                             {"notes": notes})))


def with_sdl(tmp_path: Path, fields: str, policies: Path = POLICIES, extra: str = ""):
    sdl = tmp_path / "subgraph.graphql"
    sdl.write_text(SDL % fields + extra)
    return app_with(sdl_file=str(sdl), policies=str(policies))


def test_a_subgraph_field_no_policy_decides_stops_start_up(tmp_path):
    (tmp_path / "undecided").mkdir()
    with pytest.raises(PolicyError) as refused:
        with_sdl(tmp_path, "notes: [Note!]!", tmp_path / "undecided")
    assert "CRC: Offender.notes is not covered by any rule" in str(refused.value)
    assert "HQ: Note.id is not covered by any rule" in str(refused.value)


def test_a_subgraph_policy_may_not_change_the_main_policies(tmp_path):
    from examples.federation.casenotes import SCHEMA

    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    (policies / "crc.toml").write_text(
        (policies / "crc.toml").read_text()
        + '\n[types.Viewer]\nfields = ["subject"]\n[types.Query]\nrows = "all"\n')
    sdl = tmp_path / "casenotes.graphql"
    sdl.write_text(SCHEMA.as_str())
    with pytest.raises(PolicyError) as refused:
        app_with(sdl_file=str(sdl), policies=str(policies))
    text = str(refused.value)
    assert "policies/crc.toml: types.Viewer: 'subject' is already decided by common.toml" in text
    assert "policies/crc.toml: types.Query.rows: Query's rows are decided by crc.toml" in text


@pytest.mark.parametrize(("fields", "named"), [
    ("buddy: Offender", "may not return casegraph's entities"),
    ("name: String", "casegraph's Offender already has it"),
    ("other: Provenance", "type Provenance exists in casegraph"),
    ("s: Thing", "only object, enum, scalar and input types"),
    ("late: Int @requires(fields: \"crn\")", "@requires is not supported"),
])
def test_what_casegraph_cannot_enforce_is_refused_by_name(tmp_path, fields, named):
    extra = "\ninterface Thing { id: ID! }\ntype Provenance { x: Int }"
    with pytest.raises(ConfigError) as refused:
        with_sdl(tmp_path, fields, extra=extra)
    assert "federation.subgraphs.notes" in str(refused.value) and named in str(refused.value)


def test_a_wrong_key_is_refused(tmp_path):
    sdl = tmp_path / "subgraph.graphql"
    sdl.write_text('type Offender @key(fields: "nomsNumber") { nomsNumber: ID! x: Int }')
    with pytest.raises(ConfigError, match="Offender must be keyed by 'crn'"):
        app_with(sdl_file=str(sdl))


def test_a_subgraph_that_cannot_be_read_at_start_stops_it():
    with pytest.raises(ConfigError, match=r"federation.subgraphs.casenotes.url = .*no SDL"):
        create_app(federated(f"http://127.0.0.1:{free_port()}"))


@pytest.mark.parametrize(("raw", "named"), [
    ({"routers": True}, "federation: unknown keys ['routers']"),
    ({"subgraphs": {"x": {"url": "http://h/graphql"}}}, "federation.subgraphs.x.policies"),
    ({"subgraphs": {"x": {"url": "u", "policies": "p", "colour": 1}}}, "unknown keys ['colour']"),
])
def test_federation_settings_are_checked(raw, named):
    with pytest.raises(ConfigError) as refused:
        parse_federation(raw)
    assert named in str(refused.value)
    assert parse_federation({}).subgraph is False  # a configuration file must ask for it
