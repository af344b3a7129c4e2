"""Row filters applied to records, in batch: the one place rows are judged, on every path.

A record outside the principal's reach becomes `None` (or is dropped from a list), exactly
like a record that does not exist, so no entry point can be used as an existence oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from providers.base import Page
from providers.records import Case, Custody, Person
from resolvers.context import Context
from resolvers.loaders import MISSING

SCAN_LIMIT = 2000  # a list whose filter cannot be pushed down is filtered over at most this many


def person_now(ctx: Context, person: Person | None) -> Person | None:
    """The verdict without I/O, or MISSING when the filter needs data not in hand."""
    rows = ctx.decisions.row_filter("Offender")
    if rows.needs:
        return MISSING
    return person if person is not None and rows(person) else None


def custody_now(ctx: Context, record: Custody | None, known: frozenset[str]) -> Custody | None:
    """As `visible_custody` for one record, without I/O when `known` settles it; else MISSING."""
    if record is None:
        return None
    rows = ctx.decisions.row_filter("Custody")
    if "managingProviders" not in rows.needs:
        return record if rows(record) else None
    return record if rows(record, {"managingProviders": known}) else MISSING


async def visible_people(ctx: Context, people: Sequence[Person | None]) -> list[Person | None]:
    rows = ctx.decisions.row_filter("Offender")
    extras: list[dict[str, Any]] = [{} for _ in people]
    if "heldAt" in rows.needs:
        nomses = [p.noms_number if p and p.noms_number else "" for p in people]
        custody = await ctx.loaders.load_many("custody", nomses)
        for extra, held in zip(extras, custody, strict=True):
            extra["heldAt"] = held.agency_id if held and held.active else None
    return [p if p is not None and rows(p, x) else None
            for p, x in zip(people, extras, strict=True)]


async def visible_custody(ctx: Context, records: Sequence[Custody | None],
                          known: Sequence[frozenset[str]] | None = None) -> list[Custody | None]:
    """Judge custody records. `known` gives managing providers already in hand (the offender
    we came from): filters only test membership, so a pass on part of the set is a pass."""
    rows = ctx.decisions.row_filter("Custody")
    if "managingProviders" not in rows.needs:
        return [c if c is not None and rows(c) else None for c in records]
    judged: list[Custody | None] = [
        c if c is not None and known and rows(c, {"managingProviders": k}) else None
        for c, k in zip(records, known or [frozenset()] * len(records), strict=True)]
    pending = [i for i, c in enumerate(records) if c is not None and judged[i] is None]
    if pending:
        providers = await _managing_providers(ctx, [records[i].noms_number for i in pending])
        for i, found in zip(pending, providers, strict=True):
            if rows(records[i], {"managingProviders": found}):
                judged[i] = records[i]
    return judged


async def _managing_providers(ctx: Context, nomses: list[str]) -> list[frozenset[str]]:
    """Providers managing any probation record that holds each NOMS number."""
    crn_lists = await ctx.loaders.load_many("offender_by_noms", nomses)
    crns = sorted({crn for found in crn_lists if found for crn in found})
    people = dict(zip(crns, await ctx.loaders.load_many("offender", crns), strict=True))
    return [frozenset(p.managing_provider for crn in found or () if (p := people.get(crn))
                      and p.managing_provider) for found in crn_lists]


def visible_cases(ctx: Context, cases: Sequence[Case]) -> list[Case]:
    rows = ctx.decisions.row_filter("Case")
    return [c for c in cases if rows(c)]


async def keep_visible(ctx: Context, type_name: str, records: Sequence[Any]) -> list[Any]:
    if type_name == "Case":
        return visible_cases(ctx, records)
    judged = await (visible_people(ctx, records) if type_name == "Offender"
                    else visible_custody(ctx, records))
    return [r for r in judged if r is not None]


async def filtered_page(ctx: Context, kind: str, type_name: str, criteria: dict[str, Any],
                        offset: int, limit: int) -> Page:
    """A page of visible records: the filter pushed to the provider when it can take it."""
    rows = ctx.decisions.row_filter(type_name)
    if rows.clauses == ():
        return Page((), 0)
    pushed = rows.pushdown(type_name)
    if pushed is not None:
        if any(criteria.get(k, v) != v for k, v in pushed.items()):
            return Page((), 0)
        page = await ctx.loaders.page(kind, {**criteria, **pushed}, offset, limit)
        return Page(await keep_visible(ctx, type_name, page.items), page.total)
    page = await ctx.loaders.page(kind, criteria, 0, SCAN_LIMIT)
    items = await keep_visible(ctx, type_name, page.items)
    return Page(items[offset:offset + limit], len(items))
