"""GraphQL errors that carry their own code; every other exception is masked at the edge.

    CasegraphError                 (code in extensions.code)
    ├── BadUserInput               BAD_USER_INPUT     arguments we cannot act on
    ├── Forbidden                  FORBIDDEN          a field the principal may not read
    └── Conflict                   CONFLICT           the systems disagree and we will not guess

Backend failures are `providers.errors.ProviderError` and keep their own codes.
"""

from __future__ import annotations

from typing import ClassVar


class CasegraphError(Exception):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"


class BadUserInput(CasegraphError):
    code: ClassVar[str] = "BAD_USER_INPUT"


class Forbidden(CasegraphError):
    code: ClassVar[str] = "FORBIDDEN"


class Conflict(CasegraphError):
    code: ClassVar[str] = "CONFLICT"
