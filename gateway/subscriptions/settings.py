"""The `[subscriptions]` settings: how many streams, how much buffering, how often heartbeats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from providers.registry import ConfigError

KEYS = frozenset({"enabled", "max_per_principal", "max_total", "queue", "heartbeat_seconds",
                  "connection_init_seconds"})


@dataclass(frozen=True)
class SubscriptionSettings:
    enabled: bool = True
    max_per_principal: int = 10  # open streams per subject, over every connection
    max_total: int = 5000  # open streams in this process
    queue: int = 256  # events a subscriber may be behind before it is dropped (SLOW_CONSUMER)
    heartbeat_seconds: float = 15.0  # also the granularity of the ages heartbeats report
    connection_init_seconds: float = 10.0  # graphql-transport-ws: time to send connection_init


def parse_subscriptions(raw: dict[str, Any]) -> SubscriptionSettings:
    if unknown := set(raw) - KEYS:
        raise ConfigError(f"subscriptions: unknown keys {sorted(unknown)}; choose from "
                          f"{sorted(KEYS)}")
    d = SubscriptionSettings()
    found = SubscriptionSettings(
        enabled=bool(raw.get("enabled", d.enabled)),
        max_per_principal=int(raw.get("max_per_principal", d.max_per_principal)),
        max_total=int(raw.get("max_total", d.max_total)),
        queue=int(raw.get("queue", d.queue)),
        heartbeat_seconds=float(raw.get("heartbeat_seconds", d.heartbeat_seconds)),
        connection_init_seconds=float(raw.get("connection_init_seconds",
                                              d.connection_init_seconds)))
    if min(found.max_per_principal, found.max_total, found.queue) < 1 \
            or found.heartbeat_seconds <= 0 or found.connection_init_seconds <= 0:
        raise ConfigError(f"subscriptions: {raw}: counts are 1 or more, seconds more than 0")
    return found
