"""A circuit breaker: stop calling a failing backend, probe it again after a cool-down.

closed --(threshold consecutive failures)--> open --(cool-down passes)--> half-open
half-open --(probe succeeds)--> closed;  half-open --(probe fails)--> open

Only the backend's own failures count. A failure that a request's input may have caused (an
HTTP 500) counts once per distinct request, however often it is repeated: one client sending
the same poisonous input cannot open the circuit for everyone, while a backend failing every
request still trips it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from providers.clock import SYSTEM, Clock


@dataclass
class Breaker:
    threshold: int = 5
    cooldown_seconds: float = 10.0
    failures: int = 0
    opened_at: float | None = None
    probing: bool = field(default=False)
    suspects: set[int] = field(default_factory=set)  # requests that failed this run, by key
    clock: Clock = field(default=SYSTEM, repr=False, compare=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock.monotonic() - self.opened_at >= self.cooldown_seconds:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        """May a call go through now? In half-open, only one probe at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half-open" and not self.probing:
            self.probing = True
            return True
        return False

    def succeeded(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False
        self.suspects.clear()

    def release(self) -> None:
        """A probe ended without a verdict on the backend's health (deadline, bad data)."""
        self.probing = False

    def failed(self, suspect: int | None = None) -> None:
        """A failed call; `suspect` keys a request whose input may be the cause."""
        self.probing = False
        if suspect is not None:
            if suspect in self.suspects:
                return
            if len(self.suspects) < 4 * self.threshold:
                self.suspects.add(suspect)
        self.failures += 1
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = self.clock.monotonic()
