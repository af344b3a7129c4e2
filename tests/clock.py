"""A clock that moves only when a test says so, for tests with no sleeps."""

from __future__ import annotations

import asyncio
import time


class FakeClock:
    """Implements `providers.clock.Clock`. `advance` wakes every sleeper whose time it passes;
    `sleeping` waits until code under test is asleep on this clock. With `autojump`, a sleep
    moves time forward by itself (for retries and backoff nobody needs to watch).

    Wall time starts at the real time, since tokens and backends carry real timestamps."""

    def __init__(self, *, autojump: bool = False, start: float | None = None) -> None:
        self.autojump = autojump
        self._epoch = time.time() if start is None else start
        self._now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._arrived = asyncio.Event()

    def time(self) -> float:
        return self._epoch + self._now

    def monotonic(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if self.autojump or seconds <= 0:
            self._now += max(0.0, seconds)
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + seconds, wake))
        self._arrived.set()
        try:
            await wake
        finally:
            self._sleepers = [s for s in self._sleepers if s[1] is not wake]

    def advance(self, seconds: float) -> None:
        """Move time forward and wake whoever was due by then."""
        self._now += seconds
        for due, wake in self._sleepers:
            if due <= self._now and not wake.done():
                wake.set_result(None)
        self._sleepers = [s for s in self._sleepers if not s[1].done()]

    async def sleeping(self, count: int = 1, timeout: float = 10.0) -> None:
        """Return once `count` tasks are asleep on this clock (`timeout` only bounds a bug)."""
        async with asyncio.timeout(timeout):
            while len(self._sleepers) < count:
                self._arrived.clear()
                await self._arrived.wait()
