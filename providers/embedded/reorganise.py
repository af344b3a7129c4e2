"""The demo data after a reorganisation: each former area's cases moved to its successor.

In June 2021 the 21 CRCs' cases were transferred to the Probation Service's regions. nDelius
did that as a data change, and so does the demo, here: an organisations file's `formerly`
lists say which region took over which areas, and every case, allocation and appointment of
a former area is moved to its region. The gateway then needs only configuration to follow
(`[organisations] file` and this provider type), no code change.

Provider type `embedded-reorganised` (entry point group `casegraph.providers`), settings:
`organisations` (the file), and `seed` and `size` as for `embedded`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from policies import organisations as org_files
from policies.organisations import Organisations, OrganisationsError
from providers.embedded.dataset import DEFAULT_SEED, DEFAULT_SIZE, Dataset, shared
from providers.embedded.provider import EmbeddedProvider
from providers.records import Case, Manager, Organisation, Person
from providers.registry import ConfigError

Record = TypeVar("Record", Person, Case)


def reorganised(data: Dataset, orgs: Organisations) -> Dataset:
    """A new dataset in which every former area's records belong to its successor."""
    moves = orgs.successors
    sources = {f.name: getattr(data, f.name) for f in dataclasses.fields(Dataset)
               if f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING}  # indexes are rebuilt
    moved = Dataset(**{**sources,
                       "people": {crn: _moved(p, moves) for crn, p in data.people.items()},
                       "cases": {crn: tuple(_moved(c, moves) for c in found)
                                 for crn, found in data.cases.items()},
                       "organisations": _organisations(data.organisations, orgs)})
    moved._index()
    return moved


def _moved(record: Record, moves: Mapping[str, str]) -> Record:
    """A person or a case with its allocations (and a case its managing provider) moved."""
    changes: dict[str, Any] = {}
    if isinstance(record, Person):
        changes["managers"] = tuple(_manager(m, moves) for m in record.managers)
    else:
        changes["managing_provider"] = moves.get(record.managing_provider,
                                                 record.managing_provider)
        changes["manager"] = record.manager and _manager(record.manager, moves)
    return dataclasses.replace(record, **changes)


def _manager(manager: Manager, moves: Mapping[str, str]) -> Manager:
    if manager.provider_code not in moves:
        return manager
    return dataclasses.replace(manager, provider_code=moves[manager.provider_code])


def _organisations(before: Mapping[str, Organisation], orgs: Organisations
                   ) -> dict[str, Organisation]:
    """The provider records served after the change: former areas gone, regions added."""
    kept = {code: org for code, org in before.items() if code not in orgs.successors}
    return kept | {o.code: Organisation(o.code, o.name, o.type)
                   for o in orgs.by_code.values() if o.formerly}


@lru_cache(maxsize=4)
def _shared(seed: int, size: int, path: Path) -> Dataset:
    return reorganised(shared(seed, size), org_files.load(path))


def provider(name: str = "embedded", *, organisations: str, seed: int = DEFAULT_SEED,
             size: int = DEFAULT_SIZE) -> EmbeddedProvider:
    """The embedded provider over the demo data reorganised by an organisations file."""
    try:
        data = _shared(seed, size, Path(organisations).resolve())
    except OrganisationsError as exc:
        raise ConfigError(f"providers.{name}.organisations: {exc}") from exc
    return EmbeddedProvider(name, dataset=data)
