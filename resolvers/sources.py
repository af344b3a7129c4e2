"""`extensions.sources` and `extensions.warnings`: where the caller's records came from.

Built from what the row judge handed out (`Reach.received`), never from what was fetched:
a batch call also fetches rows the caller is refused, and a lookup of someone else's NOMS
number loads kinds a lookup of an unknown one does not. So counts, cache use, ages and
regression warnings describe only records the caller received, and the same query gets the
same answer shape whether a refused record exists or not. Call counts and timings per call
go to traces and metrics, which operators read, not to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from providers.freshness import Freshness, Provenance
from resolvers.loaders import SourceLog
from resolvers.reach import Received


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def report(received: Received, freshness: Freshness, log: SourceLog,
           provider_of: Callable[[str], str], failed: Iterable[str],
           now: float | None = None) -> list[dict[str, Any]]:
    """Per provider the caller received records from (or whose failure they were told of):
    the kinds and how many records of each, cache use, the oldest record's age, status."""
    now = time.time() if now is None else now
    entries: dict[str, dict[str, Any]] = {}
    seen: dict[str, list[Provenance]] = {}
    received_kinds = [(kind, len(keys), [p for key in keys
                                         if (p := freshness.of(kind, key)) is not None])
                      for kind, keys in sorted(received.keys.items())]
    received_kinds += [(kind, count, received.page_provenance.get(kind, []))
                       for kind, count in sorted(received.pages.items())]
    for kind, count, known in received_kinds:
        provider = provider_of(kind)
        entry = entries.setdefault(provider, {"provider": provider, "kinds": {}})
        entry["kinds"][kind] = {"records": count, **_cache_use(known)}
        seen.setdefault(provider, []).extend(known)
    for provider in failed:
        entries.setdefault(provider, {"provider": provider, "kinds": {}})
    failures = set(failed)
    for provider, found in entries.items():
        known = seen.get(provider, [])
        oldest = min((p.fetched_at for p in known), default=None)
        fetched = oldest if oldest is not None else log.fetched_at.get(provider, now)
        found["fetchedAt"] = _iso(fetched)
        found["status"] = "failed" if provider in failures else "ok"
        if known:
            found |= {**_cache_use(known), "maxAgeSeconds": round(max(0.0, now - fetched), 3)}
    return [entries[p] for p in sorted(entries)]


def _cache_use(known: list[Provenance]) -> dict[str, int]:
    """How many of these records came from the cache or the backend, and how many stale."""
    if not known:
        return {}
    return {"fromCache": sum(p.from_cache for p in known),
            "fromBackend": sum(not p.from_cache for p in known),
            "stale": sum(p.stale for p in known)}


def warnings(received: Received, freshness: Freshness) -> list[dict[str, Any]]:
    """Warnings about records the caller received, plus those about their own answer, in
    an order of their own (resolvers finish in whatever order the backends answer)."""
    found = sorted(freshness.warnings, key=lambda w: (w["code"], w.get("path", []),
                                                     w["message"]))
    regressed = {pk for pk, keys in freshness.regressed.items()
                 if keys & received.keys.get(pk[1], set())}
    for provider, kind in sorted(regressed | set(received.withheld)):
        withheld = (provider, kind) in received.withheld
        found.append({"code": "DATA_REGRESSION", "message": f"{provider} answered {kind} data "
                      "older than it answered before (a restored backup?)"
                      + ("; withheld" if withheld else ""),
                      "provider": provider, "kind": kind, "withheld": withheld})
    return found
