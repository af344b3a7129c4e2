"""Every request needs a verified bearer token; failures are 401 with UNAUTHENTICATED."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway import tokens
from gateway.auth import AuthError, organisation_type, principal_from_claims
from tests.clock import FakeClock

QUERY = {"query": "{ viewer { organisation } }"}


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


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-jwt"},
    {"Authorization": f"Bearer {tokens.mint('C01', ttl_seconds=-120)}"},
    {"Authorization": f"Bearer {tokens.mint('C01', now=time.time() + 3600)}"},
    {"Authorization": f"Bearer {_foreign_token()}"},
    {"Authorization": f"Bearer {tokens.mint('Z9')}"},
], ids=["none", "basic", "empty", "garbage", "expired", "not-yet-valid", "foreign-key",
        "unknown-org"])
async def test_bad_or_missing_tokens_are_401_unauthenticated(client, headers):
    status, body = await _status(client, headers)
    assert status == 401
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert "Traceback" not in str(body)


async def test_a_valid_token_reaches_the_schema(client):
    status, body = await _status(client, {"Authorization": f"Bearer {tokens.mint('N02')}"})
    assert status == 200 and body["data"] == {"viewer": {"organisation": "N02"}}


def test_wrong_audience_is_rejected():
    from gateway.auth import TokenVerifier
    from gateway.settings import AuthSettings

    verifier = TokenVerifier(AuthSettings(audience="someone-else"))
    import asyncio

    with pytest.raises(AuthError, match=r"(?i)audience"):
        asyncio.run(verifier.principal(f"Bearer {tokens.mint('C01')}"))


def test_claims_map_to_a_principal_like_hmpps_auth():
    person = principal_from_claims({"sub": "jo", "org": "C05", "scope": "read custody:read",
                                    "auth_source": "delius", "user_name": "jo",
                                    "staff_code": "C05T101", "client_id": "ui"})
    assert (person.org_type, person.username, person.staff_code) == ("CRC", "jo", "C05T101")
    assert person.scopes == {"read", "custody:read"}
    machine = principal_from_claims({"sub": "sys", "org": "N07", "scope": ["read"],
                                     "user_name": "claimed", "auth_source": "none"})
    assert machine.username is None and machine.org_type == "NPS"


def test_organisation_type_comes_from_the_claim_or_the_code():
    assert organisation_type("MDI", None) == "PRISON"
    assert organisation_type("HQ", None) == "HQ"
    assert organisation_type("C01", "HQ") == "HQ"
    with pytest.raises(AuthError):
        organisation_type("C01", "ADMIN")


async def test_a_token_is_verified_once_and_trusted_only_until_it_expires(monkeypatch):
    from gateway import auth
    from gateway.auth import TokenVerifier
    from gateway.settings import AuthSettings

    clock = FakeClock()  # starts at the real time: PyJWT judges the tokens by it too
    verifier = TokenVerifier(AuthSettings(leeway_seconds=0), clock=clock)
    decoded = []
    real_decode = verifier._decode
    monkeypatch.setattr(verifier, "_decode", lambda t, k: decoded.append(t) or real_decode(t, k))
    token = tokens.mint("C01", ttl_seconds=600, now=clock.time())
    other = tokens.mint("C02", now=clock.time())  # eight hours
    for _ in range(3):
        assert (await verifier.principal(f"Bearer {token}")).org == "C01"
    assert (await verifier.principal(f"Bearer {other}")).org == "C02"
    assert decoded == [token, other]  # one signature check per token, not per request

    clock.advance(auth.VERIFIED_SECONDS + 1)
    decoded.clear()
    assert (await verifier.principal(f"Bearer {other}")).org == "C02"
    assert decoded == [other]  # remembered for at most VERIFIED_SECONDS, then checked again

    clock.advance(600)  # past the first token's expiry, though it was remembered
    with pytest.raises(AuthError, match="expired"):
        await verifier.principal(f"Bearer {token}")


async def test_a_token_is_good_until_the_second_its_exp_claim_names():
    """`exp` is a whole second (minting truncates the time): judged by the verifier's clock,
    a token is good just before it and refused just after (leeway 0)."""
    from gateway.auth import TokenVerifier
    from gateway.settings import AuthSettings

    clock = FakeClock()
    verifier = TokenVerifier(AuthSettings(leeway_seconds=0), clock=clock)
    token = tokens.mint("C01", ttl_seconds=300, now=clock.time())
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    clock.advance(exp - clock.time() - 0.5)
    assert (await verifier.principal(f"Bearer {token}")).org == "C01"
    clock.advance(1.0)
    verifier = TokenVerifier(AuthSettings(leeway_seconds=0), clock=clock)  # nothing remembered
    with pytest.raises(AuthError, match="expired"):
        await verifier.principal(f"Bearer {token}")
