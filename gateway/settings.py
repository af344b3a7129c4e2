"""Configuration as one TOML file; the demo default needs none. Bad keys stop start-up."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from events.settings import EventsSettings, parse_events
from gateway.admission import AdmissionSettings
from gateway.audit.trail import AuditSettings
from gateway.auth_settings import AuthSettings as AuthSettings  # re-exported
from gateway.auth_settings import parse_auth
from gateway.federation import FederationSettings, parse_federation
from gateway.limits import LIMIT_KEYS, Limits
from gateway.metrics_access import networks
from gateway.persisted import PersistedSettings
from gateway.ratelimit import RateLimitSettings
from gateway.response_cache import ResponseCacheSettings, parse_response_cache
from gateway.subscriptions.settings import SubscriptionSettings, parse_subscriptions
from gateway.telemetry import TelemetrySettings
from providers.base import ALL_KINDS
from providers.registry import ConfigError

_SECTIONS = frozenset({"gateway", "auth", "organisations", "providers", "bindings", "policies",
                       "cache", "http", "rate_limits", "persisted", "audit", "telemetry",
                       "admission", "response_cache", "federation", "events",
                       "subscriptions"})
_GATEWAY_KEYS = frozenset({"introspection", "max_body_bytes", "deadline_seconds", "regressions",
                           "batching", *LIMIT_KEYS})
_CACHE_KEYS = frozenset({"backend", "url", "grace_seconds", "ttl", "namespace"})
_HTTP_KEYS = frozenset({"cors_origins", "cors_allow_headers", "max_batch", "ui_dir"})
_RATE_KEYS = frozenset({"default", "clients", "storage", "enabled", "cost", "cost_clients"})
_PERSISTED_KEYS = frozenset({"apq", "clients"})
_AUDIT_KEYS = frozenset({"sink", "path", "dsn", "queue"})
_TELEMETRY_KEYS = frozenset({"traces", "otlp_endpoint", "service_name", "logs", "metrics_from"})
_ADMISSION_KEYS = frozenset({"max_in_flight", "queue", "queue_seconds", "retry_after_seconds"})


@dataclass(frozen=True)
class Settings:
    """Everything the gateway needs to start, validated."""

    auth: AuthSettings = field(default_factory=AuthSettings)
    providers: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"embedded": {"type": "embedded"}})
    bindings: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(sorted(ALL_KINDS), "embedded"))
    policy_dir: Path | None = None
    introspection: bool = True
    max_body_bytes: int = 256 * 1024
    deadline_seconds: float = 10.0
    batching: bool = True  # false only to measure the naive design (one call per row)
    limits: Limits = field(default_factory=Limits)
    withhold_regressions: bool = False
    cache_backend: str = "memory"  # memory | redis | none
    cache_url: str = "redis://127.0.0.1:6379/0"
    cache_namespace: str = "casegraph"  # Redis key prefix: deployments sharing one Redis
    cache_grace_seconds: float = 600.0
    cache_ttls: dict[str, float] = field(default_factory=dict)
    cors_origins: tuple[str, ...] = ()
    cors_allow_headers: tuple[str, ...] = ()  # besides the protocol's and Apollo Client's
    max_batch: int = 10  # operations in one batched request; 0 refuses batches
    ui_dir: Path | None = None  # a built UI to serve at /ui/ (the demo serves the example's)
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    persisted: PersistedSettings = field(default_factory=PersistedSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    telemetry: TelemetrySettings = field(default_factory=TelemetrySettings)
    admission: AdmissionSettings = field(default_factory=AdmissionSettings)
    response_cache: ResponseCacheSettings = field(default_factory=ResponseCacheSettings)
    federation: FederationSettings = field(default_factory=FederationSettings)
    events: EventsSettings = field(default_factory=EventsSettings)
    subscriptions: SubscriptionSettings = field(default_factory=SubscriptionSettings)


def serving_settings(path: Path | None, traces: str | None = None) -> Settings:
    """What `casegraph serve` runs: the file or the demo, with `--traces` if given (console
    traces are opt-in: a span dump per request would scroll the demo's tokens away)."""
    settings = load_settings(path)
    if traces is not None:
        settings = replace(settings, telemetry=replace(settings.telemetry, traces=traces))
    return settings


def load_settings(path: Path | None) -> Settings:
    """The demo settings when `path` is None; otherwise the file, strictly checked."""
    if path is None:
        from gateway.ui import UI_DIST

        return Settings(ui_dir=UI_DIST)
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise ConfigError(f"{path}: unknown sections {sorted(unknown)}; "
                          f"choose from {sorted(_SECTIONS)}")
    gateway, cache = raw.get("gateway", {}), raw.get("cache", {})
    _known("gateway", gateway, _GATEWAY_KEYS)
    _known("cache", cache, _CACHE_KEYS)
    http = raw.get("http", {})
    _known("http", http, _HTTP_KEYS)
    regressions = gateway.get("regressions", "flag")
    if regressions not in ("flag", "withhold"):
        raise ConfigError(f"gateway.regressions = {regressions!r}: choose 'flag' or 'withhold'")
    backend = cache.get("backend", "memory")
    if backend not in ("memory", "redis", "none"):
        raise ConfigError(f"cache.backend = {backend!r}: choose 'memory', 'redis' or 'none'")
    policy_dir = Path(raw["policies"]["dir"]) if "policies" in raw else None
    return Settings(auth=parse_auth(raw.get("auth", {}), raw.get("organisations", {}),
                                    policy_dir),
                    providers=_providers(raw.get("providers")),
                    bindings=_bindings(raw.get("bindings", {}), raw.get("providers")),
                    policy_dir=policy_dir,
                    introspection=bool(gateway.get("introspection", False)),
                    max_body_bytes=int(gateway.get("max_body_bytes", 256 * 1024)),
                    deadline_seconds=float(gateway.get("deadline_seconds", 10.0)),
                    batching=bool(gateway.get("batching", True)),
                    limits=Limits(**{k: int(gateway[k]) for k in LIMIT_KEYS if k in gateway}),
                    withhold_regressions=regressions == "withhold", cache_backend=backend,
                    cache_url=str(cache.get("url", "redis://127.0.0.1:6379/0")),
                    cache_namespace=str(cache.get("namespace", "casegraph")),
                    cache_grace_seconds=float(cache.get("grace_seconds", 600.0)),
                    cache_ttls={k: float(v) for k, v in cache.get("ttl", {}).items()},
                    cors_origins=tuple(str(o) for o in http.get("cors_origins", ())),
                    cors_allow_headers=tuple(str(h) for h in http.get("cors_allow_headers",
                                                                       ())),
                    max_batch=int(http.get("max_batch", 10)),
                    ui_dir=Path(os.path.expandvars(http["ui_dir"])) if "ui_dir" in http else None,
                    rate_limits=_rate_limits(raw.get("rate_limits", {})),
                    persisted=_persisted(raw.get("persisted", {})),
                    audit=_audit(raw.get("audit", {})),
                    telemetry=_telemetry(raw.get("telemetry", {})),
                    admission=_admission(raw.get("admission", {})),
                    response_cache=parse_response_cache(raw.get("response_cache", {})),
                    federation=parse_federation(raw.get("federation", {})),
                    events=parse_events(raw.get("events", {})),
                    subscriptions=parse_subscriptions(raw.get("subscriptions", {})))


def _known(section: str, raw: dict[str, Any], allowed: frozenset[str]) -> None:
    if unknown := set(raw) - allowed:
        raise ConfigError(f"{section}: unknown keys {sorted(unknown)}; choose from "
                          f"{sorted(allowed)}")


def _rate_limits(raw: dict[str, Any]) -> RateLimitSettings:
    _known("rate_limits", raw, _RATE_KEYS)
    return RateLimitSettings(default=str(raw.get("default", "600/minute")),
                             clients={str(k): str(v) for k, v in raw.get("clients", {}).items()},
                             storage=str(raw.get("storage", "memory")),
                             enabled=bool(raw.get("enabled", True)),
                             cost=str(raw["cost"]) if "cost" in raw else None,
                             cost_clients={str(k): str(v)
                                           for k, v in raw.get("cost_clients", {}).items()})


def _persisted(raw: dict[str, Any]) -> PersistedSettings:
    _known("persisted", raw, _PERSISTED_KEYS)
    return PersistedSettings(apq=bool(raw.get("apq", True)),
                             clients={str(k): Path(os.path.expandvars(str(v)))
                                      for k, v in raw.get("clients", {}).items()})


def _audit(raw: dict[str, Any]) -> AuditSettings:
    _known("audit", raw, _AUDIT_KEYS)
    sink = raw.get("sink", "file")
    if sink not in ("file", "postgres", "none"):
        raise ConfigError(f"audit.sink = {sink!r}: choose 'file', 'postgres' or 'none'")
    dsn = os.path.expandvars(str(raw["dsn"])) if "dsn" in raw else None
    if sink == "postgres" and not (dsn and dsn.startswith("postgres")):
        raise ConfigError(f"audit.dsn = {dsn!r}: a postgresql:// URL is needed for the "
                          "postgres sink")
    return AuditSettings(sink=sink, path=Path(os.path.expandvars(str(raw.get(
        "path", "var/audit/audit.jsonl")))), dsn=dsn, queue=int(raw.get("queue", 10_000)))


def _admission(raw: dict[str, Any]) -> AdmissionSettings:
    _known("admission", raw, _ADMISSION_KEYS)
    found = AdmissionSettings(
        max_in_flight=int(raw.get("max_in_flight", AdmissionSettings.max_in_flight)),
        queue=int(raw.get("queue", AdmissionSettings.queue)),
        queue_seconds=float(raw.get("queue_seconds", AdmissionSettings.queue_seconds)),
        retry_after_seconds=int(raw.get("retry_after_seconds",
                                        AdmissionSettings.retry_after_seconds)))
    if found.max_in_flight < 0 or found.queue < 0 or found.queue_seconds <= 0 \
            or found.retry_after_seconds < 1:
        raise ConfigError(f"admission: {raw}: counts are 0 or more, seconds more than 0")
    return found


def _telemetry(raw: dict[str, Any]) -> TelemetrySettings:
    _known("telemetry", raw, _TELEMETRY_KEYS)
    logs = raw.get("logs", "json")
    if logs not in ("json", "text"):
        raise ConfigError(f"telemetry.logs = {logs!r}: choose 'json' or 'text'")
    endpoint = raw.get("otlp_endpoint")
    allowed = raw.get("metrics_from", list(TelemetrySettings.metrics_from))
    try:
        networks(allowed if isinstance(allowed, list) else [allowed])
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"telemetry.metrics_from = {allowed!r}: a list of networks, e.g. "
                          "[\"127.0.0.0/8\", \"10.0.0.0/8\"]") from exc
    return TelemetrySettings(traces=str(raw.get("traces", "otlp" if endpoint else "none")),
                             otlp_endpoint=os.path.expandvars(endpoint) if endpoint else None,
                             service_name=str(raw.get("service_name", "casegraph")), logs=logs,
                             metrics_from=tuple(allowed))


def _providers(raw: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not raw:
        raise ConfigError("providers: configure at least one, e.g. [providers.embedded] "
                          "type = \"embedded\"")
    return {name: {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in s.items()}
            for name, s in raw.items()}


def _bindings(raw: dict[str, Any], providers: dict[str, Any] | None) -> dict[str, str]:
    if "default" in raw:
        default = raw["default"]
        return {kind: raw.get(kind, default) for kind in sorted(ALL_KINDS)}
    if not raw and providers and len(providers) == 1:
        return dict.fromkeys(sorted(ALL_KINDS), next(iter(providers)))
    return dict(raw)
