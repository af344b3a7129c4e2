"""Why a request is not authenticated: one exception and a fixed set of messages.

Every message is ours and stable, names no library and quotes nothing from the token, so a
client can match on it and a hostile token cannot make it say anything (a malformed token's
error once quoted a Python codec message).
"""

from __future__ import annotations

from typing import ClassVar

NO_TOKEN = "send a bearer token: Authorization: Bearer <token>"
NOT_BEARER = "the Authorization header must be `Bearer <token>`"
MALFORMED = "the token is not a well-formed JWT"
ALGORITHM = "the token's signing algorithm is not accepted (RS256 or ES256)"
SIGNATURE = "the token's signature does not match a trusted key"
KEYS_UNAVAILABLE = "the token issuer's keys could not be fetched"
EXPIRED = "the token has expired"
NOT_YET_VALID = "the token is not valid yet"
ISSUER = "the token's issuer is not trusted here"
AUDIENCE = "the token's audience is not this gateway"
NO_ORGANISATION = "the token maps to no organisation"
UNKNOWN_ORGANISATION = "the token's organisation is not one this gateway knows"
TWO_ORGANISATIONS = "the token maps to more than one organisation"

# Claims whose shape is checked (gateway/claims.py); each has one message of its own.
CHECKED_CLAIMS = ("sub", "iss", "aud", "exp", "nbf", "iat", "jti", "client_id", "user_name",
                  "auth_source", "user_id", "name", "authorities", "scope", "org",
                  "staff_code")
NOT_AN_OBJECT = "the token's claims are not a JSON object"


def bad_claim(name: str) -> str:
    """The message for a missing or malformed claim (`name` is one of CHECKED_CLAIMS)."""
    return f"token claim `{name}` is missing or malformed"


MESSAGES = frozenset({
    NO_TOKEN, NOT_BEARER, MALFORMED, ALGORITHM, SIGNATURE, KEYS_UNAVAILABLE, EXPIRED,
    NOT_YET_VALID, ISSUER, AUDIENCE, NO_ORGANISATION, UNKNOWN_ORGANISATION, TWO_ORGANISATIONS,
    NOT_AN_OBJECT, *map(bad_claim, CHECKED_CLAIMS)})


class AuthError(Exception):
    """HTTP 401 with UNAUTHENTICATED; the message is always one of MESSAGES."""

    code: ClassVar[str] = "UNAUTHENTICATED"

    def __init__(self, message: str) -> None:
        assert message in MESSAGES, message  # a new reason gets a constant above
        super().__init__(message)
