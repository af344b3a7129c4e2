"""Whole answers, cached under exactly what the policy read to make them.

An answer depends on the document, its variables and, of the principal, what its decisions
used: the organisation, its type and the scopes always (field decisions and row rules), the
username only when Limited Access lists were consulted (`LimitedAccess.consulted`), the
caller's identity only when `viewer` was read, and whatever a row rule references. So two
officers of one CRC share an entry, two CRCs never do, and an excluded user never shares one
that consulted the lists with a user who is not excluded.

Which attributes an answer used is known only after it is made, so lookups go in two steps,
as HTTP's `Vary` does: `answer:vary:{base}` names the attributes the last answer for the
base key used, and the entry sits under the base key plus their values. An entry is written
only under the values of everything its own answer read, so it is right for whoever finds it.

Only whole, fresh answers to queries are kept: none with an error other than FORBIDDEN, a
failed or stale source, or a data regression. An entry lives no longer than its freshest
source allows (each record's TTL less its age). A hit is audited as the original was (the
same people, prisoners, field groups and denials, under the caller's own name), charged its
cost, and its `extensions.sources` say every record came from a cache, with ages grown by
the entry's own. Entries shared through Redis are signed (HMAC-SHA256): an entry written by
anyone without the key is a miss.

A change event about a person makes every answer that showed them in full, read before the
event arrived, a miss (`changed`). Only records shown in full count: an event about a person
the caller saw as a stub, or not at all, leaves its answers as they were. Every process
consumes every event, so each keeps the recent changes in memory and checks them on a hit.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from graphql import OperationDefinitionNode, OperationType, parse

from policies.principal import Principal
from providers.cache import Cache
from providers.registry import ConfigError

log = logging.getLogger("casegraph.response_cache")

IDENTITY = ("subject", "staff_code", "username", "client_id")
MAX_CHANGES = 100_000  # changes remembered; past it, everything read before the last is old
CHANGE_MARGIN = 120.0  # seconds an answer may take between its first read and being stored
REFERENCES = {"$staff": "staff_code", "$subject": "subject", "$username": "username"}
KEY_ENV = "CASEGRAPH_RESPONSE_CACHE_KEY"


@dataclass(frozen=True)
class ResponseCacheSettings:
    enabled: bool = False
    ttl_seconds: float = 30.0  # the longest any answer is kept, whatever its sources allow
    key_env: str = KEY_ENV  # the signing key's variable, needed with a shared (Redis) cache


def parse_response_cache(raw: Mapping[str, Any]) -> ResponseCacheSettings:
    if unknown := set(raw) - {"enabled", "ttl_seconds", "key_env"}:
        raise ConfigError(f"response_cache: unknown keys {sorted(unknown)}; choose from "
                          "['enabled', 'key_env', 'ttl_seconds']")
    found = ResponseCacheSettings(bool(raw.get("enabled", False)),
                                  float(raw.get("ttl_seconds", 30.0)),
                                  str(raw.get("key_env", KEY_ENV)))
    if found.ttl_seconds <= 0:
        raise ConfigError(f"response_cache.ttl_seconds = {found.ttl_seconds}: more than 0")
    return found


def referenced(policies: Any) -> frozenset[str]:
    """Principal attributes besides the organisation that some row rule compares with."""
    found = set()
    for rules in policies.rules.values():
        for rule in rules.values():
            for clause in rule.rows if isinstance(rule.rows, tuple) else ():
                found |= {REFERENCES[v] for _, v in clause.conditions if v in REFERENCES}
    return frozenset(found)


def _value(principal: Principal, name: str) -> Any:
    return sorted(principal.scopes) if name == "scopes" else getattr(principal, name)


@lru_cache(maxsize=1024)
def is_query(document: str, operation_name: str | None) -> bool:
    """Only queries are kept (parsed on a miss only; a document that ran parses)."""
    operations = [d for d in parse(document).definitions
                  if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None
              or (o.name is not None and o.name.value == operation_name)]
    return len(chosen) == 1 and chosen[0].operation == OperationType.QUERY


@dataclass(frozen=True, slots=True)
class Answer:
    """A cached answer, as a hit hands it to the view."""

    data: orjson.Fragment
    meta: dict[str, Any]

    def extensions(self, now: float) -> dict[str, Any]:
        """The original's `extensions`; every record now comes from a cache, a little older."""
        aged = max(0.0, now - self.meta["storedAt"])
        sources = []
        for entry in self.meta["sources"]:
            entry = dict(entry)
            if "fromBackend" in entry:
                entry["fromCache"] += entry["fromBackend"]
                entry["fromBackend"] = 0
                entry["maxAgeSeconds"] = round(entry["maxAgeSeconds"] + aged, 3)
                entry["kinds"] = {k: _from_cache(v) for k, v in entry["kinds"].items()}
            sources.append(entry)
        found: dict[str, Any] = {"sources": sources}
        if self.meta["warnings"]:
            found["warnings"] = self.meta["warnings"]
        return found


