"""Organisations as data: each code's type and name, read from a TOML file at start.

Probation has been reorganised before (35 trusts; the National Probation Service and 21
CRCs from 2014 to 2021; one service in regions since 2021), so which codes exist and which
type each has are configuration, not code: a reorganisation is a new file. Policy files are
per organisation type; a token's organisation type comes only from its code's entry here.

A file has `[types]` (each type with a description) and `[organisations.CODE]` tables with
`type`, `name` and, after a reorganisation, `formerly` (the codes whose cases it took over).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).parent / "shipped"
FILE_NAME = "organisations.toml"
DEFAULT_FILE = SHIPPED / FILE_NAME
UNIFIED_FILE = SHIPPED / "organisations-unified-2021.toml"
CODE = re.compile(r"[A-Z0-9]{2,10}")  # always `fullmatch`ed: no trailing newline slips by
TYPE = re.compile(r"[A-Z][A-Z0-9_]{0,19}")
_TOP_KEYS = frozenset({"types", "organisations"})
_ORG_KEYS = frozenset({"type", "name", "formerly"})


class OrganisationsError(Exception):
    """An organisations file that cannot be used; lists every problem, each naming its key."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = sorted(problems)
        super().__init__("organisation problems:\n  " + "\n  ".join(self.problems))


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    type: str
    name: str
    formerly: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisations:
    """The organisation codes a deployment knows, and the types policies are written for."""

    types: tuple[str, ...]
    by_code: Mapping[str, Organisation]
    source: str = "<memory>"
    successors: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "successors", {
            old: org.code for org in self.by_code.values() for old in org.formerly})

    def type_of(self, code: str) -> str | None:
        """The code's type, or None for a code this deployment does not know."""
        found = self.by_code.get(code)
        return found.type if found is not None else None

    def __contains__(self, code: object) -> bool:
        return code in self.by_code


def load(path: Path) -> Organisations:
    """Read and check an organisations file, or raise `OrganisationsError`."""
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise OrganisationsError([f"{path}: {exc}"]) from exc
    return parse(raw, str(path))


@cache
def shipped(path: Path = DEFAULT_FILE) -> Organisations:
    """A shipped file, read once per process."""
    return load(path)


def for_policies(directory: Path) -> Organisations:
    """The organisations a policy directory is written for: its own file, else the shipped one."""
    own = directory / FILE_NAME
    return load(own) if own.exists() else shipped()


def parse(raw: Mapping[str, Any], source: str) -> Organisations:
    problems = [f"{source}: unknown top-level key {k!r}; choose from {sorted(_TOP_KEYS)}"
                for k in sorted(set(raw) - _TOP_KEYS)]
    types = _types(raw.get("types"), source, problems)
    entries = raw.get("organisations")
    if not isinstance(entries, dict) or not entries:
        problems.append(f"{source}: [organisations] needs at least one organisation")
        entries = {}
    by_code = {code: _organisation(code, body, types, source, problems)
               for code, body in entries.items()}
    problems.extend(_formerly_problems(by_code, source))
    if problems:
        raise OrganisationsError(problems)
    return Organisations(types, by_code, source)


def _types(raw: Any, source: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{source}: [types] needs at least one organisation type")
        return ()
    for name, description in raw.items():
        if not TYPE.fullmatch(name):
            problems.append(f"{source}: types.{name}: a type is upper-case letters, digits "
                            "and _ (it names the policy file <type>.toml)")
        if not isinstance(description, str):
            problems.append(f"{source}: types.{name}: the value is a description (a string)")
    return tuple(raw)


def _organisation(code: str, body: Any, types: tuple[str, ...], source: str,
                  problems: list[str]) -> Organisation:
    where = f"{source}: organisations.{code}"
    if not CODE.fullmatch(code):
        problems.append(f"{where}: a code is 2 to 10 upper-case letters or digits")
    if not isinstance(body, dict):
        problems.append(f"{where}: must be a table with `type` and `name`")
        return Organisation(code, "", "")
    problems.extend(f"{where}.{k}: unknown key; choose from {sorted(_ORG_KEYS)}"
                    for k in sorted(set(body) - _ORG_KEYS))
    kind, name, formerly = body.get("type"), body.get("name"), body.get("formerly", [])
    if kind not in types:
        problems.append(f"{where}.type = {kind!r}: choose from {list(types)}")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name: a non-empty string is needed")
    if not isinstance(formerly, list) or not all(
            isinstance(c, str) and CODE.fullmatch(c) for c in formerly):
        problems.append(f"{where}.formerly: a list of organisation codes is needed")
        formerly = []
    return Organisation(code, str(kind), str(name), tuple(formerly))


def _formerly_problems(by_code: Mapping[str, Organisation], source: str) -> list[str]:
    """A former code is merged into exactly one organisation and no longer exists itself."""
    problems: list[str] = []
    taken: dict[str, str] = {}
    for org in by_code.values():
        for old in org.formerly:
            if old in taken:
                problems.append(f"{source}: organisations.{org.code}.formerly: {old} is "
                                f"already merged into {taken[old]}")
            elif old in by_code and old != org.code:
                problems.append(f"{source}: organisations.{org.code}.formerly: {old} still "
                                "exists in this file")
            taken[old] = org.code
    return problems
