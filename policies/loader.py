"""Reads policy files (TOML) and rejects anything it does not understand, naming it."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from policies import organisations
from policies.attributes import ROW_ATTRIBUTES
from policies.model import ALL_ROWS, Clause, PolicySet, TypeRule
from policies.organisations import Organisations, OrganisationsError
from policies.principal import PRINCIPAL_REFERENCES

SHIPPED = Path(__file__).parent / "shipped"
COMMON = "common"
_RULE_KEYS = frozenset({"rows", "rows_scope", "fields", "scoped", "deny"})


class PolicyError(Exception):
    """Policy files that cannot be enforced as written; lists every problem found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = sorted(problems)
        super().__init__("policy problems:\n  " + "\n  ".join(self.problems))


def load(directory: Path = SHIPPED, schema_fields: Mapping[str, Iterable[str]] | None = None,
         orgs: Organisations | None = None) -> PolicySet:
    """Load `common.toml` plus one file per organisation type (the types of `orgs`, by
    default the directory's own organisations file or the shipped one); validate against
    the schema."""
    problems: list[str] = []
    try:
        org_types = (orgs or organisations.for_policies(directory)).types
    except OrganisationsError as exc:
        raise PolicyError(exc.problems) from exc
    common = read(directory / f"{COMMON}.toml", problems)
    rules: dict[str, dict[str, TypeRule]] = {}
    for org_type in org_types:
        path = directory / f"{org_type.lower()}.toml"
        if not path.exists():
            problems.append(f"{path}: missing (every organisation type needs a policy file)")
            continue
        rules[org_type] = {**common, **read(path, problems)}
    if schema_fields is not None:
        problems.extend(unknown_names(rules, schema_fields))
    if problems:
        raise PolicyError(problems)
    return PolicySet(rules)


def read(path: Path, problems: list[str]) -> dict[str, TypeRule]:
    """One policy file's rules by type; what is wrong with it goes to `problems`."""
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path}: {exc}")
        return {}
    extra = set(raw) - {"types"}
    if extra:
        problems.append(f"{path}: unknown top-level keys {sorted(extra)}")
    return {name: _rule(path.name, name, body, problems)
            for name, body in raw.get("types", {}).items()}


def _rule(source: str, type_name: str, body: dict[str, Any], problems: list[str]) -> TypeRule:
    where = f"{source}: types.{type_name}"
    for key in set(body) - _RULE_KEYS:
        problems.append(f"{where}.{key}: unknown key; choose from {sorted(_RULE_KEYS)}")
    rows = body.get("rows")
    if rows is not None and rows != ALL_ROWS:
        rows = tuple(_clause(where, type_name, c, problems) for c in rows)
    scope = body.get("rows_scope")
    if scope is not None and (not isinstance(scope, str) or not scope):
        problems.append(f"{where}.rows_scope: a scope name, e.g. 'custody:read'")
        scope = None
    return TypeRule(source, rows, frozenset(body.get("fields", ())),
                    dict(body.get("scoped", {})), frozenset(body.get("deny", ())), scope)


def _clause(where: str, type_name: str, clause: dict[str, Any], problems: list[str]) -> Clause:
    known = ROW_ATTRIBUTES.get(type_name)
    if known is None:
        problems.append(f"{where}.rows: {type_name} has no row filter; "
                        f"only {sorted(ROW_ATTRIBUTES)}")
        return Clause(())
    for attribute, value in clause.items():
        if attribute not in known:
            problems.append(f"{where}.rows: unknown attribute {attribute!r}; choose from "
                            f"{sorted(known)}")
        if isinstance(value, str) and value.startswith("$") and value not in PRINCIPAL_REFERENCES:
            problems.append(f"{where}.rows: unknown reference {value!r}; choose from "
                            f"{sorted(PRINCIPAL_REFERENCES)}")
    return Clause(tuple(clause.items()))


def unknown_names(rules: Mapping[str, Mapping[str, TypeRule]],
                  schema_fields: Mapping[str, Iterable[str]]) -> list[str]:
    """Types and fields that a policy names but the schema does not have."""
    problems = []
    for rules_by_type in rules.values():
        for type_name, rule in rules_by_type.items():
            where = f"{rule.source}: types.{type_name}"
            if type_name not in schema_fields:
                problems.append(f"{where}: no such type in the schema")
                continue
            fields = set(schema_fields[type_name])
            named = rule.fields | set(rule.scoped) | rule.deny
            problems.extend(f"{where}: no field {name!r}" for name in sorted(named - fields))
            if type_name in ROW_ATTRIBUTES and rule.rows is None:
                problems.append(f"{where}: needs `rows` (which records are visible)")
    return sorted(set(problems))
