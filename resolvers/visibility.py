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

SCAN_LIMIT = 2000  # a list whose filter cannot be pushed down is filtered over at most this many


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


async def visible_custody(ctx: Context, records: Sequence[Custody | None]
                          ) -> list[Custody | None]:
    rows = ctx.decisions.row_filter("Custody")
    extras: list[dict[str, Any]] = [{} for _ in records]
    if "managingProviders" in rows.needs:
        nomses = [c.noms_number if c else "" for c in records]
        crn_lists = await ctx.loaders.load_many("offender_by_noms", nomses)
        crns = sorted({crn for found in crn_lists if found for crn in found})
        people = dict(zip(crns, await ctx.loaders.load_many("offender", crns), strict=True))
        for extra, found in zip(extras, crn_lists, strict=True):
            extra["managingProviders"] = frozenset(
                p.managing_provider for crn in found or () if (p := people.get(crn)))
    return [c if c is not None and rows(c, x) else None
            for c, x in zip(records, extras, strict=True)]


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
