"""Which schema type judges each kind of record, and whose record it is.

Every record a provider returns leaves the loaders through the row judge
(`resolvers.reach`), which reads this table: a kind's records are judged by the row rule of
`type_name` (its attributes are in `policies.attributes.ROW_ATTRIBUTES`), and a record that
belongs to a person (`belongs_to`) is shown only through a parent the principal may see in
full, so Limited Access reaches custody, dates, movements, cases and appointments too.
The gateway refuses to start when a provider kind is missing here: a kind nobody judged
would be served unjudged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class JudgedKind:
    """How records of one kind are judged.

    `type_name`: the schema type whose row rule applies (None: reference data, every row).
    `parent`: the kind a record must be reached through, already judged in full.
    `index`: the kind only locates other records (their keys); it is never handed out."""

    type_name: str | None
    parent: str | None = None
    index: bool = False


KINDS: dict[str, JudgedKind] = {
    "offender": JudgedKind("Offender"),
    "offender_search": JudgedKind("Offender"),
    "offender_by_noms": JudgedKind("Offender", index=True),
    "cases": JudgedKind("Case", parent="offender"),
    "caseload": JudgedKind("Case"),
    "registrations": JudgedKind("Registration", parent="offender"),
    "appointments": JudgedKind("Appointment", parent="offender"),
    "custody": JudgedKind("Custody"),
    "prisoners": JudgedKind("Custody"),
    "sentence_dates": JudgedKind("SentenceDates", parent="custody"),
    "movements": JudgedKind("Movement", parent="custody"),
    "establishment": JudgedKind(None),
    "organisation": JudgedKind(None),
}


# Fields a federated subgraph adds to one of casegraph's entities are a kind of their own,
# `<subgraph>:<entity type>`, judged through their parent: the entity's record must have been
# handed out in full (so Limited Access and the entity's row rule hold for them too).
ENTITY_PARENTS: dict[str, str] = {"Offender": "offender", "Case": "cases", "Custody": "custody"}


def remote_kind(subgraph: str, type_name: str) -> str:
    """The kind of the fields `subgraph` adds to casegraph's `type_name`."""
    return f"{subgraph}:{type_name}"


def judged(kind: str) -> JudgedKind:
    """How records of `kind` are judged; KeyError for a kind nobody judges."""
    found = KINDS.get(kind)
    if found is not None:
        return found
    subgraph, _, type_name = kind.rpartition(":")
    if subgraph and type_name in ENTITY_PARENTS:
        return JudgedKind(None, parent=ENTITY_PARENTS[type_name])
    raise KeyError(kind)


def unjudged(kinds: Iterable[str]) -> list[str]:
    """Provider kinds this table does not say how to judge: fatal at start."""
    return sorted(f"kind {k!r} has no row judgement in policies/kinds.py"
                  for k in set(kinds) if not _known(k))


def _known(kind: str) -> bool:
    try:
        judged(kind)
    except KeyError:
        return False
    return True
