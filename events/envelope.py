"""The HMPPS domain-event envelope (hmpps-domain-events `schema/hmpps-domain-event.json`).

Events say what changed and about whom, never the whole record: a consumer re-reads the
person through its providers (the real services' `detailUrl` pattern), so a duplicate or an
event that arrives out of order costs a read, not a wrong answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

MAX_ENVELOPE_BYTES = 16 * 1024


class BadEvent(ValueError):
    """An envelope that is not one: dropped and counted, never passed on."""


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One change in a source system. `event_id` is stable across redeliveries, so a
    consumer can drop a duplicate; `source` names the system that published it."""

    event_type: str
    version: int
    occurred_at: datetime
    source: str
    crn: str | None = None
    noms: str | None = None
    detail_url: str | None = None
    description: str | None = None
    additional: dict[str, Any] = field(default_factory=dict)
    event_id: str = ""

    def to_json(self) -> bytes:
        identifiers = [{"type": kind, "value": value}
                       for kind, value in (("CRN", self.crn), ("NOMS", self.noms)) if value]
        body: dict[str, Any] = {
            "eventType": self.event_type, "version": self.version,
            "occurredAt": self.occurred_at.isoformat(),
            "personReference": {"identifiers": identifiers},
            "additionalInformation": self.additional,
        }
        if self.detail_url:
            body["detailUrl"] = self.detail_url
        if self.description:
            body["description"] = self.description
        return orjson.dumps(body)

    @classmethod
    def from_json(cls, raw: bytes, source: str) -> DomainEvent:
        """Parse one envelope, or raise `BadEvent` saying what is wrong with it."""
        if len(raw) > MAX_ENVELOPE_BYTES:
            raise BadEvent(f"envelope over {MAX_ENVELOPE_BYTES} bytes")
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadEvent("envelope is not JSON") from exc
        if not isinstance(body, dict):
            raise BadEvent("envelope is not a JSON object")
        event_type, version = body.get("eventType"), body.get("version")
        if not isinstance(event_type, str) or not event_type:
            raise BadEvent("eventType missing")
        if not isinstance(version, int) or isinstance(version, bool):
            raise BadEvent("version missing or not an integer")
        occurred = body.get("occurredAt")
        try:
            occurred_at = datetime.fromisoformat(occurred) if isinstance(occurred, str) else None
        except ValueError:
            occurred_at = None
        if occurred_at is None or occurred_at.tzinfo is None:
            raise BadEvent("occurredAt missing or without an offset")
        identifiers = _identifiers(body.get("personReference"))
        additional = body.get("additionalInformation") or {}
        if not isinstance(additional, dict):
            raise BadEvent("additionalInformation is not an object")
        noms = identifiers.get("NOMS") or _text(additional.get("nomsNumber"))
        return cls(event_type=event_type, version=version, occurred_at=occurred_at,
                   source=source, crn=identifiers.get("CRN"), noms=noms,
                   detail_url=_text(body.get("detailUrl")),
                   description=_text(body.get("description")), additional=additional,
                   event_id=hashlib.blake2b(raw, digest_size=12).hexdigest())


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _identifiers(reference: Any) -> dict[str, str]:
    if reference is None:
        return {}
    rows = reference.get("identifiers") if isinstance(reference, dict) else None
    if not isinstance(rows, list):
        raise BadEvent("personReference.identifiers is not a list")
    found: dict[str, str] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("type"), str) \
                and isinstance(row.get("value"), str):
            found.setdefault(row["type"].upper(), row["value"])
    return found
