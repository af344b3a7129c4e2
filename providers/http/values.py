"""JSON values as the HMPPS APIs write them: ISO dates, and timestamps with or without a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def required_day(value: Any) -> date:
    """A date the record cannot be without: a null is bad data (TypeError), not a None."""
    return date.fromisoformat(value)


def stamp(value: Any) -> datetime:
    """A timestamp; one without a zone is taken as UTC."""
    found = datetime.fromisoformat(value)
    return found if found.tzinfo else found.replace(tzinfo=UTC)
