"""The CPU time a document's own work takes: this thread's CPU time, less the time the garbage
collector spent in it. A collection runs in whichever request happens to allocate when a
generation fills, and a full one in a large process takes hundreds of milliseconds: counting it
would refuse an ordinary query because of what the process did before."""

from __future__ import annotations

import gc
import threading
import time
from typing import Any


class WorkTime:
    """A clock (seconds) that stops while the collector runs in the calling thread."""

    def __init__(self) -> None:
        self._local = threading.local()
        gc.callbacks.append(self._collected)

    def _collected(self, phase: str, _info: dict[str, Any]) -> None:
        local = self._local
        if phase == "start":
            local.started = time.thread_time()
            return
        started = getattr(local, "started", None)
        if started is not None:
            local.spent = getattr(local, "spent", 0.0) + time.thread_time() - started
            local.started = None

    def __call__(self) -> float:
        return time.thread_time() - getattr(self._local, "spent", 0.0)


WORK_TIME = WorkTime()  # one per process: each instance adds a collector callback