def _from_cache(counts: dict[str, int]) -> dict[str, int]:
    if "fromBackend" not in counts:
        return counts
    return {**counts, "fromCache": counts["fromCache"] + counts["fromBackend"],
            "fromBackend": 0}


class ResponseCache:
    """Lookups and writes of whole answers in a `Cache` store."""

    def __init__(self, store: Cache, settings: ResponseCacheSettings,
                 ttl_of: Callable[[str], float], always: Iterable[str] = (),
                 signing_key: bytes | None = None, clock: Callable[[], float] = time.time
                 ) -> None:
        self.store = store
        self.settings = settings
        self.ttl_of = ttl_of
        self.always = tuple(sorted(always))
        self.signing_key = signing_key
        self.clock = clock
        self.hits = self.misses = self.writes = self.invalidated = 0
        self._changes: dict[str, float] = {}  # identifier -> when its last change arrived
        self._floor = float("-inf")  # answers read before this are old (changes overflowed)

    def changed(self, identifiers: Iterable[str], at: float) -> None:
        """A change event arrived at `at` (the providers' clock) about these CRNs / NOMS
        numbers: answers that showed them in full, read before `at`, are old."""
        for key in identifiers:
            self._changes[key] = at
        if len(self._changes) > MAX_CHANGES:
            horizon = at - self.settings.ttl_seconds - CHANGE_MARGIN
            self._changes = {k: t for k, t in self._changes.items() if t > horizon}
            if len(self._changes) > MAX_CHANGES:
                self._floor, self._changes = at, {}

    def everything_changed(self, at: float) -> None:
        """A change about someone unknown: every answer read before `at` is old."""
        self._floor, self._changes = max(self._floor, at), {}

    def _outdated(self, meta: Mapping[str, Any]) -> bool:
        read_from = meta.get("readFrom")
        if not isinstance(read_from, float | int) or read_from <= self._floor:
            return True
        return bool(self._changes) and any(self._changes.get(key, float("-inf")) >= read_from
                   for key in meta.get("shown", ()))

    def _base(self, principal: Principal, document: str, name: str | None,
              variables: Mapping[str, Any] | None) -> str:
        parts = [document, name, variables or {}, principal.org, principal.org_type,
                 sorted(principal.scopes), [_value(principal, a) for a in self.always]]
        return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()

    def _entry_key(self, base: str, principal: Principal, vary: Iterable[str]) -> str:
        values = orjson.dumps([base, [[a, _value(principal, a)] for a in vary]])
        return "answer:" + hashlib.sha256(values).hexdigest()

    async def lookup(self, principal: Principal, document: str | None, name: str | None,
                     variables: Any) -> Answer | None:
        if document is None or not isinstance(variables, dict | None):
            return None
        base = self._base(principal, document, name, variables)
        vary, plain = await self.store.get_many([f"answer:vary:{base}",
                                                 self._entry_key(base, principal, ())])
        entry = plain
        if isinstance(vary, tuple | list) and vary:
            [entry] = await self.store.get_many([self._entry_key(base, principal, vary)])
        answer = self._read(entry) if vary is not None else None
        if answer is not None and self._outdated(answer.meta):
            self.invalidated += 1
            answer = None
        if answer is None:
            self.misses += 1
        else:
            self.hits += 1
        return answer

    def _read(self, entry: Any) -> Answer | None:
        try:
            meta_text, data_text, signature = entry
            if not hmac.compare_digest(signature, self._sign(meta_text, data_text)):
                log.warning("response cache: an entry we did not sign read as a miss")
                return None
            return Answer(orjson.Fragment(data_text), orjson.loads(meta_text))
        except (TypeError, ValueError):
            return None

    def _sign(self, meta_text: str, data_text: str) -> str:
        if self.signing_key is None:
            return ""
        digest = hmac.new(self.signing_key, meta_text.encode(), hashlib.sha256)
        digest.update(b"\0" + data_text.encode())
        return digest.hexdigest()

    async def keep(self, principal: Principal, document: str | None, name: str | None,
                   variables: Any, answer: Mapping[str, Any], context: Any, cost: int) -> bool:
        """Write the answer when it may be shared; True when it was written."""
        vary = self.vary(context)
        ttl = self.ttl(context)
        if document is None or vary is None or ttl <= 0 or not self.keepable(answer) \
                or not isinstance(variables, dict | None) or not is_query(document, name):
            return False
        received = context.reach.received
        meta = {"storedAt": self.clock(), "errors": answer.get("errors", []),
                "sources": answer.get("extensions", {}).get("sources", []),
                "warnings": answer.get("extensions", {}).get("warnings", []),
                "people": sorted(received.people), "prisoners": sorted(received.prisoners),
                "groups": sorted(context.field_groups), "denied": list(context.denied_fields),
                "attempts": received.attempts, "cost": cost,
                "shown": sorted(received.in_full | received.prisoners),
                "readFrom": min((p.fetched_at for p in context.freshness.records.values()),
                                default=self.clock())}
        meta_text = orjson.dumps(meta).decode()
        data_text = orjson.dumps(answer["data"]).decode()
        base = self._base(principal, document, name, variables)
        await self.store.set_many([
            (self._entry_key(base, principal, vary),
             (meta_text, data_text, self._sign(meta_text, data_text))),
            (f"answer:vary:{base}", tuple(vary))], ttl=ttl)
        self.writes += 1
        return True

    @staticmethod
    def vary(context: Any) -> tuple[str, ...] | None:
        """The identity attributes this answer read, beyond those every key holds."""
        if "Viewer" in context.field_groups:
            return IDENTITY
        return ("username",) if context.reach.limited.consulted else ()

    def ttl(self, context: Any) -> float:
        """The longest this answer stays as fresh as its sources: each record's TTL less its
        age, each kind's TTL, and the configured bound."""
        now = self.clock()
        found = [self.settings.ttl_seconds]
        found += [self.ttl_of(kind) for kind in context.reach.loaders.kinds_read]
        found += [self.ttl_of(kind) - (now - p.fetched_at)
                  for (kind, _), p in context.freshness.records.items()]
        return min(found)

    @staticmethod
    def keepable(answer: Mapping[str, Any]) -> bool:
        """Whole and fresh: data, no error but denials, no failed or stale source."""
        if answer.get("data") is None:
            return False
        if any(e.get("extensions", {}).get("code") != "FORBIDDEN"
               for e in answer.get("errors", ())):
            return False
        extensions = answer.get("extensions", {})
        if any(s.get("status") != "ok" or s.get("stale") for s in extensions.get("sources", ())):
            return False
        return not any(w.get("code") == "DATA_REGRESSION"
                       for w in extensions.get("warnings", ()))


def signing_key(settings: ResponseCacheSettings, shared: bool) -> bytes | None:
    """The key entries are signed with: needed when the store is shared (Redis)."""
    if not shared:
        return None
    key = os.environ.get(settings.key_env, "")
    if len(key) < 16:
        raise ConfigError(f"response_cache: set {settings.key_env} (16 characters or more, the "
                          "same in every gateway) to sign answers shared through Redis")
    return key.encode()

