"""A hash chain over audit entries: each entry's hash covers its content and the previous hash.

Changing an entry breaks its own hash; removing or reordering entries breaks the sequence and
the link to the previous hash. (Cutting entries off the end leaves a shorter valid chain: keep
the latest hash somewhere else, as `casegraph audit verify` prints it, to detect that.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import orjson

GENESIS = "0" * 64


def _digest(prev: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(prev.encode() + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
                          ).hexdigest()


def seal(event: dict[str, Any], seq: int, prev: str) -> dict[str, Any]:
    """The entry as stored: the event with its sequence number, previous hash and own hash."""
    body = {**event, "seq": seq, "prev": prev}
    return {**body, "hash": _digest(prev, body)}


def encode(entry: dict[str, Any]) -> bytes:
    return orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)


def verify(entries: Iterable[dict[str, Any]]) -> tuple[int, str, list[str]]:
    """(entries read, the last hash, problems found), walking the chain from its start."""
    count, prev, problems = 0, GENESIS, []
    for count, entry in enumerate(entries, start=1):
        body = {k: v for k, v in entry.items() if k != "hash"}
        seq = entry.get("seq")
        if seq != count:
            problems.append(f"entry {count}: sequence number {seq}, expected {count} "
                            "(an entry was removed, inserted or moved)")
        if entry.get("prev") != prev:
            problems.append(f"entry {count}: does not follow the entry before it")
        if entry.get("hash") != _digest(str(entry.get("prev")), body):
            problems.append(f"entry {count}: contents changed after it was written")
        prev = str(entry.get("hash"))
    return count, prev, problems
