"""Which HMPPS domain events are which change (domain.md section 6); the rest are ignored."""

from __future__ import annotations

from events.envelope import DomainEvent
from resolvers.changes import ChangeKind

_PRISON = ("prisoner-offender-search.prisoner.", "prison-offender-events.prisoner.")
_MANAGER = frozenset({
    "person.community.manager.allocated", "probation-case.manager.changed",
    "probation-case.offender-manager.changed", "OFFENDER_MANAGER_CHANGED",
    "OFFENDER_OFFICER_CHANGED"})
_SENTENCE_CATEGORIES = frozenset({"SENTENCE"})


def change_kind(event: DomainEvent) -> ChangeKind | None:
    """The kind of change an event announces, or None when subscribers are not told of it."""
    name = event.event_type
    if name in _MANAGER:
        return ChangeKind.MANAGER_CHANGED
    if name == "SENTENCE_DATES-CHANGED":
        return ChangeKind.SENTENCE_DATES_CHANGED
    prefix = next((p for p in _PRISON if name.startswith(p)), None)
    if prefix is None:
        return None
    action = name[len(prefix):]
    reason = event.additional.get("reason")
    if action in ("received", "released"):
        if reason == "TRANSFERRED":
            return ChangeKind.TRANSFERRED
        return ChangeKind.RECEIVED if action == "received" else ChangeKind.RELEASED
    if action == "sentence-dates-changed":
        return ChangeKind.SENTENCE_DATES_CHANGED
    if action == "updated":
        categories = event.additional.get("categoriesChanged")
        if isinstance(categories, list) and _SENTENCE_CATEGORIES & set(map(str, categories)):
            return ChangeKind.SENTENCE_DATES_CHANGED
    return None


def named_prison(event: DomainEvent) -> str | None:
    """The prison an event names (`prisonId`), upper-cased, if any."""
    prison = event.additional.get("prisonId")
    return prison.upper() if isinstance(prison, str) and prison else None
