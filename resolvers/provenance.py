"""Where a record came from and how old it is, queryable on the joined types."""

from __future__ import annotations

import datetime
import time

import strawberry

from resolvers.context import Context


@strawberry.type(description="Where this record came from, and how old it is.")
class Provenance:
    provider: str | None = strawberry.field(description="The provider that answered.")
    fetched_at: datetime.datetime | None = strawberry.field(
        description="When the gateway fetched it from that provider.")
    age_seconds: float | None = strawberry.field(description="Seconds since it was fetched.")
    from_cache: bool | None = strawberry.field(description="Served from the gateway's cache.")
    stale: bool | None = strawberry.field(
        description="Past its freshness limit, served because the backend is failing.")
    last_modified: datetime.datetime | None = strawberry.field(
        description="The backend's own last-modified time for the record, where it has one.")


def provenance_of(ctx: Context, kind: str, key: str,
                  last_modified: datetime.datetime | None) -> Provenance:
    """From the cache layer's record when there is one, else from this request's fetch."""
    provider = ctx.reach.loaders.provider_name(kind)
    known = ctx.freshness.of(kind, key)
    fetched = known.fetched_at if known else ctx.sources.fetched_at.get(provider, time.time())
    return Provenance(
        provider=provider, fetched_at=datetime.datetime.fromtimestamp(fetched, datetime.UTC),
        age_seconds=round(max(0.0, time.time() - fetched), 3),
        from_cache=known.from_cache if known else False, stale=known.stale if known else False,
        last_modified=last_modified)
