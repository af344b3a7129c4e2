"""Tokens shaped exactly as HMPPS Auth issues them map to principals through configuration.

Shapes from hmpps-auth `JWTTokenEnhancer.kt` and Spring's `DefaultAccessTokenConverter`:
a client-credentials token has `sub` = the client id (or the upper-cased `username` the
client passed), `auth_source`, the client's `authorities` and `scope`, `client_id`, `exp`,
`jti`, `iss` = `{base}/issuer`, and `aud` only when the client has resource ids; an
authorization-code token adds the user's `user_name`, `user_id` and `name`. No `iat`, no
`org`, no staff code.
"""

import json
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway import rejections, tokens
from gateway.app import create_app
from gateway.auth import AuthError, TokenVerifier
from gateway.settings import load_settings
from policies.principal import Principal
from tests.servers import serving

EXAMPLE = Path(__file__).parents[2] / "examples" / "hmpps-auth.toml"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "dps-client-key"


async def _jwks(_request) -> JSONResponse:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return JSONResponse({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]})


@pytest.fixture(scope="module")
def base_url():
    """An HMPPS Auth stand-in on loopback: its JWKS at `{base}/.well-known/jwks.json`."""
    with serving(Starlette(routes=[Route("/auth/.well-known/jwks.json", _jwks)])) as url:
        yield f"{url}/auth"


@pytest.fixture(scope="module")
def settings(base_url, tmp_path_factory):
    """examples/hmpps-auth.toml as shipped, pointed at the stand-in."""
    config = tmp_path_factory.mktemp("hmpps") / "hmpps-auth.toml"
    text = EXAMPLE.read_text().replace(
        "https://sign-in-dev.hmpps.service.justice.gov.uk/auth", base_url)
    config.write_text(text.replace('"examples/', f'"{EXAMPLE.parent}/'))
    return load_settings(config)


def hmpps_token(base: str, client_id: str, authorities: list[str], *, username: str | None
                = None, auth_source: str = "none", user: dict | None = None,
                resource_ids: list[str] | None = None) -> str:
    """A token as HMPPS Auth mints it: client credentials (optionally with `username` and
    `auth_source` request parameters), or with `user` for an authorization-code login."""
    claims: dict = {"scope": ["read", "write"], "jti": uuid.uuid4().hex,
                    "exp": int(time.time()) + 3600, "iss": f"{base}/issuer",
                    "client_id": client_id, "auth_source": auth_source}
    if authorities:
        claims["authorities"] = authorities
    if user is not None:
        claims |= {"sub": user["user_name"], "user_name": user["user_name"],
                   "user_id": user["user_id"], "name": user["name"]}
    elif username:
        claims |= {"sub": username.upper(), "user_name": username.upper()}
    else:
        claims["sub"] = client_id
    if resource_ids:
        claims["aud"] = resource_ids
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": KID})


def shapes(base: str) -> dict[str, tuple[str, Principal]]:
    """Each HMPPS Auth token shape and the principal examples/hmpps-auth.toml maps it to."""
    return {
        "client credentials, no username": (
            hmpps_token(base, "crc-c16-nightly", ["ROLE_CASEGRAPH_CUSTODY"]),
            Principal("crc-c16-nightly", "C16", "CRC", frozenset({"read", "custody:read"}),
                      client_id="crc-c16-nightly")),
        "client credentials with a Delius username": (
            hmpps_token(base, "casegraph-ui-backend", ["ROLE_CASEGRAPH_RISK"],
                        username="jo.bloggs", auth_source="delius"),
            Principal("JO.BLOGGS", "C01", "CRC", frozenset({"read", "risk:read"}),
                      staff_code="C01T101", username="JO.BLOGGS",
                      client_id="casegraph-ui-backend")),
        "authorization code, a Delius user": (
            hmpps_token(base, "casegraph-ui", ["ROLE_PROBATION", "ROLE_CASEGRAPH_CUSTODY"],
                        auth_source="delius", resource_ids=["casegraph"],
                        user={"user_name": "SAM.SMITH", "user_id": "2500012345",
                              "name": "Sam Smith"}),
            Principal("SAM.SMITH", "N02", "NPS", frozenset({"read", "custody:read"}),
                      staff_code="N02T101", username="SAM.SMITH", client_id="casegraph-ui")),
        "client credentials, HQ by role": (
            hmpps_token(base, "hq-reporting", ["ROLE_CASEGRAPH_HQ", "ROLE_CASEGRAPH_RISK"]),
            Principal("hq-reporting", "HQ", "HQ", frozenset({"read", "risk:read"}),
                      client_id="hq-reporting")),
        "client credentials, a prison's client": (
            hmpps_token(base, "hmpps-prison-moorland", ["ROLE_CASEGRAPH_CUSTODY"]),
            Principal("hmpps-prison-moorland", "MDI", "PRISON",
                      frozenset({"read", "custody:read"}), client_id="hmpps-prison-moorland")),
    }


SHAPES = list(shapes("-"))


@pytest.mark.parametrize("shape", SHAPES)
async def test_each_hmpps_auth_token_shape_maps_to_its_principal(settings, base_url, shape):
    token, expected = shapes(base_url)[shape]
    principal = await TokenVerifier(settings.auth).principal(f"Bearer {token}")
    print(f"{shape}: {principal}")
    assert principal == expected


REFUSED = {
    "a NOMIS user's name is not trusted as a Delius user": (
        lambda b: hmpps_token(b, "some-ui", ["ROLE_CASEGRAPH_CUSTODY"], username="jo.bloggs",
                              auth_source="nomis"), rejections.NO_ORGANISATION),
    "a client mapped to C16 acting for a C01 officer": (
        lambda b: hmpps_token(b, "crc-c16-nightly", [], username="jo.bloggs",
                              auth_source="delius"), rejections.TWO_ORGANISATIONS),
    "a token for another service's resources": (
        lambda b: hmpps_token(b, "crc-c16-nightly", [], resource_ids=["prison-api"]),
        rejections.AUDIENCE),
    "a user the staff lookup does not know": (
        lambda b: hmpps_token(b, "casegraph-ui", [], auth_source="delius",
                              user={"user_name": "NOT.KNOWN", "user_id": "1", "name": "N K"}),
        rejections.NO_ORGANISATION),
    "the demo's own tokens": (lambda b: tokens.mint("C01"), rejections.SIGNATURE),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_tokens_the_mapping_cannot_place_are_refused(settings, base_url, case):
    make, message = REFUSED[case]
    with pytest.raises(AuthError) as refused:
        await TokenVerifier(settings.auth).principal(f"Bearer {make(base_url)}")
    assert str(refused.value) == message


async def test_an_issuer_other_than_base_slash_issuer_is_refused(settings, base_url):
    token = hmpps_token(base_url.removesuffix("/auth"), "crc-c16-nightly", [])
    with pytest.raises(AuthError, match="issuer"):
        await TokenVerifier(settings.auth).principal(f"Bearer {token}")


async def test_a_crc_client_token_from_hmpps_auth_reads_its_own_caseload(settings, base_url,
                                                                         dataset):
    app = create_app(settings)
    token, _ = shapes(base_url)["client credentials, no username"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        response = await client.post(
            "/graphql", headers={"Authorization": f"Bearer {token}"},
            json={"query": "{ viewer { organisation } caseload(first: 1) { totalCount } }"})
    body = response.json()
    assert body["data"]["viewer"] == {"organisation": "C16"}
    assert body["data"]["caseload"]["totalCount"] == len(dataset.caseloads["C16"])
