"""Lists (caseloads, searches, a prison's roll) over the rows a principal may see, and only those.

Counts, `hasNextPage` and cursors are computed over the visible rows, so a list says nothing
about rows outside the caller's reach. Two ways to get there:
- the row filter pushed down to the provider (a CRC's caseload asks for that CRC's cases),
  when the provider's page then holds exactly the visible rows: no criteria beyond the row
  filter, and a type whose Limited Access rows stay in the list as stubs;
- otherwise a scan of every matching row, judged here, then paged. A scan is bounded: past
  `SCAN_LIMIT` matching rows the caller is asked to narrow the list. A prison's search is
  matched here over the people on its own roll, so neither its work nor its refusals depend
  on how many people match elsewhere.
A row visible only as a stub matches criteria beyond the row filter only by its CRN: a
search by name cannot confirm a Limited Access person's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policies.kinds import KINDS
from providers.records import Person
from resolvers.errors import BadUserInput
from resolvers.pagination import Window
from resolvers.reach import CaseStub, Reach, Stub

SCAN_LIMIT = 10_000  # matching rows a list may scan, across every organisation
SCAN_CHUNK = 500
STUB_KEEPING_TYPES = frozenset({"Case"})  # Limited Access rows of these stay, as stubs

StubMatch = Callable[[Stub | CaseStub], bool]


def never(_stub: Stub | CaseStub) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Rows:
    """A page of visible rows: the rows, how many the whole list has, where the page starts."""

    items: Sequence[Any]
    total: int
    offset: int


async def judged_page(reach: Reach, kind: str, criteria: Mapping[str, Any], window: Window,
                      *, stub_matches: StubMatch = never,
                      order: Callable[[Any], Any] | None = None) -> Rows:
    """One page of the rows of `kind` matching `criteria` that the principal may see.

    `stub_matches` says whether a stub matches the criteria beyond the row filter (by its
    CRN); `order` re-orders a scan by visible data when the provider's order could depend
    on data the caller may not see (a search engine's relevance)."""
    type_name = KINDS[kind].type_name
    assert type_name is not None
    rows = reach.rows(type_name)
    if rows.clauses == ():
        return Rows((), 0, 0)
    pushed = rows.pushdown(type_name)
    if pushed is not None and any(criteria.get(k, v) != v for k, v in pushed.items()):
        return Rows((), 0, 0)
    beyond = {k for k in criteria if pushed is None or k not in pushed}
    wanted = {**criteria, **(pushed or {})}
    if pushed is not None and not beyond and type_name in STUB_KEEPING_TYPES:
        return await _pushed_down(reach, kind, type_name, wanted, window)
    candidates = await _on_the_roll(reach, kind, wanted)
    if candidates is None:
        candidates = await _scan(reach, kind, wanted)
    found = await _judge(reach, type_name, candidates)
    kept = [r for r in found if r is not None
            and (not isinstance(r, Stub | CaseStub) or not beyond or stub_matches(r))]
    if order is not None:
        kept.sort(key=order)
    offset = max(0, len(kept) - window.limit) if window.offset is None else window.offset
    return _handed(reach, kind, kept[offset:offset + window.limit], len(kept), offset)


async def _pushed_down(reach: Reach, kind: str, type_name: str, criteria: Mapping[str, Any],
                       window: Window) -> Rows:
    """The provider's page is exactly the visible rows; the last rows need the total first."""
    offset = window.offset
    if offset is None:
        offset = max(0, (await reach.loaders.page(kind, dict(criteria), 0, 1)).total
                     - window.limit)
    page = await reach.loaders.page(kind, dict(criteria), offset, max(1, window.limit))
    items = [r for r in await _judge(reach, type_name, page.items[:window.limit])
             if r is not None]
    if page.provenance is not None:  # the whole page is the caller's: say how old it is
        reach.received.page_provenance.setdefault(kind, []).append(page.provenance)
    return _handed(reach, kind, items, page.total, offset)


def _handed(reach: Reach, kind: str, items: list[Any], total: int, offset: int) -> Rows:
    reach.received.pages[kind] = reach.received.pages.get(kind, 0) + len(items)
    return Rows([reach.hand_row(r) for r in items], total, offset)


async def _on_the_roll(reach: Reach, kind: str, criteria: Mapping[str, Any]
                       ) -> list[Person] | None:
    """A search by a prison (people held there): the people on its roll whose name, CRN or
    NOMS number has every word, matched here. Searching everyone and keeping those held
    there would make the work, its time and its refusals depend on how many people match
    across the country. None when the principal's people are not a prison's roll."""
    rows = reach.rows("Offender")
    if kind != "offender_search" or rows.clauses is None or len(rows.clauses) != 1:
        return None
    [clause] = rows.clauses
    if len(clause) != 1 or clause[0][0] != "heldAt":
        return None
    roll = await _scan(reach, "prisoners", {"establishment": clause[0][2]})
    held = await reach.loaders.load_many("offender_by_noms", [c.noms_number for c in roll])
    crns = sorted({crn for found in held if isinstance(found, tuple | list) for crn in found})
    terms = str(criteria.get("text", "")).lower().split()
    return [p for p in await reach.loaders.load_many("offender", crns)
            if isinstance(p, Person) and all(t in _searchable(p) for t in terms)]


def _searchable(person: Person) -> str:
    return " ".join((person.forename or "", person.surname or "", person.crn,
                     person.noms_number or "")).lower()


async def _scan(reach: Reach, kind: str, criteria: Mapping[str, Any]) -> list[Any]:
    """Every matching row, a chunk at a time; refused past SCAN_LIMIT."""
    rows: list[Any] = []
    while True:
        page = await reach.loaders.page(kind, dict(criteria), len(rows), SCAN_CHUNK)
        if page.total > SCAN_LIMIT:
            raise BadUserInput(f"over {SCAN_LIMIT} records match; narrow the list "
                               "(a longer search, a team or an officer)")
        rows.extend(page.items)
        if not page.items or len(rows) >= page.total:
            return rows


async def _judge(reach: Reach, type_name: str, items: Sequence[Any]) -> list[Any]:
    if type_name == "Case":
        return await reach.cases_judged(items, hand=False)
    if type_name == "Offender":
        return await reach.people_judged(items, hand=False)
    if type_name == "Custody":
        return await reach.custody_judged(items, [c.noms_number for c in items], hand=False)
    raise LookupError(f"no list judgement for {type_name}")
