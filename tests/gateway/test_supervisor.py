"""`casegraph serve --workers N`: a small supervisor that restarts dead workers and drains.

The real-process tests start the supervisor as `casegraph` does, over the nDelius simulator
(real HTTP on loopback), and read memory from /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.processes import free_port, memory_kib, process, simulator
from gateway.supervisor import Backoff, Supervisor
from gateway.tokens import mint

ROOT = Path(__file__).parents[2]


def test_backoff_doubles_with_each_quick_death_and_resets_after_a_stable_run():
    backoff = Backoff(first=0.5, maximum=4.0, stable=60.0)
    assert [backoff.delay(lived=1.0) for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff.delay(lived=61.0) == 0.5


class FakeProcess:
    def __init__(self) -> None:
        self.returncode: int | None = None
        self.signals: list[int] = []

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, signum: int) -> None:
        self.signals.append(signum)
        self.returncode = 0

    def wait(self, timeout: float | None = None) -> int:
        assert self.returncode is not None
        return self.returncode


def test_a_dead_worker_is_restarted_after_its_backoff_and_only_then():
    now = [0.0]
    started: list[FakeProcess] = []

    def spawn(_: list[str]) -> Any:
        started.append(FakeProcess())
        return started[-1]

    supervisor = Supervisor(["worker"], 2, clock=lambda: now[0], spawn=spawn)
    supervisor.start()
    started[0].returncode = -9
    now[0] = 1.0
    supervisor.tick()
    assert len(started) == 2  # not yet: 0.5 s of backoff
    now[0] = 1.6
    supervisor.tick()
    assert len(started) == 3 and supervisor.slots[0].restarts == 1
    started[2].returncode = 1  # dies again at once: twice the wait
    now[0] = 1.7
    supervisor.tick()
    now[0] = 2.5
    supervisor.tick()
    assert len(started) == 3
    now[0] = 2.8
    supervisor.tick()
    assert len(started) == 4
    supervisor.drain()
    assert started[3].signals == [signal.SIGTERM] and started[1].signals == [signal.SIGTERM]


@pytest.fixture(scope="module")
def delius(tmp_path_factory) -> Iterator[str]:
    with simulator("delius", 0.0, tmp_path_factory.mktemp("sim")) as url:
        yield url


def _config(tmp_path: Path, delius: str) -> Path:
    """Only nDelius: no embedded dataset to build in each process."""
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[auth]\ndemo = true\n'
        f'[providers.delius]\ntype = "delius"\nbase_url = "{delius}"\n'
        'client_secret_env = "DELIUS_CLIENT_SECRET"\n'
        '[bindings]\noffender = "delius"\noffender_by_noms = "delius"\n'
        f'[audit]\npath = "{tmp_path / "audit.jsonl"}"\n[cache]\nbackend = "none"\n')
    return config


@contextmanager
def _supervisor(tmp_path: Path, delius: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    args = ["serve", "--config", str(_config(tmp_path, delius)), "--port", str(port),
            "--workers", "2", "--grace-seconds", "10"]
    with process(args, f"http://127.0.0.1:{port}/healthz", tmp_path / "serve.log") as proc:
        _wait_for_workers(proc.pid, 2)
        yield proc, port


@pytest.fixture(scope="module")
def supervised(tmp_path_factory, delius) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    with _supervisor(tmp_path_factory.mktemp("supervised"), delius) as found:
        yield found


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


def _wait_for_workers(pid: int, count: int, avoid: set[int] = frozenset()) -> list[int]:  # type: ignore[assignment]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [w for w in _workers(pid) if w not in avoid]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {count} workers under {pid}")


QUERY = {"query": '{ offender(crn: "X000001") { crn } }'}


def _ask(port: int, timeout: float = 20) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{port}/graphql", json=QUERY, timeout=timeout,
                      headers={"Authorization": f"Bearer {mint('C01')}"})


def test_the_supervisor_holds_no_application_and_stays_small(supervised):
    proc, port = supervised
    assert memory_kib(proc.pid) - sum(memory_kib(w) for w in _workers(proc.pid)) < 30 * 1024
    assert _ask(port).json()["data"] == {"offender": {"crn": "X000001"}}


def test_a_worker_that_dies_is_replaced(supervised):
    proc, port = supervised
    before = set(_workers(proc.pid))
    os.kill(min(before), signal.SIGKILL)
    replaced = _wait_for_workers(proc.pid, 1, avoid=before)
    assert replaced and proc.poll() is None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_workers(proc.pid)) < 2:
        time.sleep(0.1)
    assert len(_workers(proc.pid)) == 2
    answers = [_ask(port).status_code for _ in range(6)]  # whichever worker takes them
    assert answers == [200] * 6


def _until(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _refused(port: int) -> bool:
    """Refused: the connection is not served, whether the listener is gone or resets it.

    A connection the kernel accepted into the backlog just before the listener
    closed is reset rather than refused; either way no request was handled.
    """
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
        return True
    return False


def test_sigterm_lets_requests_in_flight_finish_refuses_new_ones_then_exits(tmp_path, delius):
    with _supervisor(tmp_path, delius) as (proc, port):
        _drains(proc, port, delius)


def _drains(proc: subprocess.Popen[bytes], port: int, delius: str) -> None:
    httpx.delete(f"{delius}/_sim/stats", timeout=5)
    httpx.post(f"{delius}/_sim/faults", json={"latency_ms": 3000}, timeout=5)
    answer: dict[str, Any] = {}
    slow = threading.Thread(target=lambda: answer.setdefault("response", _ask(port)))
    slow.start()
    _until(lambda: httpx.get(f"{delius}/_sim/stats", timeout=5).json()["total"] > 0)
    proc.send_signal(signal.SIGTERM)  # the request now waits on the slow backend
    _until(lambda: _refused(port))
    assert slow.is_alive(), "refused only once the request in flight had finished"
    slow.join(timeout=30)
    assert answer["response"].status_code == 200
    assert answer["response"].json()["data"] == {"offender": {"crn": "X000001"}}
    assert proc.wait(timeout=15) == 0
    httpx.post(f"{delius}/_sim/faults", json={"latency_ms": 0}, timeout=5)
