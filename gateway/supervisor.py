"""`casegraph serve --workers N`: a supervisor that never loads the application.

It imports nothing but the standard library (about 12 MiB resident, where a process holding
the gateway holds over 100), and:
- first runs one `serve --preflight` child, which builds the app (every configuration and
  policy check), checks the providers and prints the banner, so a bad configuration stops
  everything before any worker starts;
- starts N workers (`serve --worker`, each binding the port with SO_REUSEPORT);
- restarts a worker that dies, after a backoff that doubles with each quick death (0.5 s up
  to 30 s) and resets once a worker has lived a minute;
- on SIGTERM or SIGINT drains: each worker is sent SIGTERM (uvicorn stops accepting, lets
  requests in flight finish, then exits), and any still running after the grace period is
  killed. The supervisor then exits 0.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("casegraph.supervisor")

FIRST_DELAY, MAX_DELAY, STABLE_SECONDS = 0.5, 30.0, 60.0


@dataclass
class Backoff:
    """When a worker slot may be restarted, from how quickly its workers have died."""

    first: float = FIRST_DELAY
    maximum: float = MAX_DELAY
    stable: float = STABLE_SECONDS
    failures: int = 0

    def delay(self, lived: float) -> float:
        """The wait before the next start, given how long the worker that died lived."""
        if lived >= self.stable:
            self.failures = 0
        self.failures += 1
        return min(self.maximum, self.first * 2 ** (self.failures - 1))


@dataclass
class Slot:
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restart_at: float | None = None
    backoff: Backoff = field(default_factory=Backoff)
    restarts: int = 0


class Supervisor:
    """N worker processes kept running until told to stop."""

    def __init__(self, command: list[str], workers: int, grace_seconds: float = 20.0,
                 clock: Callable[[], float] = time.monotonic,
                 spawn: Callable[[list[str]], subprocess.Popen[bytes]] | None = None) -> None:
        self.slots = [Slot(command) for _ in range(workers)]
        self.grace = grace_seconds
        self.clock = clock
        self.spawn = spawn or (lambda argv: subprocess.Popen(argv))
        self.stopping = False

    def start(self) -> None:
        for slot in self.slots:
            self._start(slot)

    def _start(self, slot: Slot) -> None:
        slot.process = self.spawn(slot.command)
        slot.started, slot.restart_at = self.clock(), None

    def tick(self) -> None:
        """Notice dead workers and restart those whose backoff has passed."""
        now = self.clock()
        for number, slot in enumerate(self.slots):
            if slot.process is not None and slot.process.poll() is not None:
                code, lived = slot.process.returncode, now - slot.started
                slot.process = None
                delay = slot.backoff.delay(lived)
                slot.restart_at = now + delay
                log.error("worker %s exited with %s after %.1f s; restarting in %.1f s",
                          number, code, lived, delay)
            if slot.process is None and slot.restart_at is not None and now >= slot.restart_at:
                slot.restarts += 1
                self._start(slot)

    def drain(self) -> None:
        """SIGTERM every worker, wait up to the grace period, then kill what is left."""
        self.stopping = True
        running = [s.process for s in self.slots if s.process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = self.clock() + self.grace
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                log.error("a worker did not finish within %.0f s; killed", self.grace)
                process.kill()
                process.wait()

    def run(self, poll_seconds: float = 0.2) -> int:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        signal.signal(signal.SIGINT, lambda *_: setattr(self, "stopping", True))
        self.start()
        while not self.stopping:
            self.tick()
            time.sleep(poll_seconds)
        self.drain()
        return 0


def worker_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "gateway.cli", "serve", *args]


def supervise(host: str, port: int, workers: int, config: str | None,
              grace_seconds: float, traces: str | None = None) -> int:
    """Check the configuration in a child, then run and keep N workers."""
    logging.basicConfig(level=logging.INFO, format="casegraph supervisor: %(message)s")
    common = ["--host", host, "--port", str(port), "--grace-seconds", str(grace_seconds)]
    common += ["--config", config] if config else []
    common += ["--traces", traces] if traces else []
    checked = subprocess.run([*worker_command(["--preflight", "--workers", str(workers),
                                               *common])])
    if checked.returncode != 0:
        return checked.returncode
    return Supervisor(worker_command(["--worker", *common]), workers, grace_seconds).run()
