"""`[events]`: where domain events come in from, and how long each source may stay silent.

```toml
[events]
enabled = true
broker = "nats"                       # nats | redis
url = "nats://127.0.0.1:4222"         # or redis://127.0.0.1:6379/0
stream = "CASEGRAPH_EVENTS"           # the JetStream stream (Redis: unused)
subject_prefix = "casegraph.events"   # one subject (Redis: one stream key) per source
consumer = "gateway-a"                # this process's durable name (default: host and pid;
                                      # processes sharing a name split the events between them)
check_seconds = 5                     # how often freshness and lag are checked
[events.stale_after_seconds]          # the sources consumed, and their expected silence
nomis = 900
delius = 3600
```
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from providers.errors import ConfigError

_KEYS = frozenset({"enabled", "broker", "url", "stream", "subject_prefix", "consumer",
                   "check_seconds", "stale_after_seconds", "retention_seconds"})
BROKERS = ("nats", "redis")
DEFAULT_URLS = {"nats": "nats://127.0.0.1:4222", "redis": "redis://127.0.0.1:6379/0"}


def default_consumer() -> str:
    """One durable per process: every process must receive every event (its own subscribers
    are connected to it alone)."""
    return f"casegraph-{socket.gethostname()}-{os.getpid()}".replace(".", "-")


@dataclass(frozen=True)
class EventsSettings:
    enabled: bool = False  # the embedded demo has no broker and no simulators publishing
    broker: str = "nats"
    url: str = DEFAULT_URLS["nats"]
    stream: str = "CASEGRAPH_EVENTS"
    subject_prefix: str = "casegraph.events"
    consumer: str = field(default_factory=default_consumer)
    check_seconds: float = 5.0
    retention_seconds: float = 86_400.0  # how long the broker keeps events
    stale_after_seconds: Mapping[str, float] = field(
        default_factory=lambda: {"nomis": 900.0, "delius": 3600.0})

    def subject(self, source: str) -> str:
        return f"{self.subject_prefix}.{source}"


def parse_events(raw: Mapping[str, Any]) -> EventsSettings:
    """`[events]` checked: unknown keys, brokers and non-positive intervals stop start-up."""
    if unknown := set(raw) - _KEYS:
        raise ConfigError(f"events: unknown keys {sorted(unknown)}; choose from {sorted(_KEYS)}")
    broker = str(raw.get("broker", "nats"))
    if broker not in BROKERS:
        raise ConfigError(f"events.broker = {broker!r}: choose 'nats' or 'redis'")
    stale = raw.get("stale_after_seconds", {"nomis": 900.0, "delius": 3600.0})
    if not isinstance(stale, Mapping) or not stale:
        raise ConfigError("events.stale_after_seconds: a table of source = seconds")
    sources = {str(k): _positive(f"events.stale_after_seconds.{k}", v) for k, v in stale.items()}
    if bad := [s for s in sources if not s.replace("-", "").replace("_", "").isalnum()]:
        raise ConfigError(f"events.stale_after_seconds: source names are letters, digits, - "
                          f"and _ (not {bad})")
    return EventsSettings(
        enabled=bool(raw.get("enabled", False)), broker=broker,
        url=str(raw.get("url", DEFAULT_URLS[broker])), stream=str(raw.get("stream",
                                                                         "CASEGRAPH_EVENTS")),
        subject_prefix=str(raw.get("subject_prefix", "casegraph.events")),
        consumer=str(raw.get("consumer") or default_consumer()),
        check_seconds=_positive("events.check_seconds", raw.get("check_seconds", 5.0)),
        retention_seconds=_positive("events.retention_seconds",
                                    raw.get("retention_seconds", 86_400.0)),
        stale_after_seconds=sources)


def _positive(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key} = {value!r}: a number of seconds above 0")
    return float(value)
