"""Policy files are checked against the schema; the gateway refuses to start on a gap."""

import shutil
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from policies.loader import SHIPPED, PolicyError


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(SHIPPED, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _start(policy_dir: Path) -> list[str]:
    with pytest.raises(PolicyError) as refused:
        create_app(Settings(policy_dir=policy_dir))
    return refused.value.problems


def test_shipped_policies_start(policy_dir):
    assert create_app(Settings(policy_dir=policy_dir))


def test_an_uncovered_field_stops_start_up_and_is_named(policy_dir):
    _edit(policy_dir / "crc.toml", '"probationStatus", ', "")
    assert _start(policy_dir) == ["CRC: Offender.probationStatus is not covered by any rule"]


def test_an_unknown_field_is_named(policy_dir):
    _edit(policy_dir / "nps.toml", '"tier", ', '"tier", "shoeSize", ')
    assert "nps.toml: types.Offender: no field 'shoeSize'" in _start(policy_dir)


def test_an_unknown_type_is_named(policy_dir):
    (policy_dir / "hq.toml").write_text((policy_dir / "hq.toml").read_text()
                                        + '\n[types.Parole]\nfields = ["x"]\n')
    assert "hq.toml: types.Parole: no such type in the schema" in _start(policy_dir)


def test_an_unknown_row_attribute_or_reference_is_named(policy_dir):
    _edit(policy_dir / "crc.toml", '[{ managingProvider = "$org" }]',
          '[{ postcode = "$org" }, { managingProvider = "$team" }]')
    problems = _start(policy_dir)
    assert any("unknown attribute 'postcode'" in p for p in problems)
    assert any("unknown reference '$team'" in p for p in problems)


def test_a_record_type_without_rows_is_refused(policy_dir):
    _edit(policy_dir / "crc.toml", '[types.Case]\nrows = [{ managingProvider = "$org" }]\n',
          "[types.Case]\n")
    assert "crc.toml: types.Case: needs `rows` (which records are visible)" in _start(policy_dir)


def test_denying_a_non_null_field_is_refused(policy_dir):
    _edit(policy_dir / "crc.toml", '"appointments", "crn", ', '"appointments", ')
    _edit(policy_dir / "crc.toml", "[types.Offender]\n", '[types.Offender]\ndeny = ["crn"]\n')
    assert "CRC: Offender.crn is non-null, so it cannot be denied or scoped" in _start(policy_dir)


def test_a_missing_organisation_file_is_named(policy_dir):
    (policy_dir / "prison.toml").unlink()
    assert any("prison.toml: missing" in p for p in _start(policy_dir))
