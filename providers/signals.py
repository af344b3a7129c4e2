"""What cannot go backwards in a record, for noticing an old backup restored into a backend.

The HMPPS record DTOs carry no last-modified time, so the regression guard reads facts that
only move forward for a live system: a person's booking id (a new custody period gets a
higher one), a release once recorded on a booking, the date of the latest movement, the
validators a service sends (`Last-Modified`, `ETag`), and sentence dates, which are
recalculated but do not return to a calculation they replaced.

A *mark* is the plain dict remembered per (provider, kind, key); `observe` reads one from a
record, `reasons` says how a new mark goes back behind a remembered one, `merged` keeps the
newest of both. Marks hold no personal data: numbers, dates and hashes only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from providers.records import Custody, Movement, SentenceDates

Mark = dict[str, Any]
KEPT_VERSIONS = 8  # superseded versions remembered per record


def observe(kind: str, record: Any) -> Mark | None:
    """The forward-only facts of one answer for one key; None when it has none."""
    if record is None or isinstance(record, Exception):
        return None
    items = record if isinstance(record, tuple) else (record,)
    mark: Mark = {}
    stamps = [s.isoformat() for r in items if (s := getattr(r, "updated_at", None))]
    if stamps:
        mark["stamp"] = max(stamps)
    if etags := sorted({e for r in items if (e := getattr(r, "etag", None))}):
        mark["version"] = ",".join(etags)
    if isinstance(record, Custody):
        mark["booking"] = record.booking_id
        mark["released"] = [] if record.active else [record.booking_id]
        mark["active"] = [record.booking_id] if record.active else []
    if isinstance(record, SentenceDates):
        mark["version"] = _fingerprint(record)
    if items and all(isinstance(r, Movement) for r in items):
        mark["latest"] = max(m.movement_date for m in items).isoformat()
    return mark or None


def reasons(before: Mark, now: Mark) -> list[str]:
    """How `now` goes back behind what was already served (`before`); empty if it does not."""
    found = []
    if _behind(now, before, "stamp"):
        found.append("last-modified")
    if _behind(now, before, "booking"):
        found.append("booking")
    if set(now.get("active", ())) & set(before.get("released", ())):
        found.append("release")
    if _behind(now, before, "latest"):
        found.append("movement")
    version = now.get("version")
    if version and version != before.get("version") and version in before.get("superseded", ()):
        found.append("version")
    return found


def merged(before: Mark | None, now: Mark) -> Mark:
    """The newest of each fact; a replaced version joins the superseded ones."""
    if before is None:
        return now
    out = dict(before)
    for key in ("stamp", "booking", "latest"):
        if key in now and (key not in out or now[key] > out[key]):
            out[key] = now[key]
    out["released"] = sorted(set(out.get("released", ())) | set(now.get("released", ())))[
        -KEPT_VERSIONS:]
    out["active"] = now.get("active", [])
    if (version := now.get("version")) and version != before.get("version"):
        superseded = [v for v in before.get("superseded", ()) if v != version]
        if before.get("version"):
            superseded.append(before["version"])
        out |= {"version": version, "superseded": superseded[-KEPT_VERSIONS:]}
    return out


def _behind(now: Mark, before: Mark, key: str) -> bool:
    return key in now and key in before and now[key] < before[key]


_FINGERPRINTED = tuple(f.name for f in fields(SentenceDates) if f.name != "updated_at")


def _fingerprint(dates: SentenceDates) -> str:
    values: Sequence[Any] = [getattr(dates, f) for f in _FINGERPRINTED]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]
