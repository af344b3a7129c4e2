"""Reading a batch answer record by record: one malformed record is bad data for its own key,
and the rest of the batch still answers.

A record whose key cannot even be read cannot be placed: every key the answer left
unanswered is then bad data too, since any of them may be the one that came back unreadable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from providers.errors import BackendBadData
from providers.http.client import mapping

READ_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


@dataclass
class Batch:
    """Records (or the error that stands for one) by key, for one provider and record type."""

    provider: str
    what: str
    found: dict[str, Any] = field(default_factory=dict)
    unreadable: bool = False

    def read(self, items: Any, keys_of: Callable[[Any], Iterable[str]],
             convert: Callable[[Any], Any]) -> Batch:
        with mapping(self.provider, self.what):
            items = list(_items(items))
        for j in items:
            try:
                keys = [str(k) for k in keys_of(j)]
            except READ_ERRORS:
                self.unreadable = True
                continue
            try:
                with mapping(self.provider, self.what):
                    value: Any = convert(j)
            except BackendBadData as exc:
                value = exc
            for key in keys:
                self.found.setdefault(key, value)
        return self

    def aligned(self, keys: Sequence[str], absent: Any = None) -> list[Any]:
        """Per key: its record, its error, or `absent` (bad data if something was unreadable)."""
        if self.unreadable:
            absent = BackendBadData(self.provider, f"an unreadable {self.what} in the answer")
        return [self.found.get(k, absent) for k in keys]


def _items(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise TypeError("expected a list")
    return body
