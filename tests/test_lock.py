"""The lock files pin every dependency pyproject.toml names, within its range: the image
installs requirements/runtime.txt, `make install` (so CI) requirements/test.txt, and a
package both hold is pinned the same in both."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, set[Version]]:
    pins: dict[str, set[Version]] = {}
    for name, version in PIN.findall((ROOT / "requirements" / lock).read_text()):
        pins.setdefault(canonicalize_name(name), set()).add(Version(version))
    return pins


def _wanted(extras: list[str]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + [t for e in extras for t in
                                       project["optional-dependencies"][e]]
    return [Requirement(t) for t in texts]


@pytest.mark.parametrize("lock, extras", [("runtime.txt", []), ("test.txt", ["test"])])
def test_every_dependency_is_pinned_within_its_range(lock, extras):
    pins = _pins(lock)
    for wanted in _wanted(extras):
        versions = pins.get(canonicalize_name(wanted.name))
        assert versions, f"{wanted.name} is not in requirements/{lock}: run `make lock`"
        assert all(v in wanted.specifier for v in versions), (wanted, versions)


def test_the_test_lock_has_the_images_versions_and_every_pin_a_hash():
    runtime, test = _pins("runtime.txt"), _pins("test.txt")
    assert {name: test.get(name) for name in runtime} == runtime
    for lock in ("runtime.txt", "test.txt"):
        entries = re.split(r"\n(?=\S)", (ROOT / "requirements" / lock).read_text())
        assert all("--hash=sha256:" in e for e in entries if PIN.match(e)), lock
