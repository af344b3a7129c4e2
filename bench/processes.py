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


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


@contextmanager
def process(args: list[str], ready_url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start `casegraph ARGS`, wait until `ready_url` answers, stop it afterwards."""
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gateway.cli", *args], stdout=out,
                                stderr=subprocess.STDOUT, env=ENV)
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
        self.pid, self.samples = pid, []
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
