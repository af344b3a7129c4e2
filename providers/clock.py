"""Time as a dependency. Code that waits, expires or cools down takes a `Clock`, so a test
moves time forward instead of sleeping and hoping; production passes nothing and gets the
system's clocks."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Wall time for instants other systems write down (a token's `exp`), monotonic time for
    intervals (cool-downs, refreshes), and the one way to wait."""

    def time(self) -> float: ...
    def monotonic(self) -> float: ...
    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """`time.time`, `time.monotonic` and `asyncio.sleep`."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM: Clock = SystemClock()
