"""Look-ahead joins: a list resolver reads its selection set and loads the joined records for
every row in one batch per kind before the rows resolve, so row fields find them in hand
(`Loaders.peek`) instead of awaiting a loader per row. Visibility is still judged per row,
by the same functions, when the row's field resolves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from providers.errors import ProviderError
from providers.records import Person
from resolvers.context import Context


def selected(fields: Iterable[Any], *path: str) -> bool:
    """Does the selection contain `path` (field names, fragments expanded)?"""
    if not path:
        return True
    for node in fields:
        name = getattr(node, "name", None)
        if name == path[0] and selected(node.selections, *path[1:]):
            return True
        is_fragment = name is None or not hasattr(node, "arguments")
        if is_fragment and selected(getattr(node, "selections", ()), *path):
            return True
    return False


async def prefetch_custody(ctx: Context, fields: Iterable[Any], people: Sequence[Person | None],
                           *prefix: str) -> None:
    """Load custody, then sentence dates and establishments, for every person at once."""
    fields = list(fields)
    if not selected(fields, *prefix, "custody") or not ctx.may("Offender", "custody"):
        return
    nomses = sorted({p.noms_number for p in people if p and p.noms_number and not ctx.limited(p)})
    try:
        custody = [c for c in await ctx.loaders.load_many("custody", nomses) if c]
        jobs = []
        if selected(fields, *prefix, "custody", "sentenceDates") and \
                ctx.may("Custody", "sentenceDates"):
            jobs.append(ctx.loaders.load_many("sentence_dates",
                                              [str(c.booking_id) for c in custody]))
        if selected(fields, *prefix, "custody", "establishment") and \
                ctx.may("Custody", "establishment"):
            jobs.append(ctx.loaders.load_many("establishment",
                                              sorted({c.agency_id for c in custody})))
        await asyncio.gather(*jobs)
    except ProviderError:
        return  # each row's field will meet the same failure and report it at its path


class EarlyCustody:
    """The custody prefetch, started as soon as a provider announces the page's people
    (`providers.related`) rather than after the page is complete: for an nDelius caseload,
    NOMIS then answers while nDelius reads the convictions. Use it as the listener. An
    announcement of more people than the page holds (a row filter the provider could not
    take, so a scan) is not prefetched: the page's own rows are, once known."""

    def __init__(self, ctx: Context, fields: Iterable[Any], *prefix: str, most: int) -> None:
        self.ctx, self.fields, self.prefix, self.most = ctx, list(fields), prefix, most
        self.task: asyncio.Task[None] | None = None

    def __call__(self, kind: str, records: Mapping[str, Any]) -> None:
        if kind == "offender" and self.task is None and len(records) <= self.most:
            self.task = asyncio.ensure_future(
                prefetch_custody(self.ctx, self.fields, list(records.values()), *self.prefix))

    async def finish(self, people: Sequence[Person | None]) -> None:
        """Wait for the early prefetch, or run it now over `people` if none started."""
        if self.task is None:
            await prefetch_custody(self.ctx, self.fields, people, *self.prefix)
        else:
            await self.task

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
