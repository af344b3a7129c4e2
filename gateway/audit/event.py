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
                denied: list[str], attempts: list[dict[str, str]] | None = None
                ) -> dict[str, Any] | None:
    """The event to record, or None when the operation touched no personal data. A lookup
    answered not-found is recorded too, with whether the record was refused or unknown:
    the caller cannot tell the two apart, an auditor looking for misuse must."""
    if not offenders and not prisoners and not denied and not attempts:
        return None
    return {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": principal.subject, "org": principal.org, "orgType": principal.org_type,
        "clientId": principal.client_id, "username": principal.username,
        "operation": {"name": operation_name, "sha256": operation_hash(document)},
        "offenders": sorted(offenders), "prisoners": sorted(prisoners),
        "fieldGroups": sorted(field_groups - {"Query"}), "denied": sorted(set(denied)),
        "notFound": sorted(attempts or (), key=lambda a: (a["kind"], a["key"])),
    }
