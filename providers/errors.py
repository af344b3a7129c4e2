"""casegraph's provider-side errors, in one module (nothing imports back from here).

    ConfigError                   configuration that cannot work: stops start-up, names the key

The errors a provider may raise; nothing else escapes a provider:

    ProviderError                 code BACKEND_ERROR
    ├── BackendUnavailable        code BACKEND_UNAVAILABLE   (refused, 5xx)
    │   └── CircuitOpen           code BACKEND_UNAVAILABLE   (not called: its circuit is open)
    ├── BackendTimeout            code BACKEND_TIMEOUT       (no answer within the deadline)
    └── BackendBadData            code BACKEND_BAD_DATA      (an answer we cannot trust)

Messages name the provider and what failed, never a person's data or an upstream body.
"""

from __future__ import annotations

from typing import ClassVar


class ConfigError(Exception):
    """Configuration that cannot work; the message names the key and the choices."""


class ProviderError(Exception):
    """A backend could not give a trustworthy answer."""

    code: ClassVar[str] = "BACKEND_ERROR"

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class BackendUnavailable(ProviderError):
    """No usable answer. `input_suspect` when the backend did answer, with an error that this
    request's own input may have caused (HTTP 500): not evidence that the backend is down."""

    code: ClassVar[str] = "BACKEND_UNAVAILABLE"

    def __init__(self, provider: str, message: str, *, input_suspect: bool = False) -> None:
        super().__init__(provider, message)
        self.input_suspect = input_suspect


class CircuitOpen(BackendUnavailable):
    """The backend was not called, as its circuit is open: fails at once, never retried."""


class BackendTimeout(ProviderError):
    code: ClassVar[str] = "BACKEND_TIMEOUT"


class BackendBadData(ProviderError):
    code: ClassVar[str] = "BACKEND_BAD_DATA"
