"""Configuration as one TOML file; the demo default needs none. Bad keys stop start-up."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from providers.base import ALL_KINDS
from providers.registry import ConfigError

DEMO_KEYS = Path(__file__).parent / "demo_keys"
DEMO_ISSUER = "casegraph-demo"
AUDIENCE = "casegraph"
_SECTIONS = frozenset({"gateway", "auth", "providers", "bindings", "policies"})


@dataclass(frozen=True)
class AuthSettings:
    issuer: str = DEMO_ISSUER
    audience: str = AUDIENCE
    public_keys: tuple[Path, ...] = (DEMO_KEYS / "demo-public.pem",)
    jwks_url: str | None = None
    demo: bool = True
    leeway_seconds: int = 30


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


def load_settings(path: Path | None) -> Settings:
    """The demo settings when `path` is None; otherwise the file, strictly checked."""
    if path is None:
        return Settings()
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise ConfigError(f"{path}: unknown sections {sorted(unknown)}; "
                          f"choose from {sorted(_SECTIONS)}")
    return Settings(auth=_auth(raw.get("auth", {})),
                    providers=_providers(raw.get("providers")),
                    bindings=_bindings(raw.get("bindings", {}), raw.get("providers")),
                    policy_dir=Path(raw["policies"]["dir"]) if "policies" in raw else None,
                    introspection=bool(raw.get("gateway", {}).get("introspection", False)),
                    max_body_bytes=int(raw.get("gateway", {}).get("max_body_bytes", 256 * 1024)))


def _auth(raw: dict[str, Any]) -> AuthSettings:
    allowed = {"issuer", "audience", "public_keys", "jwks_url", "demo", "leeway_seconds"}
    if unknown := set(raw) - allowed:
        raise ConfigError(f"auth: unknown keys {sorted(unknown)}; choose from {sorted(allowed)}")
    keys = tuple(Path(os.path.expandvars(k)) for k in raw.get("public_keys", ()))
    if not keys and not raw.get("jwks_url") and not raw.get("demo"):
        raise ConfigError("auth: set `jwks_url` or `public_keys` (or `demo = true`)")
    if raw.get("demo"):
        keys = keys or (DEMO_KEYS / "demo-public.pem",)
    return AuthSettings(issuer=raw.get("issuer", DEMO_ISSUER if raw.get("demo") else ""),
                        audience=raw.get("audience", AUDIENCE), public_keys=keys,
                        jwks_url=raw.get("jwks_url"), demo=bool(raw.get("demo", False)),
                        leeway_seconds=int(raw.get("leeway_seconds", 30)))


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
