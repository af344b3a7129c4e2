"""Every request needs a verified bearer token; failures are a JSON 401 with UNAUTHENTICATED."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway import auth, rejections, tokens
from gateway.auth import AuthError, TokenVerifier
from gateway.auth_settings import DEMO_KEYS
from gateway.settings import AuthSettings
from tests.clock import FakeClock

QUERY = {"query": "{ viewer { organisation organisationType scopes staffCode } }"}
NOW = 1_800_000_000  # a fixed clock: no test here waits for time to pass


async def _status(client, headers):
    response = await client.post("/graphql", json=QUERY, headers=headers)
    return response.status_code, response.json()


def _foreign_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    now = int(time.time())
    return jwt.encode({"iss": "casegraph-demo", "aud": "casegraph", "sub": "x", "org": "C01",
                       "exp": now + 60, "iat": now}, pem, algorithm="RS256")


def _signed(**claims) -> str:
    now = int(time.time())
    return tokens.sign({"iss": "casegraph-demo", "aud": "casegraph", "sub": "x",
                        "exp": now + 600, "org": "C01", **claims})


def _signed_bytes(payload: bytes) -> str:
    """A validly signed token whose payload is not UTF-8: PyJWT's
    own error for it quotes a Python codec message."""
    key = (DEMO_KEYS / "demo-private.pem").read_bytes()
    return jwt.PyJWS().encode(payload, key, algorithm="RS256")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


HQ_NEWLINE = _signed(org="HQ\n")
BAD = {
    "none": ({}, rejections.NO_TOKEN),
    "basic": ({"Authorization": "Basic dXNlcjpwYXNz"}, rejections.NOT_BEARER),
    "empty": ({"Authorization": "Bearer"}, rejections.NOT_BEARER),
    "garbage": (_bearer("not-a-jwt"), rejections.MALFORMED),
    "not-utf8": (_bearer(_signed_bytes(b'{"sub": "\xc3\x28"}')), rejections.MALFORMED),
    "alg-none": (_bearer(jwt.encode({"sub": "x"}, "", algorithm="none")),
                 rejections.ALGORITHM),
    "expired": (_bearer(tokens.mint("C01", ttl_seconds=-120)), rejections.EXPIRED),
    "not-yet-valid": (_bearer(tokens.mint("C01", now=time.time() + 3600)),
                      rejections.NOT_YET_VALID),
    "foreign-key": (_bearer(_foreign_token()), rejections.SIGNATURE),
    "unknown-org": (_bearer(tokens.mint("Z9")), rejections.UNKNOWN_ORGANISATION),
    "unknown-three-letters": (_bearer(tokens.mint("ZZZ")), rejections.UNKNOWN_ORGANISATION),
    "org-newline": (_bearer(HQ_NEWLINE), rejections.bad_claim("org")),
    "scope-number": (_bearer(_signed(scope=7)), rejections.bad_claim("scope")),
    "scope-null": (_bearer(_signed(scope=None)), rejections.bad_claim("scope")),
    "scope-nested": (_bearer(_signed(scope=[["read"]])), rejections.bad_claim("scope")),
    "user-name-list": (_bearer(_signed(user_name=["a"], auth_source="delius")),
                       rejections.bad_claim("user_name")),
    "exp-string": (_bearer(_signed(exp="tomorrow")), rejections.bad_claim("exp")),
    "no-subject": (_bearer(_signed(sub=None)), rejections.bad_claim("sub")),
    "wrong-issuer": (_bearer(_signed(iss="https://evil")), rejections.ISSUER),
}


@pytest.mark.parametrize("headers, message", BAD.values(), ids=BAD)
async def test_bad_or_missing_tokens_are_a_json_401_with_our_own_message(client, headers,
                                                                         message):
    response = await client.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"] == [
        {"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]


async def test_a_valid_token_reaches_the_schema(client):
    status, body = await _status(client, {"Authorization": f"Bearer {tokens.mint('N02')}"})
    assert status == 200 and body["data"]["viewer"]["organisation"] == "N02"


async def test_the_organisation_type_comes_only_from_the_code(client):
    status, body = await _status(client, _bearer(_signed(org_type="HQ")))
    assert status == 200
    assert body["data"]["viewer"]["organisationType"] == "CRC"  # C01, whatever org_type says


def test_wrong_audience_is_rejected():
    verifier = TokenVerifier(AuthSettings(audience="someone-else"))
    import asyncio

    with pytest.raises(AuthError, match=r"(?i)audience"):
        asyncio.run(verifier.principal(f"Bearer {tokens.mint('C01')}"))


async def test_a_username_counts_only_from_a_delius_user():
    verifier = TokenVerifier(AuthSettings())
    person = await verifier.principal(
        f"Bearer {tokens.mint('C05', staff='C05T101', username='jo')}")
    assert (person.username, person.staff_code) == ("jo", "C05T101")
    claimed = await verifier.principal(
        f"Bearer {_signed(user_name='claimed', auth_source='nomis', staff_code='C01T101')}")
    assert claimed.username is None and claimed.staff_code is None


async def test_a_token_is_verified_once_and_trusted_only_until_it_expires(monkeypatch):
    clock = FakeClock(start=NOW)
    verifier = TokenVerifier(AuthSettings(leeway_seconds=0), clock=clock)
    decoded = []
    real = auth._signed_claims
    monkeypatch.setattr(auth, "_signed_claims", lambda t, k: decoded.append(t) or real(t, k))
    token = tokens.mint("C01", ttl_seconds=1, now=NOW)
    other = tokens.mint("C02", now=NOW)
    for _ in range(3):
        assert (await verifier.principal(f"Bearer {token}")).org == "C01"
    assert (await verifier.principal(f"Bearer {other}")).org == "C02"
    assert decoded == [token, other]  # one signature check per token, not per request

    clock.advance(1)  # the first token's last second is over
    with pytest.raises(AuthError, match="expired"):
        await verifier.principal(f"Bearer {token}")

    clock.advance(auth.VERIFIED_SECONDS)
    decoded.clear()
    assert (await verifier.principal(f"Bearer {other}")).org == "C02"
    assert decoded == [other]  # remembered for at most VERIFIED_SECONDS, then checked again


async def test_the_default_leeway_of_30_seconds_accepts_a_token_just_past_its_expiry():
    clock = FakeClock(start=NOW + 10)
    verifier = TokenVerifier(AuthSettings(), clock=clock)
    token = tokens.mint("C01", ttl_seconds=1, now=NOW)
    assert (await verifier.principal(f"Bearer {token}")).org == "C01"
    clock.advance(21)
    with pytest.raises(AuthError, match="expired"):
        await verifier.principal(f"Bearer {token}")
