"""Policy decisions for what federated subgraphs add, kept beside each subgraph's settings.

A subgraph's policy directory has the shape of a policy directory (`common.toml` and one file
per organisation type, each optional) and adds to the main policies: a new type's rule, or
field decisions on one of casegraph's types (`[types.Offender] fields = ["caseNotes"]`). It
cannot change what the main policies decide: a field decided twice, or rows of a type the
main policies already judge, stop start-up, named. Coverage is then checked on the whole, so a
subgraph's field no file decides stops start-up like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from policies import loader
from policies.model import PolicySet, TypeRule


def overlaid(policies: PolicySet, directories: Sequence[Path],
             schema_fields: Mapping[str, Iterable[str]]) -> PolicySet:
    """`policies` with each directory's decisions added; PolicyError lists every problem."""
    if not directories:
        return policies
    problems: list[str] = []
    rules = {org: dict(by_type) for org, by_type in policies.rules.items()}
    for directory in directories:
        if not directory.is_dir():
            problems.append(f"{directory}: no such policy directory")
            continue
        common = _optional(directory / f"{loader.COMMON}.toml", problems)
        for org_type, by_type in rules.items():
            own = _optional(directory / f"{org_type.lower()}.toml", problems)
            for source in (common, own):
                for type_name, rule in source.items():
                    by_type[type_name] = _added(by_type.get(type_name), rule, type_name,
                                                problems)
    problems.extend(loader.unknown_names(rules, schema_fields))
    if problems:
        raise loader.PolicyError(problems)
    return PolicySet(rules)


def _optional(path: Path, problems: list[str]) -> dict[str, TypeRule]:
    """The file's rules, each naming its directory too (`casenotes-policies/crc.toml`)."""
    found = loader.read(path, problems) if path.exists() else {}
    return {t: replace(r, source=f"{path.parent.name}/{r.source}") for t, r in found.items()}


def _added(base: TypeRule | None, extra: TypeRule, type_name: str,
           problems: list[str]) -> TypeRule:
    if base is None:
        return extra
    where = f"{extra.source}: types.{type_name}"
    if extra.rows is not None:
        problems.append(f"{where}.rows: {type_name}'s rows are decided by {base.source}")
    named = extra.fields | set(extra.scoped) | extra.deny
    problems.extend(f"{where}: {name!r} is already decided by {base.source}"
                    for name in sorted(named) if base.mentions(name))
    return replace(base, source=f"{base.source} + {extra.source}",
                   fields=base.fields | extra.fields, scoped={**base.scoped, **extra.scoped},
                   deny=base.deny | extra.deny)
