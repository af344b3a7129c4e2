"""Both numbers of the person an event names: a NOMIS event carries the prisoner number, an
nDelius one the CRN, and what a cache holds (or an answer showed) may be keyed by either."""

from __future__ import annotations

from typing import Any

from providers.errors import ProviderError


async def person_numbers(registry: Any, crn: str | None, noms: str | None
                         ) -> tuple[list[str], str | None]:
    """(CRNs, NOMS number) of the person: the ones the event gave and the ones the providers
    hold for them. Raises `ProviderError` when a provider cannot say."""
    crns = [crn] if crn else []
    if noms and not crns:
        [held] = await registry.fetch("offender_by_noms", [noms])
        _raise(held)
        crns = sorted(held or ())
    elif crn and not noms:
        [person] = await registry.fetch("offender", [crn])
        _raise(person)
        noms = getattr(person, "noms_number", None) or None
    return crns, noms


def _raise(found: Any) -> None:
    if isinstance(found, ProviderError):
        raise found
