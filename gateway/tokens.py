"""Demo tokens, signed with the committed demo key; only the demo configuration trusts them.

They are shaped like HMPPS Auth's, plus the demo's own `org` and `staff_code` claims, which
the default claim mapping reads (`[auth.claims]`; HMPPS Auth's own tokens are mapped from
client id, roles and a staff lookup instead).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jwt

from gateway.auth_settings import AUDIENCE, DEMO_ISSUER, DEMO_KEYS

DEFAULT_SCOPES = ("read", "custody:read", "risk:read")


def mint(org: str, scopes: Iterable[str] = DEFAULT_SCOPES, *, staff: str | None = None,
         username: str | None = None, ttl_seconds: int = 8 * 3600,
         subject: str | None = None, now: float | None = None) -> str:
    """An RS256 JWT shaped like an HMPPS Auth token, plus the organisation claims."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {
        "iss": DEMO_ISSUER, "aud": AUDIENCE, "iat": issued, "nbf": issued,
        "exp": issued + ttl_seconds, "jti": uuid.uuid4().hex,
        "sub": subject or username or f"{org.lower()}-client",
        "client_id": f"{org.lower()}-client", "scope": sorted(set(scopes)), "org": org,
        "authorities": ["ROLE_CASEGRAPH"],
        "auth_source": "delius" if username else "none",
    }
    if username:
        claims["user_name"] = username
    if staff:
        claims["staff_code"] = staff
    return sign(claims)


def sign(claims: Mapping[str, Any]) -> str:
    """Any JSON claims, signed with the demo key as they are (PyJWT's `encode` would refuse
    some shapes; tests sign the shapes `mint` never makes)."""
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jwt.PyJWS().encode(payload, _demo_key(), algorithm="RS256",
                              headers={"kid": "casegraph-demo", "typ": "JWT"})


@cache
def _demo_key() -> Any:
    """Loaded once: loading checks the RSA key, which costs about 100 ms each time."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key((DEMO_KEYS / "demo-private.pem").read_bytes(), password=None)
