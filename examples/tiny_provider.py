"""A third party's provider, as small as one can be: establishments from a table of its own.

Fetch-only (no `page`): it serves one kind. Check it against the contract with its own keys:

    casegraph provider check examples.tiny_provider:TinyPrisons --keys examples/tiny-keys.json
"""

from __future__ import annotations

from collections.abc import Sequence

from providers.errors import BackendUnavailable
from providers.records import Establishment

PRISONS = {"XYZ": "Example (HMP)", "XYY": "Another Example (HMP & YOI)"}


class TinyPrisons:
    kinds = frozenset({"establishment"})

    def __init__(self, name: str, prisons: dict[str, str] | None = None) -> None:
        self.name = name
        self.prisons = PRISONS if prisons is None else prisons
        self.open = True

    async def fetch(self, kind: str, keys: Sequence[str]) -> list[Establishment | None]:
        if not self.open:
            raise BackendUnavailable(self.name, "closed")
        return [Establishment(k, self.prisons[k], "INST") if k in self.prisons else None
                for k in keys]

    async def aclose(self) -> None:
        self.open = False


class Misaligned(TinyPrisons):
    """A broken one, for the test that shows the check failing: it drops unknown keys."""

    async def fetch(self, kind: str, keys: Sequence[str]) -> list[Establishment | None]:
        return [e for e in await super().fetch(kind, keys) if e is not None]
