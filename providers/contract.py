"""The provider contract as a check anyone can run against their own provider, with their
own keys (`casegraph provider check MODULE:CLASS --keys FILE`).

What every provider must do, whatever its backend: declare only known kinds; answer `fetch`
aligned with the keys (a repeated key answered alike), `None` for a key it does not know,
records of the kind's record type (a tuple of them for a one-to-many kind), and no exception
but casegraph's own errors; answer each paged kind it declares with stable pages; close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from providers.base import KINDS, Kind
from providers.errors import ProviderError

UNKNOWN_KEY = "ZZ-casegraph-no-such-key"


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken promise: which kind, and what was wrong."""

    kind: str
    problem: str


async def check(provider: Any, keys: Mapping[str, Sequence[str]],
                criteria: Mapping[str, Mapping[str, Any]] | None = None) -> list[Finding]:
    """Every broken promise of `provider`, for the known `keys` of each kind it serves (and
    `criteria` for each paged kind); empty when it keeps the contract."""
    found = [Finding(k, "not a kind casegraph knows") for k in sorted(provider.kinds)
             if k not in KINDS]
    for name in sorted(k for k in provider.kinds if k in KINDS):
        kind = KINDS[name]
        if kind.paged:
            found += await _paged(provider, kind, (criteria or {}).get(name))
        elif not keys.get(name):
            found.append(Finding(name, "no known keys given to check it with"))
        else:
            found += await _fetched(provider, kind, list(keys[name]))
    try:
        await provider.aclose()
    except Exception as exc:
        found.append(Finding("*", f"aclose raised {type(exc).__name__}"))
    return found


async def _fetched(provider: Any, kind: Kind, keys: list[str]) -> list[Finding]:
    asked = [*keys, keys[0], UNKNOWN_KEY]
    try:
        answer = list(await provider.fetch(kind.name, asked))
    except ProviderError as exc:
        return [Finding(kind.name, f"fetch failed: {exc.code}")]
    except Exception as exc:
        return [Finding(kind.name, f"fetch let {type(exc).__name__} escape (wrap it in a "
                                   "providers.errors error)")]
    if len(answer) != len(asked):
        return [Finding(kind.name, f"fetch answered {len(answer)} values for {len(asked)} keys")]
    problems = [Finding(kind.name, f"known key {k!r}: {why}")
                for k, value in zip(keys, answer, strict=False)
                if (why := _wrong(kind, value))]
    if answer[len(keys)] != answer[0]:
        problems.append(Finding(kind.name, "a repeated key was answered differently"))
    if answer[-1] is not None and not (kind.many and answer[-1] == ()):
        problems.append(Finding(kind.name, "an unknown key was not answered None"))
    return problems


def _wrong(kind: Kind, value: Any) -> str | None:
    if value is None:
        return "answered None"
    if isinstance(value, ProviderError):
        return f"answered {value.code}"
    items = value if kind.many else (value,)
    if kind.many and not isinstance(value, tuple):
        return "a one-to-many kind answers a tuple"
    bad = [type(v).__name__ for v in items if not isinstance(v, kind.record)]
    return f"answered {bad[0]}, not {kind.record.__name__}" if bad else None


async def _paged(provider: Any, kind: Kind, criteria: Mapping[str, Any] | None
                 ) -> list[Finding]:
    if not hasattr(provider, "page"):
        return [Finding(kind.name, "declares a paged kind but has no page()")]
    if criteria is None:
        return [Finding(kind.name, "no criteria given to check it with")]
    if unknown := set(criteria) - (kind.criteria or frozenset()):
        return [Finding(kind.name, f"criteria it does not take: {sorted(unknown)}")]
    try:
        whole = await provider.page(kind.name, criteria, 0, 20)
        part = await provider.page(kind.name, criteria, 3, 5)
    except Exception as exc:
        return [Finding(kind.name, f"page raised {type(exc).__name__}")]
    found = []
    if list(part.items) != list(whole.items)[3:8]:
        found.append(Finding(kind.name, "pages are not stable slices of one order"))
    if whole.total < len(whole.items) or part.total != whole.total:
        found.append(Finding(kind.name, "total is not the count of all matches"))
    bad = [type(v).__name__ for v in whole.items if not isinstance(v, kind.record)]
    if bad:
        found.append(Finding(kind.name, f"page items are {bad[0]}, not {kind.record.__name__}"))
    return found
