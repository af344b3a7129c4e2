"""What the container image runs: the gateway on the configuration it is given. The demo
(a public signing key, synthetic data) runs only when asked for. `python -m gateway.container`
reads the environment:

    CASEGRAPH_CONFIG    the TOML file to serve (required unless CASEGRAPH_DEMO=1)
    CASEGRAPH_DEMO      1: the demo, or a config that trusts the demo key or embedded data
    CASEGRAPH_WORKERS   gateway processes on the port (default 1)

Anything missing or demo-like without CASEGRAPH_DEMO=1 stops start-up with exit code 2 and a
message naming the variable or key, before anything listens.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from gateway.auth_settings import DEMO_ISSUER, DEMO_KEYS
from gateway.settings import Settings, load_settings
from providers.registry import ConfigError

PORT = 8000


def serve_command(env: Mapping[str, str]) -> list[str]:
    """The `casegraph` arguments the container runs, or `ConfigError` naming what is wrong."""
    demo = _flag(env, "CASEGRAPH_DEMO")
    command = ["serve", "--host", "0.0.0.0", "--port", str(PORT),  # all interfaces: published
               "--workers", str(_workers(env))]
    config = env.get("CASEGRAPH_CONFIG", "").strip()
    if not config:
        if demo:
            return command
        raise ConfigError(
            "CASEGRAPH_CONFIG is not set: mount a TOML configuration (its [auth] names your "
            "token issuer's jwks_url or public_keys, its [providers] your backends) and set "
            "CASEGRAPH_CONFIG to its path; CASEGRAPH_DEMO=1 serves the demo instead, whose "
            "signing key is public")
    if not Path(config).is_file():
        raise ConfigError(f"CASEGRAPH_CONFIG = {config!r}: no such file in the container")
    if not demo:
        _refuse_demo(load_settings(Path(config)), config)
    return [*command, "--config", config]


def _refuse_demo(settings: Settings, config: str) -> None:
    """The demo's key is public and its data synthetic: neither belongs in a deployment."""
    demo_key = (DEMO_KEYS / "demo-public.pem").read_bytes()
    found = [key for key, bad in (
        ("auth.demo = true", settings.auth.demo),
        (f"auth.issuer = {DEMO_ISSUER!r}", settings.auth.issuer == DEMO_ISSUER),
        ("auth.public_keys holds the demo key",
         any(_same_file(p, demo_key) for p in settings.auth.public_keys)))
        if bad]
    found += [f"providers.{name} is the embedded demo data"
              for name, options in settings.providers.items() if options.get("type") == "embedded"]
    if found:
        raise ConfigError(f"{config}: {'; '.join(found)}. Set CASEGRAPH_DEMO=1 only for a demo")


def _same_file(path: Path, content: bytes) -> bool:
    try:
        return path.read_bytes() == content
    except OSError:
        return False  # unreadable: the verifier will say so when it loads the keys


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip()
    if value not in ("", "0", "1"):
        raise ConfigError(f"{name} = {value!r}: set 1, or leave it unset")
    return value == "1"


def _workers(env: Mapping[str, str]) -> int:
    value = env.get("CASEGRAPH_WORKERS", "1").strip()
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 64:
        raise ConfigError(f"CASEGRAPH_WORKERS = {value!r}: a whole number from 1 to 64")
    return int(value)


def main(argv: Sequence[str] | None = None) -> int:
    if sys.argv[1:] if argv is None else argv:
        print("usage: python -m gateway.container (configured by the environment)",
              file=sys.stderr)
        return 2
    try:
        command = serve_command(os.environ)
    except ConfigError as exc:
        print(f"casegraph: refusing to start: {exc}", file=sys.stderr)
        return 2
    from gateway.cli import main as casegraph

    return casegraph(command)


if __name__ == "__main__":
    sys.exit(main())
