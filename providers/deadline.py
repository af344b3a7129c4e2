"""The request's deadline, visible to every provider call made on its behalf.

The gateway sets it once per request; a provider call never waits past it, so a query
never waits longer than its deadline, however many levels it has.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("casegraph_deadline", default=None)


def start(seconds: float) -> None:
    """Set this request's deadline `seconds` from now (for the current task and its children)."""
    _deadline.set(time.monotonic() + seconds)


def remaining(default: float) -> float:
    """Seconds left before the deadline, at most `default`; 0 when it has passed."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(0.0, min(default, deadline - time.monotonic()))
