"""Bearer JWT verification: signature by PyJWT, then our own checks, then the claim mapping.

Keys come from configured PEM files or a JWKS URL (fetched with httpx, cached, refetched on
an unknown key id at most once a minute). PyJWT checks only the signature; the claims'
shapes, dates, issuer and audience are checked by `gateway.claims` against an injected
clock, so every refusal is an `AuthError` (HTTP 401) with one of a fixed set of messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
import jwt
from jwt.types import Options

from gateway import claims as checks
from gateway import rejections
from gateway.auth_settings import AuthSettings
from gateway.rejections import AuthError
from policies.principal import Principal
from providers.clock import SYSTEM, Clock

__all__ = ["AuthError", "TokenVerifier"]

ALGORITHMS = ["RS256", "ES256"]
JWKS_REFRESH_SECONDS = 60
VERIFIED_SECONDS = 60  # how long a verified token is trusted without checking it again
VERIFIED_MAX = 4096  # tokens remembered at once
_SIGNATURE_ONLY: Options = {
    "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
    "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False}
# Errors a crafted token can provoke inside PyJWT (or the JSON and base64 decoders under it).
_DECODE_ERRORS = (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError)


class TokenVerifier:
    """Verifies a bearer token and maps its claims to a Principal; `clock` is the time now
    in seconds since the epoch (injected so tests need not sleep)."""

    def __init__(self, settings: AuthSettings, clock: Clock = SYSTEM) -> None:
        self._settings = settings
        self._clock = clock
        self._static = [_load_pem(p) for p in settings.public_keys]
        self._jwks: dict[str, Any] = {}
        self._jwks_fetched = -float("inf")
        self._verified: dict[str, tuple[Principal, float, float]] = {}

    async def principal(self, authorization: str | None) -> Principal:
        return (await self.verified(authorization))[0]

    async def verified(self, authorization: str | None) -> tuple[Principal, float]:
        """The principal and the instant its token stops being accepted (`exp` plus the
        leeway): a subscription ends then."""
        token = _bearer(authorization)
        now = self._clock.time()
        remembered = self._verified.get(token)
        if remembered is not None and now < remembered[1]:
            return remembered[0], remembered[2]
        claims = await self._claims(token, now)
        found = await self._settings.mapping.principal(claims, self._settings.organisations)
        self._remember(token, found, now, claims["exp"])
        return found, claims["exp"] + self._settings.leeway_seconds

    async def _claims(self, token: str, now: float) -> Mapping[str, Any]:
        """The signed claims, checked; AuthError with our message otherwise."""
        s = self._settings
        for key in await self._candidate_keys(_guarded(_key_id, token)):
            claims = _guarded(_signed_claims, token, key)
            if claims is not None:
                checked = checks.well_formed(claims)
                checks.current(checked, now, s.leeway_seconds, s.issuer or None, s.audience,
                               s.audience_required)
                return checked
        raise AuthError(rejections.SIGNATURE)

    def _remember(self, token: str, principal: Principal, now: float, exp: float) -> None:
        """A machine client sends one token for many requests: verify its signature once.
        Kept until it expires (leeway included) or for VERIFIED_SECONDS, whichever is
        sooner, so a withdrawn signing key stops being trusted within that time."""
        until = min(exp + self._settings.leeway_seconds, now + VERIFIED_SECONDS)
        if len(self._verified) >= VERIFIED_MAX:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, until, exp + self._settings.leeway_seconds)

    async def _candidate_keys(self, kid: str | None) -> list[Any]:
        if not self._settings.jwks_url:
            return self._static
        stale = self._clock.monotonic() - self._jwks_fetched > JWKS_REFRESH_SECONDS
        if kid not in self._jwks and stale:
            await self._fetch_jwks()
        found = self._jwks.get(kid) if kid else None
        return [found] if found is not None else list(self._jwks.values()) + self._static

    async def _fetch_jwks(self) -> None:
        self._jwks_fetched = self._clock.monotonic()
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self._settings.jwks_url or "")
                response.raise_for_status()
                keys = response.json()["keys"]
            self._jwks = {k.get("kid", str(i)): jwt.PyJWK(k).key for i, k in enumerate(keys)}
            self._verified.clear()  # keys changed: judge every token again
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError,
                jwt.PyJWTError) as exc:
            raise AuthError(rejections.KEYS_UNAVAILABLE) from exc


def _key_id(token: str) -> str | None:
    kid = jwt.get_unverified_header(token).get("kid")
    return kid if isinstance(kid, str) else None


def _signed_claims(token: str, key: Any) -> Any:
    """The payload if `key` signed the token, else None. Only the signature is PyJWT's to
    check: dates, issuer and audience are `gateway.claims`'s."""
    try:
        return jwt.decode(token, key, algorithms=ALGORITHMS, options=_SIGNATURE_ONLY)
    except (jwt.InvalidSignatureError, jwt.InvalidKeyError):
        return None


def _guarded(call: Callable[..., Any], *args: Any) -> Any:
    """Run a decoding step; whatever a crafted token makes it raise becomes our message."""
    try:
        return call(*args)
    except jwt.InvalidAlgorithmError as exc:
        raise AuthError(rejections.ALGORITHM) from exc
    except _DECODE_ERRORS as exc:
        raise AuthError(rejections.MALFORMED) from exc


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise AuthError(rejections.NO_TOKEN)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(rejections.NOT_BEARER)
    return token.strip()


def _load_pem(path: Any) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(path.read_bytes())
