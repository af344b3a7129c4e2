"""The command line: schema snapshot, tokens the demo trusts, the coverage check."""

import asyncio
from pathlib import Path

from gateway.auth import TokenVerifier
from gateway.cli import main
from gateway.settings import AuthSettings

SNAPSHOT = Path(__file__).parent.parent / "snapshots" / "schema.graphql"


def test_schema_print_matches_the_checked_in_snapshot(capsys):
    assert main(["schema", "print"]) == 0
    printed = capsys.readouterr().out
    assert printed == SNAPSHOT.read_text(), (
        "The schema changed. If deliberate: "
        "casegraph schema print > tests/snapshots/schema.graphql")


def test_every_type_and_field_has_a_description():
    from graphql import GraphQLObjectType

    from resolvers.schema import build_schema

    schema = build_schema()._schema
    for name, kind in schema.type_map.items():
        if name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        assert kind.description, name
        for field_name, field in kind.fields.items():
            assert field.description, f"{name}.{field_name}"


def test_token_command_mints_a_token_the_demo_trusts(capsys):
    assert main(["token", "--org", "C07", "--scope", "read", "--staff", "C07T101",
                 "--user", "sam"]) == 0
    token = capsys.readouterr().out.strip()
    principal = asyncio.run(TokenVerifier(AuthSettings()).principal(f"Bearer {token}"))
    assert (principal.org, principal.org_type, principal.username) == ("C07", "CRC", "sam")
    assert principal.scopes == {"read"}


def test_check_passes_on_the_shipped_policies(capsys):
    assert main(["check"]) == 0
    assert "every field has a decision" in capsys.readouterr().out


def test_check_names_a_bad_config_key(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text('[auth]\ndemo = true\n[providers.main]\ntype = "nosuch"\n')
    assert main(["check", "--config", str(config)]) == 2
    assert "providers.main.type = 'nosuch'" in capsys.readouterr().err
