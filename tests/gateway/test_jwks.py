"""Keys from a JWKS URL: fetched with httpx, cached, refetched when a new key id appears."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.auth import JWKS_REFRESH_SECONDS, AuthError, TokenVerifier
from gateway.settings import AuthSettings
from providers.clock import SYSTEM
from tests.clock import FakeClock
from tests.servers import serving


class Issuer:
    """A token issuer whose published keys can rotate."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        self.url = ""  # where its keys are published, once served

    def rotate(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, kid: str, **claims: object) -> str:
        now = int(time.time())
        body = {"iss": "https://auth.test", "aud": "casegraph", "sub": "svc", "org": "C05",
                "exp": now + 300, "iat": now, **claims}
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})

    async def jwks(self, _request) -> JSONResponse:
        self.fetches += 1
        keys = [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())), "kid": kid,
                 "use": "sig", "alg": "RS256"} for kid, k in self.keys.items()]
        return JSONResponse({"keys": keys})


@pytest.fixture(scope="module")
def issuer():
    found = Issuer()
    found.rotate("k1")
    app = Starlette(routes=[Route("/.well-known/jwks.json", found.jwks)])
    with serving(app) as url:
        found.url = f"{url}/.well-known/jwks.json"
        yield found


def _verifier(issuer: Issuer, clock: FakeClock | None = None) -> TokenVerifier:
    return TokenVerifier(AuthSettings(issuer="https://auth.test", public_keys=(),
                                      jwks_url=issuer.url, demo=False), clock=clock or SYSTEM)


async def test_a_token_signed_by_a_published_key_is_accepted_and_keys_are_cached(issuer):
    verifier, before = _verifier(issuer), issuer.fetches
    for _ in range(3):
        principal = await verifier.principal(f"Bearer {issuer.token('k1')}")
        assert principal.org == "C05" and principal.org_type == "CRC"
    assert issuer.fetches == before + 1


async def test_a_rotated_key_is_picked_up_by_refetching_at_most_once_a_minute(issuer):
    clock = FakeClock()
    verifier, before = _verifier(issuer, clock), issuer.fetches
    await verifier.principal(f"Bearer {issuer.token('k1')}")
    issuer.rotate("k2")
    with pytest.raises(AuthError):  # an unknown key id within the minute: no refetch yet
        await verifier.principal(f"Bearer {issuer.token('k2')}")
    assert issuer.fetches == before + 1
    clock.advance(JWKS_REFRESH_SECONDS + 1)
    principal = await verifier.principal(f"Bearer {issuer.token('k2')}")
    assert principal.subject == "svc" and issuer.fetches == before + 2


async def test_a_token_from_an_unpublished_key_is_refused(issuer):
    stranger = Issuer()
    stranger.rotate("k9")
    with pytest.raises(AuthError):
        await _verifier(issuer).principal(f"Bearer {stranger.token('k9')}")


async def test_wrong_issuer_is_refused(issuer):
    with pytest.raises(AuthError, match=r"(?i)issuer"):
        await _verifier(issuer).principal(f"Bearer {issuer.token('k1', iss='https://evil')}")
