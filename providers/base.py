"""The provider protocol: batch-first reads by kind, paged queries, and a lifecycle.

A *kind* is a capability the schema needs ("offender", "cases", "custody", ...). Configuration
binds each kind to one provider, so custody may come from NOMIS and cases from nDelius.
`fetch` takes many keys and answers aligned with them (`None` for not found), which is exactly
what a DataLoader needs; `page` answers list queries that a backend can filter itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NewType, Protocol, cast, runtime_checkable

from providers import records

Crn = NewType("Crn", str)  # nDelius case reference number, `X123456`
NomsNumber = NewType("NomsNumber", str)  # NOMIS prisoner number, `A1234BC`
BookingId = NewType("BookingId", str)  # a NOMIS booking id, digits (keys are always text)
AgencyId = NewType("AgencyId", str)  # a NOMIS agency, `MDI`
ProviderCode = NewType("ProviderCode", str)  # a probation provider, `C01`, `N02`


@dataclass(frozen=True, slots=True)
class Kind:
    """A capability the schema reads: what its keys are, what it answers per key (one record,
    a tuple of records when `many`, or nothing), and for a paged kind the criteria it takes."""

    name: str
    key: Any  # one of the key types above
    record: type
    many: bool = False
    criteria: frozenset[str] | None = None  # set: answered by `page`, not `fetch`
    note: str = ""

    @property
    def paged(self) -> bool:
        return self.criteria is not None


KINDS: Mapping[str, Kind] = {k.name: k for k in (
    Kind("offender", Crn, records.Person),
    Kind("offender_by_noms", NomsNumber, str, many=True,
         note="the CRNs of every nDelius person holding the number"),
    Kind("cases", Crn, records.Case, many=True),
    Kind("registrations", Crn, records.Registration, many=True),
    Kind("custody", NomsNumber, records.Custody, note="the latest booking"),
    Kind("sentence_dates", BookingId, records.SentenceDates),
    Kind("movements", NomsNumber, records.Movement, many=True, note="newest first"),
    Kind("establishment", AgencyId, records.Establishment),
    Kind("organisation", ProviderCode, records.Organisation),
    Kind("appointments", Crn, records.Appointment, many=True,
         note="by start; empty, not None, for a CRN with none (a store cannot tell unknown "
              "CRNs)"),
    Kind("caseload", ProviderCode, records.Case, criteria=frozenset({"provider", "team",
                                                                     "staff"})),
    Kind("offender_search", str, records.Person, criteria=frozenset({"text", "provider"})),
    Kind("prisoners", AgencyId, records.Custody, criteria=frozenset({"establishment"})),
)}

# The older views of the same table, kept for callers that read them.
FETCH_KINDS: Mapping[str, str] = {n: k.note or k.record.__name__ for n, k in KINDS.items()
                                  if not k.paged}
PAGE_KINDS: Mapping[str, frozenset[str]] = {n: k.criteria for n, k in KINDS.items()
                                            if k.criteria is not None}
ALL_KINDS = frozenset(KINDS)


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
    """A backend adapter: `fetch` for the kinds you serve, and `aclose`. A provider of paged
    kinds also implements `page` (see `PagedProvider`); a fetch-only one need not."""

    name: str
    kinds: frozenset[str]

    async def fetch(self, kind: str, keys: Sequence[str]) -> Sequence[Any | None]:
        """Records for `keys`, aligned with them; `None` where a key is unknown, and a
        `ProviderError` in the place of a record that came back unusable."""
        ...

    async def aclose(self) -> None:
        """Release connections and pools."""
        ...


@runtime_checkable
class PagedProvider(Provider, Protocol):
    """A provider that also answers paged kinds."""

    async def page(
        self, kind: str, criteria: Mapping[str, Any], offset: int, limit: int
    ) -> Page:
        """The matching records from `offset`, at most `limit`, in a stable order."""
        ...


def pager(provider: Provider) -> PagedProvider:
    """A wrapped provider's `page`, for wrappers that pass pages through: the registry binds
    a paged kind only to a provider that serves it, so a fetch-only one is never asked."""
    return cast(PagedProvider, provider)
