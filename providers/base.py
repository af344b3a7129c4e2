"""The provider protocol: batch-first reads by kind, paged queries, and a lifecycle.

A *kind* is a capability the schema needs ("offender", "cases", "custody", ...). Configuration
binds each kind to one provider, so custody may come from NOMIS and cases from nDelius.
`fetch` takes many keys and answers aligned with them (`None` for not found), which is exactly
what a DataLoader needs; `page` answers list queries that a backend can filter itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# Kinds answered by `fetch` (key -> record, or key -> tuple of records for one-to-many kinds).
FETCH_KINDS: Mapping[str, str] = {
    "offender": "CRN -> Person",
    "offender_by_noms": "NOMS number -> tuple of CRNs of every Delius person holding it",
    "cases": "CRN -> tuple of Case (events)",
    "registrations": "CRN -> tuple of Registration",
    "custody": "NOMS number -> Custody (the latest booking)",
    "sentence_dates": "booking id -> SentenceDates",
    "movements": "NOMS number -> tuple of Movement, newest first",
    "establishment": "agency id -> Establishment",
    "organisation": "provider code -> Organisation",
    "appointments": "CRN -> tuple of Appointment kept by providers' own systems, by start "
                    "(empty, not None, for a CRN with none: a store cannot tell unknown CRNs)",
}

# Kinds answered by `page`, with the criteria each accepts.
PAGE_KINDS: Mapping[str, frozenset[str]] = {
    "caseload": frozenset({"provider", "team", "staff"}),
    "offender_search": frozenset({"text", "provider"}),
    "prisoners": frozenset({"establishment"}),
}

ALL_KINDS = frozenset(FETCH_KINDS) | frozenset(PAGE_KINDS)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list query: the items, how many match in all, and records of other kinds
    the backend returned along the way (`{"offender": {crn: Person}}`), which the gateway
    primes into its loaders instead of fetching them again."""

    items: Sequence[Any]
    total: int
    related: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Set by the cache layer: where this page came from and how old it is.
    provenance: Any = None


@runtime_checkable
class Provider(Protocol):
    """A backend adapter. Implement `fetch` and `page` for the kinds you serve, and `aclose`."""

    name: str
    kinds: frozenset[str]

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        """Records for `keys`, aligned with them; `None` where a key is unknown."""
        ...

    async def page(
        self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
    ) -> Page:
        """The matching records from `offset`, at most `limit`, in a stable order."""
        ...

    async def aclose(self) -> None:
        """Release connections and pools."""
        ...
