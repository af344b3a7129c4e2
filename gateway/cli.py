"""`casegraph`: serve the gateway, mint demo tokens, print the schema, check the policies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway import provider_tools
from gateway.settings import load_settings
from policies.loader import PolicyError
from providers.registry import ConfigError

DEMO_PRINCIPALS = (
    ("CRC Northumbria officer", "C01", ["read", "custody:read", "risk:read"], "C01T101",
     "demo.officer"),
    ("CRC Thames Valley system (machine)", "C16", ["read", "custody:read"], None, None),
    ("NPS North East officer", "N02", ["read", "custody:read", "risk:read"], "N02T101",
     "nps.officer"),
    ("HMP Moorland staff", "MDI", ["read", "custody:read"], None, None),
)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (ConfigError, PolicyError) as exc:
        print(f"casegraph: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casegraph", description=__doc__)
    parser.add_argument("--version", action="version", version=f"casegraph {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", type=Path, help="TOML config (default: the embedded demo)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1,
                       help="gateway processes on one port (share the cache and rate limits "
                            "through Redis)")
    serve.add_argument("--grace-seconds", type=float, default=20.0,
                       help="on SIGTERM, how long requests in flight may take to finish")
    serve.add_argument("--traces", choices=["none", "console", "otlp"],
                       help="where spans go (default: the config's, else none)")
    serve.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--preflight", action="store_true", help=argparse.SUPPRESS)
    serve.set_defaults(run=_serve)
    token = commands.add_parser("token", help="mint a demo token (trusted only by the demo)")
    token.add_argument("--org", required=True, help="organisation code, e.g. C01, N02, MDI, HQ")
    token.add_argument("--scope", action="append", help="repeatable; default read, custody:read,"
                                                        " risk:read")
    token.add_argument("--staff", help="staff code, for a person's token")
    token.add_argument("--user", help="username (Limited Access lists name users)")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds until expiry")
    token.set_defaults(run=_token)
    schema = commands.add_parser("schema", help="schema tools")
    schema_commands = schema.add_subparsers(required=True, metavar="ACTION")
    schema_commands.add_parser("print", help="write the SDL to stdout").set_defaults(run=_sdl)
    diff = schema_commands.add_parser("diff", help="classify the changes from OLD to NEW: "
                                                   "breaking, dangerous or safe")
    diff.add_argument("old", type=Path, help="SDL file")
    diff.add_argument("new", help="SDL file, or - for stdin (casegraph schema print | ...)")
    diff.add_argument("--accepted", type=Path,
                      help="TOML file of accepted breaking changes (exit 1 on any other)")
    diff.set_defaults(run=_schema_diff)
    simulate = commands.add_parser("simulate", help="run a backend simulator on loopback")
    simulate.add_argument("system", choices=["delius", "nomis"])
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=None, help="default: 8081 delius, "
                                                                 "8082 nomis")
    simulate.add_argument("--latency-ms", type=float, default=0.0)
    simulate.add_argument("--size", type=int, default=None, help="dataset size (people)")
    simulate.add_argument("--events", metavar="URL", default=None,
                          help="publish POST /_sim/events changes to this broker: "
                               "nats://127.0.0.1:4222 or redis://127.0.0.1:6379/0")
    simulate.add_argument("--stream", default="CASEGRAPH_EVENTS", help="JetStream stream")
    simulate.add_argument("--subject-prefix", default="casegraph.events",
                          help="events go to <prefix>.<system>")
    simulate.set_defaults(run=_simulate)
    crc = commands.add_parser("crc", help="a CRC's own PostgreSQL store")
    crc_commands = crc.add_subparsers(required=True, metavar="ACTION")
    for action, text in (("migrate", "apply schema migrations"),
                         ("seed", "migrate, then load the demo dataset's appointments")):
        command = crc_commands.add_parser(action, help=text)
        command.add_argument("--dsn", help="default: $CRC_DATABASE_URL")
        command.set_defaults(run=_crc, action=action)
    provider_tools.register(commands)
    check = commands.add_parser("check", help="check config and policy coverage")
    check.add_argument("--config", type=Path)
    check.set_defaults(run=_check)
    policy = commands.add_parser("policy", help="explain and test the policies")
    policy_commands = policy.add_subparsers(required=True, metavar="ACTION")
    explain = policy_commands.add_parser("explain", help="each field's decision and its rule")
    explain.add_argument("--token", required=True,
                         help="the bearer token to judge (a `Bearer ` prefix is fine)")
    explain.add_argument("--query", required=True, help="the query's text, or a file with it")
    explain.add_argument("--config", type=Path)
    explain.set_defaults(run=_explain)
    cases = policy_commands.add_parser("test", help="run policy test cases written as data")
    cases.add_argument("files", nargs="*", type=Path, help="default: the shipped cases")
    cases.add_argument("--config", type=Path)
    cases.set_defaults(run=_policy_test)
    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(required=True, metavar="ACTION")
    verify = audit_commands.add_parser("verify", help="check the hash chain: changed, removed "
                                                      "or reordered entries")
    verify.add_argument("--config", type=Path, help="read the sink from this config")
    verify.add_argument("--file", type=Path, help="a JSON-lines audit file")
    verify.add_argument("--dsn", help="a PostgreSQL URL holding the audit_log table")
    verify.set_defaults(run=_audit_verify)
    return parser


def _audit_verify(args: argparse.Namespace) -> int:
    from gateway.audit.verify import verify_trail

    ok, lines = verify_trail(load_settings(args.config).audit, args.file, args.dsn)
    print("\n".join(lines), file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _serve(args: argparse.Namespace) -> int:
    import asyncio

    from gateway import logs, serving
    from gateway.app import create_app
    from gateway.settings import serving_settings
    from providers.registry import preflight

    if args.workers > 1 and not (args.worker or args.preflight):
        from gateway.supervisor import supervise

        return supervise(args.host, args.port, args.workers,
                         str(args.config) if args.config else None, args.grace_seconds,
                         args.traces)
    settings = serving_settings(args.config, args.traces)
    logs.configure(settings.telemetry.logs)
    app = create_app(settings)  # checked here (by the preflight child before any worker)
    sock = serving.bind(args.host, args.port, reuse_port=args.worker)
    if not args.worker:
        asyncio.run(preflight(settings.providers))
        url = f"http://{args.host}:{args.port}/graphql"
        print(f"casegraph: GraphiQL and the API at {url}"
              + (f" ({args.workers} processes)" if args.workers > 1 else ""), flush=True)
        if settings.ui_dir and (settings.ui_dir / "index.html").is_file():
            print(f"casegraph: the example caseload UI at http://{args.host}:{args.port}/ui/",
                  flush=True)
        if settings.auth.demo:
            _print_demo_tokens()
    if args.preflight:
        sock.close()  # the port is free; each worker binds its own
        return 0
    serving.serve(app, sock, grace_seconds=args.grace_seconds)
    return 0


def _print_demo_tokens() -> None:
    from gateway import tokens

    print("Demo tokens (8 hours; the GraphiQL page already sends the first one):")
    for label, org, scopes, staff, user in DEMO_PRINCIPALS:
        token = tokens.mint(org, scopes, staff=staff, username=user)
        print(f"\n  {label} [{org}; {' '.join(scopes)}]\n  Authorization: Bearer {token}")
    print(f"\nMore: {_invoked_as()} token --org C05 --scope read --scope custody:read\n")


def _invoked_as() -> str:
    """How to run casegraph again from this shell: `casegraph` when that is on PATH and is
    this one, else the path it was started by (`.venv/bin/casegraph` under `make run`)."""
    import os
    import shutil

    started = sys.argv[0]
    on_path = shutil.which("casegraph")
    if Path(started).name != "casegraph":
        started = f"{sys.executable} -m gateway.cli"
    elif on_path and os.path.realpath(on_path) == os.path.realpath(started):
        started = "casegraph"
    return started


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("casegraph")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _simulate(args: argparse.Namespace) -> int:
    import importlib

    import uvicorn

    from gateway import serving
    from providers.embedded.dataset import DEFAULT_SIZE, shared
    from providers.simulation import CLIENT_ID, CLIENT_SECRET

    module = importlib.import_module(f"providers.{args.system}.simulator")
    sim, app = module.build(shared(size=args.size or DEFAULT_SIZE), _event_sink(args))
    sim.faults.latency_ms = args.latency_ms
    port = args.port or {"delius": 8081, "nomis": 8082}[args.system]
    sock = serving.bind(args.host, port)
    print(f"casegraph: {args.system} simulator at http://{args.host}:{port} "
          f"(client {CLIENT_ID} / {CLIENT_SECRET}; /_sim/stats, /_sim/faults, /_sim/events)",
          flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    return 0


def _event_sink(args: argparse.Namespace) -> Any:
    """The broker a simulator publishes its changes to (`--events`), or None."""
    if args.events is None:
        return None
    from events.broker import open_broker
    from events.settings import EventsSettings

    broker = args.events.partition("://")[0]
    if broker not in ("nats", "redis"):
        raise ConfigError(f"--events {args.events!r}: a nats:// or redis:// URL")
    return open_broker(EventsSettings(enabled=True, broker=broker, url=args.events,
                                      stream=args.stream, subject_prefix=args.subject_prefix))


def _crc(args: argparse.Namespace) -> int:
    import asyncio
    import os

    import asyncpg

    from providers.crc.store import migrate, seed
    from providers.embedded.dataset import shared

    dsn = args.dsn or os.environ.get("CRC_DATABASE_URL")
    if not dsn:
        raise ConfigError("crc: pass --dsn or set CRC_DATABASE_URL")

    async def run() -> str:
        connection = await asyncpg.connect(dsn)
        try:
            applied = await migrate(connection)
            message = f"migrations applied: {applied or 'none needed'}"
            if args.action == "seed":
                message += f"; appointments written: {await seed(connection, shared())}"
            return message
        finally:
            await connection.close()

    try:
        print(f"casegraph: {asyncio.run(run())}")
    except (OSError, asyncpg.PostgresError) as exc:
        raise ConfigError(f"crc: cannot use the store ({type(exc).__name__}: {exc})") from exc
    return 0


def _token(args: argparse.Namespace) -> int:
    from gateway import tokens

    scopes = args.scope or list(tokens.DEFAULT_SCOPES)
    print(tokens.mint(args.org, scopes, staff=args.staff, username=args.user,
                      ttl_seconds=args.ttl))
    return 0


def _sdl(_: argparse.Namespace) -> int:
    from resolvers.schema import build_schema

    print(build_schema().as_str())
    return 0


def _check(args: argparse.Namespace) -> int:
    from gateway.app import create_app

    create_app(load_settings(args.config))
    print("casegraph: configuration and policies are complete: every field has a decision")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from graphql import GraphQLError

    from gateway.auth import AuthError
    from gateway.policy_tools import explain

    try:
        lines = explain(load_settings(args.config), args.token, _query_text(args.query))
    except (AuthError, GraphQLError) as exc:
        print(f"casegraph: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def _query_text(value: str) -> str:
    """An operation always has a `{`; a file name that has one is not worth the confusion."""
    if "{" in value:
        return value
    try:
        return Path(value).read_text()
    except OSError as exc:
        raise ConfigError(f"--query {value!r}: neither a query nor a readable file "
                          f"({exc.strerror})") from exc


def _schema_diff(args: argparse.Namespace) -> int:
    from gateway.schema_diff import report

    try:
        old = args.old.read_text()
        new = sys.stdin.read() if args.new == "-" else Path(args.new).read_text()
    except OSError as exc:
        raise ConfigError(f"schema diff: {exc.filename}: {exc.strerror}") from exc
    lines, refused = report(old, new, args.accepted)
    print("\n".join(lines))
    return 1 if refused else 0


def _policy_test(args: argparse.Namespace) -> int:
    from gateway.policy_tools import CASES, run_cases

    files = args.files or sorted(CASES.glob("*.toml"))
    results = run_cases(load_settings(args.config), files)
    for r in results:
        print(f"{'ok  ' if not r.problems else 'FAIL'} {r.source}: {r.name}")
        for problem in r.problems:
            print(f"       {problem}")
    failed = sum(1 for r in results if r.problems)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
