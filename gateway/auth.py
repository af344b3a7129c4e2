"""Bearer JWT verification (PyJWT) and the mapping of HMPPS Auth-style claims to a Principal.

Keys come from configured PEM files or a JWKS URL (fetched with httpx, cached, refetched on
an unknown key id at most once a minute). Any failure is `AuthError`: HTTP 401, no detail
beyond what a client can fix.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import httpx
import jwt

from gateway.settings import AuthSettings
from policies.principal import ORG_TYPES, Principal
from providers.clock import SYSTEM, Clock

ALGORITHMS = ["RS256", "ES256"]
_ORG_TYPE_BY_CODE = ((re.compile(r"^C\d\d$"), "CRC"), (re.compile(r"^N\d\d$"), "NPS"),
                     (re.compile(r"^HQ$"), "HQ"), (re.compile(r"^[A-Z]{3}$"), "PRISON"))
JWKS_REFRESH_SECONDS = 60
VERIFIED_SECONDS = 60  # how long a verified token is trusted without checking it again
VERIFIED_MAX = 4096  # tokens remembered at once


class AuthError(Exception):
    code: ClassVar[str] = "UNAUTHENTICATED"


def organisation_type(code: str, claimed: str | None) -> str:
    """The claimed type when valid, else the one the code's shape implies."""
    if claimed is not None:
        if claimed not in ORG_TYPES:
            raise AuthError(f"token claim org_type must be one of {list(ORG_TYPES)}")
        return claimed
    for pattern, kind in _ORG_TYPE_BY_CODE:
        if pattern.match(code):
            return kind
    raise AuthError("token claim org is not an organisation code this gateway knows")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    org = claims.get("org")
    if not isinstance(org, str) or not org:
        raise AuthError("token has no org claim (the caller's organisation code)")
    scope = claims.get("scope", [])
    scopes = frozenset(scope.split() if isinstance(scope, str) else scope)
    trusted_user = claims.get("auth_source") == "delius"
    return Principal(
        subject=str(claims["sub"]), org=org,
        org_type=organisation_type(org, claims.get("org_type")), scopes=scopes,
        staff_code=claims.get("staff_code") if trusted_user else None,
        username=claims.get("user_name") if trusted_user else None,
        client_id=claims.get("client_id"))


class TokenVerifier:
    """Verifies signature, issuer, audience, expiry and not-before; returns the Principal."""

    def __init__(self, settings: AuthSettings, clock: Clock = SYSTEM) -> None:
        self._settings = settings
        self._clock = clock
        self._static = [_load_pem(p) for p in settings.public_keys]
        self._jwks: dict[str, Any] = {}
        self._jwks_fetched = float("-inf")  # never
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def principal(self, authorization: str | None) -> Principal:
        token = _bearer(authorization)
        now = self._clock.time()
        remembered = self._verified.get(token)
        if remembered is not None and now < remembered[1]:
            return remembered[0]
        try:
            header = jwt.get_unverified_header(token)
            for key in await self._candidate_keys(header.get("kid")):
                try:
                    claims = self._decode(token, key)
                except jwt.InvalidSignatureError:
                    continue
                found = principal_from_claims(claims)
                self._remember(token, found, now, claims)
                return found
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError("token is not valid yet") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"token rejected: {exc}") from exc
        raise AuthError("token signature does not match a trusted key")

    def _remember(self, token: str, principal: Principal, now: float,
                  claims: dict[str, Any]) -> None:
        """A machine client sends one token for many requests: verify its signature once.
        Kept until it expires (as `jwt.decode` would judge, leeway included) or for
        VERIFIED_SECONDS, whichever is sooner, so a withdrawn signing key stops being
        trusted within that time."""
        until = min(float(claims["exp"]) + self._settings.leeway_seconds,
                    now + VERIFIED_SECONDS)
        if len(self._verified) >= VERIFIED_MAX:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, until)

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        s = self._settings
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=ALGORITHMS, audience=s.audience, issuer=s.issuer or None,
            leeway=s.leeway_seconds, options={"require": ["exp", "sub", "iss", "aud"]})
        # PyJWT judged the lifetime by the system clock; judge expiry by ours too (the same
        # clock in production; a test's moves).
        if float(claims["exp"]) + s.leeway_seconds <= self._clock.time():
            raise jwt.ExpiredSignatureError("Signature has expired")
        return claims

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
        except (httpx.HTTPError, ValueError, KeyError, jwt.PyJWKError) as exc:
            raise AuthError("the token issuer's keys could not be fetched") from exc


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise AuthError("send a bearer token: Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be `Bearer <token>`")
    return token.strip()


def _load_pem(path: Any) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(path.read_bytes())
