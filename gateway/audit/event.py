"""One audit event per operation that disclosed personal data or was refused some of it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from policies.principal import Principal


def operation_hash(document: str | None) -> str | None:
    return hashlib.sha256(document.encode()).hexdigest() if document else None


def audit_event(principal: Principal, operation_name: str | None, document: str | None,
                offenders: set[str], prisoners: set[str], field_groups: set[str],
                denied: list[str]) -> dict[str, Any] | None:
    """The event to record, or None when the operation touched no personal data."""
    if not offenders and not prisoners and not denied:
        return None
    return {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": principal.subject, "org": principal.org, "orgType": principal.org_type,
        "clientId": principal.client_id, "username": principal.username,
        "operation": {"name": operation_name, "sha256": operation_hash(document)},
        "offenders": sorted(offenders), "prisoners": sorted(prisoners),
        "fieldGroups": sorted(field_groups - {"Query"}), "denied": sorted(set(denied)),
    }
