"""The `casegraph` command's entry: `serve --workers N` starts the supervisor without loading
the application (`gateway.supervisor`); everything else is `gateway.cli`."""

from __future__ import annotations

import argparse
import sys


def supervised(argv: list[str]) -> argparse.Namespace | None:
    """The serve options when `argv` asks for a supervisor of several workers, else None."""
    if not argv or argv[0] != "serve" or "--worker" in argv or "--preflight" in argv:
        return None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--grace-seconds", type=float, default=20.0)
    parser.add_argument("--traces", choices=["none", "console", "otlp"])
    try:
        found, rest = parser.parse_known_args(argv[1:])
    except SystemExit:
        return None  # gateway.cli says what is wrong
    return found if found.workers > 1 and not rest else None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if (found := supervised(argv)) is not None:
        from gateway.supervisor import supervise

        return supervise(found.host, found.port, found.workers, found.config,
                         found.grace_seconds, found.traces)
    from gateway.cli import main as cli

    return cli(argv)


if __name__ == "__main__":
    sys.exit(main())
