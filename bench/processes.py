"""Real processes for the benchmark: simulators and gateways, with CPU and memory from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from providers.simulation import CLIENT_SECRET

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ENV = {**os.environ, "DELIUS_CLIENT_SECRET": CLIENT_SECRET, "NOMIS_CLIENT_SECRET": CLIENT_SECRET,
       "PYTHONUNBUFFERED": "1"}


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def family(pid: int) -> list[int]:
    """The process and its descendants (a gateway's worker processes)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(current := todo.pop())
        todo.extend(children.get(current, ()))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU used by the process and its live descendants."""
    total = 0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    """Resident (or peak, with VmHWM) memory of the process and its descendants, summed."""
    total = 0
    for member in family(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        total += next((int(x.split()[1]) for x in lines if x.startswith(field + ":")), 0)
    return total


@contextmanager
def process(args: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None,
            checkout: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Start `casegraph ARGS` (from another `checkout`'s code when given), wait until
    `ready_url` answers, stop it afterwards."""
    where = {"PYTHONPATH": str(checkout)} if checkout is not None else {}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gateway.launch", *args], stdout=out,
                                stderr=subprocess.STDOUT, env={**ENV, **where, **(env or {})},
                                cwd=checkout)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(ready_url, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{args[0]} exited: {log.read_text()}") from None
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{args[0]} did not start: {log.read_text()}")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@contextmanager
def simulator(system: str, latency_ms: float, out: Path) -> Iterator[str]:
    port = free_port()
    with process(["simulate", system, "--port", str(port), "--latency-ms", str(latency_ms)],
                 f"http://127.0.0.1:{port}/_sim/stats", out / f"{system}.log"):
        yield f"http://127.0.0.1:{port}"


class MemorySampler:
    """Samples a process's resident memory every half second while a workload runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(memory_kib(self.pid))
            self._stop.wait(0.5)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
