"""Any claims, signed with a trusted key, give a valid principal or a JSON 401 from a fixed
set of messages: never a 500, whatever JSON value stands in any claim."""

import asyncio
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from gateway import tokens
from gateway.app import create_app
from gateway.auth import AuthError, TokenVerifier
from gateway.auth_settings import AUDIENCE, DEMO_ISSUER, AuthSettings, parse_auth
from gateway.rejections import MESSAGES
from policies import organisations

ORGS = organisations.shipped()
FAR = int(time.time()) + 30 * 24 * 3600
ABSENT = object()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8)
# Per claim: values a real token might carry, and edge cases of its own type.
PLAUSIBLE = {
    "sub": ["x", "JO.BLOGGS", "crc-c16-nightly", "", "a\nb", "x" * 300],
    "iss": [DEMO_ISSUER, "https://evil", ""],
    "aud": [AUDIENCE, [AUDIENCE, "other"], [], "other"],
    "exp": [FAR, 0, 2**53 + 1, 1.5e9, -1],
    "nbf": [0, FAR], "iat": [0, FAR],
    "org": ["C01", "N54", "HQ", "MDI", "ZZZ", "HQ\n", "c01", "", "C01 "],
    "org_type": ["HQ", "CRC", "PRISON", "ADMIN"],
    "scope": ["read custody:read", ["read", "risk:read"], "read  write", [""], "read\n"],
    "user_name": ["JO.BLOGGS", "jexcluded", "", "a b", "JO\n"],
    "auth_source": ["delius", "nomis", "none", "auth", "DELIUS"],
    "staff_code": ["C01T101", "c01t101", "", "C01T101\n"],
    "client_id": ["c01-client", "crc-c16-nightly", "", "a b"],
    "authorities": [["ROLE_CASEGRAPH"], ["ROLE_CASEGRAPH_HQ", "ROLE_X"], [], [""]],
    "jti": ["abc"], "user_id": ["123"], "name": ["Jo Bloggs"],
}
VALID = {"sub": "x", "iss": DEMO_ISSUER, "aud": AUDIENCE, "exp": FAR, "org": "C01"}
# Mostly well-formed, so that many examples get past the schema to the mapping.
CHOICES = ["valid"] * 5 + ["plausible"] * 3 + ["any", "absent"]


@st.composite
def claim_sets(draw, valid=VALID):
    claims = {}
    for name, plausible in PLAUSIBLE.items():
        choice = draw(st.sampled_from(CHOICES))
        value = {"valid": valid.get(name, ABSENT), "absent": ABSENT,
                 "plausible": draw(st.sampled_from(plausible)), "any": draw(JSON)}[choice]
        if value is not ABSENT:
            claims[name] = value
    return claims


@pytest.fixture(scope="module")
def sync_client():
    return TestClient(create_app())


QUERY = {"query": "{ viewer { organisation organisationType scopes } }"}


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(claims=claim_sets())
def test_any_signed_claims_give_a_principal_or_a_json_401(sync_client, claims):
    response = sync_client.post("/graphql", json=QUERY,
                                headers={"Authorization": f"Bearer {tokens.sign(claims)}"})
    assert response.status_code in (200, 401), response.text
    body = response.json()
    event(f"HTTP {response.status_code}")
    if response.status_code == 401:
        [error] = body["errors"]
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert error["message"] in MESSAGES
        return
    viewer = body["data"]["viewer"]
    assert viewer["organisation"] == claims["org"]
    assert viewer["organisationType"] == ORGS.type_of(claims["org"])  # never `org_type`


# An HMPPS Auth client-credentials token with a username (hmpps-auth JWTTokenEnhancer.kt).
VALID_HMPPS = {"sub": "JO.BLOGGS", "user_name": "JO.BLOGGS", "auth_source": "delius",
               "iss": DEMO_ISSUER, "exp": FAR, "client_id": "c01-client", "jti": "abc",
               "authorities": ["ROLE_CASEGRAPH"], "scope": ["read", "write"]}
HMPPS = parse_auth({"demo": True, "audience_required": False, "claims": {
    "organisation": ["client", "role", "staff"], "staff_code": "lookup",
    "token_scopes": ["read"], "clients": {"crc-c16-nightly": "C16"},
    "roles": {"ROLE_CASEGRAPH_HQ": "HQ"}, "role_scopes": {"ROLE_CASEGRAPH": ["custody:read"]},
    "staff": {"JO.BLOGGS": {"staff_code": "C01T101", "org": "C01"}}}}, {}, None)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(claims=claim_sets(VALID_HMPPS))
def test_the_hmpps_mapping_gives_a_principal_or_a_fixed_refusal(claims):
    verifier = TokenVerifier(HMPPS)
    try:
        principal = asyncio.run(verifier.principal(f"Bearer {tokens.sign(claims)}"))
    except AuthError as refused:
        assert str(refused) in MESSAGES
        event(str(refused))
        return
    event("a principal")
    assert principal.org in ORGS and principal.org_type == ORGS.type_of(principal.org)
    assert principal.scopes <= {"read", "custody:read"}
    if principal.username is not None:
        assert claims["auth_source"] == "delius" and principal.username == claims["user_name"]


def test_hmpps_settings_are_the_ones_meant():
    assert isinstance(HMPPS, AuthSettings) and HMPPS.mapping.organisation == (
        "client", "role", "staff")
