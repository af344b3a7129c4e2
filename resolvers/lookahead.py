"""Look-ahead joins: a list resolver reads its selection set and loads the joined records for
every row in one batch per kind before the rows resolve, so row fields find them in hand
(`Loaders.peek`) instead of awaiting a loader per row. This only warms the loaders: nothing
loaded here reaches a resolver except through the row judge, when the row's field resolves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from providers.errors import ProviderError
from providers.records import Custody, Person
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
    loaders, limited = ctx.reach.loaders, ctx.reach.limited
    nomses = sorted({p.noms_number for p in people
                     if isinstance(p, Person) and p.noms_number and not limited.limits(p)})
    try:
        custody = [c for c in await loaders.load_many("custody", nomses)
                   if isinstance(c, Custody)]
        jobs = []
        if selected(fields, *prefix, "custody", "sentenceDates") and \
                ctx.may("Custody", "sentenceDates"):
            jobs.append(loaders.load_many("sentence_dates", [str(c.booking_id) for c in custody]))
        if selected(fields, *prefix, "custody", "establishment") and \
                ctx.may("Custody", "establishment"):
            jobs.append(loaders.load_many("establishment", sorted({c.agency_id for c in custody})))
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
        self.started = False

    @classmethod
    def for_caseload(cls, ctx: Context, fields: Iterable[Any], most: int) -> EarlyCustody | None:
        """A listener for a caseload page, or None when its rows will read no offender."""
        if not ctx.may("Case", "offender"):
            return None
        return cls(ctx, fields, "caseload", "edges", "node", "offender", most=most)

    def __call__(self, kind: str, records: Mapping[str, Any]) -> None:
        if kind == "offender" and not self.started and len(records) <= self.most:
            self.started = True
            self.task = asyncio.ensure_future(
                prefetch_custody(self.ctx, self.fields, list(records.values()), *self.prefix))

    async def finish(self, crns: Sequence[str]) -> None:
        """Wait for the early prefetch, or run it now over the page's people if none started."""
        if self.task is not None:
            try:
                await self.task
            finally:
                self._drop_task()
            return
        if crns and selected(self.fields, *self.prefix, "custody"):
            loaders = self.ctx.reach.loaders
            try:
                people = await loaders.load_many("offender", list(crns))
            except ProviderError:
                return
            await prefetch_custody(self.ctx, self.fields, people, *self.prefix)

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self._drop_task()

    def _drop_task(self) -> None:
        """The task runs in a copy of the context that holds this listener: kept, the two
        would make a cycle, and the request's records would wait for the garbage collector."""
        self.task, self.started = None, True
