"""JSON values as the HMPPS APIs write them: ISO dates, and timestamps with or without a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any


def day(value: Any) -> date | None:
    """A date; a date-time (community-api's offence dates) gives its day."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("expected an ISO date")
    return datetime.fromisoformat(value).date() if len(value) > 10 else date.fromisoformat(value)


def required_day(value: Any) -> date:
    """A date the record cannot be without: a null is bad data (TypeError), not a None."""
    return date.fromisoformat(value)


def stamp(value: Any) -> datetime:
    """A timestamp; one without a zone is taken as UTC."""
    found = datetime.fromisoformat(value)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def http_date(value: str | None) -> datetime | None:
    """An HTTP `Last-Modified` value; None when absent or unreadable (it is only a hint)."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
