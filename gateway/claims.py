"""The claims of a signed token, checked against a schema before anything reads them.

A signature proves who issued a token, not that its claims have the shapes we read: a
`scope` that is a number or a `user_name` that is a list once reached the mapping and became
an HTTP 500. Every claim we read has a type, a bounded size and, for identifiers, a pattern
anchored at both ends (`\\A...\\Z`: `$` would let "HQ\\n" through). Claims we do not read
(such as `org_type`) are ignored: nothing derives from them.

Expiry, not-before, issuer and audience are checked here too, against an injected clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from gateway import rejections
from gateway.rejections import AuthError

_NUMERIC_DATE = {"type": "integer", "minimum": 0, "maximum": 2**53}  # JSON may carry NaN
_PRINTABLE = r"\A[^\x00-\x1f\x7f]{1,256}\Z"
_SCOPE_TOKEN = r"[\x21\x23-\x5b\x5d-\x7e]{1,100}"  # RFC 6749 section 3.3
_STRINGS = {"type": "array", "maxItems": 200, "items": {"type": "string", "maxLength": 256}}


def _text(pattern: str) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern}


SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["sub", "exp"],
    "properties": {
        "sub": _text(_PRINTABLE),
        "iss": {"type": "string", "maxLength": 1000},
        "aud": {"anyOf": [{"type": "string", "maxLength": 256}, _STRINGS]},
        "exp": _NUMERIC_DATE, "nbf": _NUMERIC_DATE, "iat": _NUMERIC_DATE,
        "jti": {"type": "string", "maxLength": 256},
        "client_id": _text(r"\A[A-Za-z0-9._:@-]{1,100}\Z"),
        "user_name": _text(r"\A[A-Za-z0-9][A-Za-z0-9._@'+-]{0,99}\Z"),
        "auth_source": _text(r"\A[a-z]{1,20}\Z"),  # auth, azuread, delius, nomis, none
        "user_id": {"type": "string", "maxLength": 256},
        "name": {"type": "string", "maxLength": 256},
        "authorities": {**_STRINGS, "items": _text(r"\A[A-Za-z0-9_:.-]{1,100}\Z")},
        "scope": {"anyOf": [
            _text(rf"\A{_SCOPE_TOKEN}(?: {_SCOPE_TOKEN}){{0,99}}\Z"),
            {"type": "array", "maxItems": 100, "items": _text(rf"\A{_SCOPE_TOKEN}\Z")}]},
        "org": _text(r"\A[A-Z0-9]{2,10}\Z"),
        "staff_code": _text(r"\A[A-Z0-9]{3,10}\Z"),
    },
}
Draft202012Validator.check_schema(SCHEMA)
_VALIDATOR = Draft202012Validator(SCHEMA)
assert set(SCHEMA["properties"]) == set(rejections.CHECKED_CLAIMS)


def well_formed(claims: Any) -> Mapping[str, Any]:
    """The claims, or AuthError naming the first claim (in schema order) that is wrong."""
    if not isinstance(claims, dict):
        raise AuthError(rejections.NOT_AN_OBJECT)
    wrong = {_claim_of(error) for error in _VALIDATOR.iter_errors(claims)}
    for name in rejections.CHECKED_CLAIMS:
        if name in wrong:
            raise AuthError(rejections.bad_claim(name))
    if wrong:  # an error we cannot place: refuse all the same
        raise AuthError(rejections.MALFORMED)
    return claims


def _claim_of(error: Any) -> str:
    """The top-level claim an error is about (`required` errors name it in their message
    arguments, every other error in its path)."""
    if error.path:
        return str(error.path[0])
    if error.validator == "required":
        missing = set(error.validator_value) - set(error.instance)
        return str(sorted(missing, key=rejections.CHECKED_CLAIMS.index)[0])
    return ""


def current(claims: Mapping[str, Any], now: float, leeway: float, issuer: str | None,
            audience: str | None, audience_required: bool) -> None:
    """Raise AuthError unless the token is in date, from `issuer` and (if it names an
    audience, or one is required) for `audience`."""
    if claims["exp"] + leeway <= now:
        raise AuthError(rejections.EXPIRED)
    for name in ("nbf", "iat"):
        if name in claims and claims[name] - leeway > now:
            raise AuthError(rejections.NOT_YET_VALID)
    if issuer and claims.get("iss") != issuer:
        raise AuthError(rejections.ISSUER)
    aud = claims.get("aud")
    if aud is None and not audience_required:
        return
    named = {aud} if isinstance(aud, str) else set(aud or ())
    if audience not in named:
        raise AuthError(rejections.AUDIENCE)
