"""Start-up check: every schema field has a decision for every organisation type.

The gateway refuses to start on an uncovered field (it would be silently denied), on a name
a policy file invents, and on a denied non-null field (nulling it would break the response).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from policies import loader
from policies.kinds import KINDS, unjudged
from policies.model import PolicySet
from policies.overlay import overlaid


def uncovered(policies: PolicySet, schema_fields: Mapping[str, Iterable[str]]) -> list[str]:
    """Fields some organisation type's policy does not mention: denied, and fatal at start."""
    missing: list[str] = []
    for org_type, by_type in policies.rules.items():
        for type_name, fields in schema_fields.items():
            rule = by_type.get(type_name)
            missing.extend(f"{org_type}: {type_name}.{name} is not covered by any rule"
                           for name in fields if rule is None or not rule.mentions(name))
    return sorted(missing)


def denied_non_null(policies: PolicySet, non_null: Mapping[str, Iterable[str]]) -> list[str]:
    problems: list[str] = []
    for org_type, by_type in policies.rules.items():
        for type_name, fields in non_null.items():
            rule = by_type.get(type_name)
            if rule is None or rule.rows == ():
                continue
            problems.extend(
                f"{org_type}: {type_name}.{name} is non-null, so it cannot be denied or scoped"
                for name in fields if name not in rule.fields and rule.mentions(name))
    return sorted(problems)


def unknown_kind_types(schema_fields: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(f"policies/kinds.py: kind {kind!r} is judged as {spec.type_name}, "
                  "which the schema does not have" for kind, spec in KINDS.items()
                  if spec.type_name is not None and spec.type_name not in schema_fields)


def checked(directory: Path | None, schema_fields: Mapping[str, Iterable[str]],
            non_null: Mapping[str, Iterable[str]], kinds: Iterable[str] = (),
            overlays: Sequence[Path] = ()) -> PolicySet:
    """Load the policies (with federated subgraphs' `overlays`) and raise `PolicyError`
    listing every problem, or return them: uncovered fields, denied non-null fields, and
    provider kinds no row rule judges."""
    policies = overlaid(loader.load(directory or loader.SHIPPED, schema_fields), overlays,
                        schema_fields)
    problems = uncovered(policies, schema_fields) + denied_non_null(policies, non_null) + \
        unjudged(kinds) + unknown_kind_types(schema_fields)
    if problems:
        raise loader.PolicyError(problems)
    return policies
