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
    if isinstance(record, tuple):
        return _observe_all(record)
    mark: Mark = {}
    if stamp := getattr(record, "updated_at", None):
        mark["stamp"] = stamp.isoformat()
    if etag := getattr(record, "etag", None):
        mark["version"] = etag
    if isinstance(record, Custody):
        mark["booking"] = record.booking_id
        mark["released"] = [] if record.active else [record.booking_id]
        mark["active"] = [record.booking_id] if record.active else []
        if record.last_movement_date is not None:
            mark["moved"] = record.last_movement_date.isoformat()
            mark["move"] = record.last_movement_type
    elif isinstance(record, SentenceDates):
        mark["version"] = _fingerprint(record)
    elif isinstance(record, Movement):
        mark["latest"] = record.movement_date.isoformat()
    return mark or None


def _observe_all(items: tuple[Any, ...]) -> Mark | None:
    """A list answer's facts (one person's events or movements): the latest stamp, all the
    versions, the latest movement."""
    stamp, etags, movements = "", set(), True
    for r in items:
        if (at := getattr(r, "updated_at", None)) and (text := at.isoformat()) > stamp:
            stamp = text
        if etag := getattr(r, "etag", None):
            etags.add(etag)
        movements = movements and isinstance(r, Movement)
    mark: Mark = {}
    if stamp:
        mark["stamp"] = stamp
    if etags:
        mark["version"] = ",".join(sorted(etags))
    if items and movements:
        mark["latest"] = max(m.movement_date for m in items).isoformat()
    return mark or None


def reasons(before: Mark, now: Mark) -> list[str]:
    """How `now` goes back behind what was already served (`before`); empty if it does not."""
    found = []
    if _behind(now, before, "stamp"):
        found.append("last-modified")
    if _behind(now, before, "booking"):
        found.append("booking")
    if (active := now.get("active")) and not set(active).isdisjoint(
            before.get("released", ())) and not _admitted_since(before, now):
        found.append("release")  # back in on a released booking, with no admission since
    if _behind(now, before, "latest") or _behind(now, before, "moved"):
        found.append("movement")
    version = now.get("version")
    if version and version != before.get("version") and version in before.get("superseded", ()):
        found.append("version")
    return found


def merged(before: Mark | None, now: Mark) -> Mark:
    """The newest of each fact; a replaced version joins the superseded ones."""
    if before is None:
        return now
    if _adds_nothing(before, now):
        return before  # most answers: what the rest would make of it
    out = dict(before)
    for key in ("stamp", "booking", "latest"):
        if key in now and (key not in out or now[key] > out[key]):
            out[key] = now[key]
    if "moved" in now and now["moved"] >= out.get("moved", ""):
        out |= {"moved": now["moved"], "move": now.get("move")}
    # A booking active again (a recall: `reasons` let it through) is no longer released.
    out["released"] = sorted((set(out.get("released", ())) | set(now.get("released", ())))
                             - set(now.get("active", ())))[-KEPT_VERSIONS:]
    out["active"] = now.get("active", [])
    if (version := now.get("version")) and version != before.get("version"):
        superseded = [v for v in before.get("superseded", ()) if v != version]
        if before.get("version"):
            superseded.append(before["version"])
        out |= {"version": version, "superseded": superseded[-KEPT_VERSIONS:]}
    return out


def _behind(now: Mark, before: Mark, key: str) -> bool:
    return key in now and key in before and now[key] < before[key]


def _admitted_since(before: Mark, now: Mark) -> bool:
    """Whether the prisoner moved after the latest movement already served (a later day, or
    an admission on the day of the release): a recall on the released booking."""
    if "moved" not in now:
        return False  # no movement to go by: a release undone is flagged
    if "moved" not in before:
        return True  # a mark remembered before movements were: the first sight decides
    return now["moved"] > before["moved"] or (
        now["moved"] == before["moved"] and before.get("move") == "REL"
        and now.get("move") == "ADM")


def _adds_nothing(before: Mark, now: Mark) -> bool:
    """Whether merging `now` into `before` would give `before` back unchanged."""
    for key, value in now.items():
        if key == "released":  # known releases, and none of them active again
            if not set(value) <= set(before.get(key, ())) or not set(
                    now.get("active", ())).isdisjoint(before.get(key, ())):
                return False
        elif before.get(key) != value:
            return False
    return "active" in now or "active" not in before


_FINGERPRINTED = tuple(f.name for f in fields(SentenceDates) if f.name != "updated_at")


def _fingerprint(dates: SentenceDates) -> str:
    """The calculation's values, hashed. Marks are shared (Redis) and kept for 90 days, so
    the form stays as it is: another digest would make every gateway still running the old
    one find its own fingerprints among the superseded and flag them."""
    values: Sequence[Any] = [getattr(dates, f) for f in _FINGERPRINTED]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]
