"""Related records a provider knows before its page is complete.

A caseload page from nDelius is two calls: the team search (the people), then their
convictions (the cases). Whoever reads the page may want the people's custody from NOMIS,
which needs only the people: told of them early, it asks NOMIS while nDelius is still
answering, so the two backends work in parallel (DESIGN: latency approaches the slowest
critical path). A context variable carries the listener, so no provider or wrapper in
between changes its signature; a provider that never announces is simply not overlapped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Listener = Callable[[str, Mapping[str, Any]], None]
_listener: ContextVar[Listener | None] = ContextVar("casegraph_related", default=None)


def announce(kind: str, records: Mapping[str, Any]) -> None:
    """Tell the current listener, if any, about records of `kind` by key."""
    listener = _listener.get()
    if listener is not None:
        listener(kind, records)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """`listener` hears announcements made inside the block; a listener already there (an
    outer block's) still hears them too."""
    outer = _listener.get()
    if outer is not None:
        inner = listener

        def listener(kind: str, records: Mapping[str, Any]) -> None:
            inner(kind, records)
            outer(kind, records)
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
