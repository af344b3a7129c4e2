"""A real router from npm (Apollo Gateway with IntrospectAndCompose, pinned by
examples/federation/router/package-lock.json) as a child process on loopback."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gateway import tokens
from tests.servers import free_port

ROUTER = Path(__file__).parents[2] / "examples" / "federation" / "router"
START_SECONDS = 60


@contextmanager
def router(subgraphs: dict[str, str]) -> Iterator[str]:
    """The router composing `subgraphs` (name -> URL); yields its URL once it has composed.
    Composition calls `_service` with an HQ machine token, as an operator would set one."""
    if not (ROUTER / "node_modules").is_dir():
        raise RuntimeError(f"run `npm ci` in {ROUTER} (make install does)")
    port = free_port()
    env = {**os.environ, "ROUTER_PORT": str(port),
           "SUBGRAPHS": ",".join(f"{n}={u}" for n, u in subgraphs.items()),
           "INTROSPECTION_TOKEN": tokens.mint("HQ", ("read",))}
    process = subprocess.Popen(["node", "router.mjs"], cwd=ROUTER, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)
    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    try:
        while not seen or not seen[-1].startswith("ready"):
            try:
                seen.append(lines.get(timeout=START_SECONDS))
            except queue.Empty as exc:
                raise RuntimeError(f"router did not start: {''.join(seen)}") from exc
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)
