"""`[auth]`, `[auth.claims]` and `[organisations]`: every mistake stops start-up, naming the key."""

import pytest

from gateway.settings import load_settings
from providers.registry import ConfigError

BASE = '[providers.e]\ntype = "embedded"\n'


def _load(tmp_path, text: str):
    config = tmp_path / "c.toml"
    config.write_text(BASE + text)
    return load_settings(config)


@pytest.mark.parametrize("text, named", [
    ('[auth]\ndemo = true\nissuer_url = "x"\n', "auth: unknown keys ['issuer_url']"),
    ('[auth]\nsigning = "x"\n', "auth: unknown keys ['signing']"),
    ("[auth]\n", "auth: set `jwks_url`, `hmpps_auth_url` or `public_keys`"),
    ('[auth]\ndemo = true\n[auth.claims]\norganisation = ["token"]\n',
     "auth.claims.organisation = ['token']"),
    ('[auth]\ndemo = true\n[auth.claims]\norg_from = ["client"]\n',
     "auth.claims: unknown keys ['org_from']"),
    ('[auth]\ndemo = true\n[auth.claims]\nstaff_code = "header"\n',
     "auth.claims.staff_code = 'header'"),
    ('[auth]\ndemo = true\n[auth.claims.clients]\n"crc-nightly" = "C99"\n',
     "auth.claims.clients.crc-nightly = 'C99': not an organisation"),
    ('[auth]\ndemo = true\n[auth.claims.roles]\nROLE_X = "ZZZ"\n',
     "auth.claims.roles.ROLE_X = 'ZZZ': not an organisation"),
    ('[auth]\ndemo = true\n[auth.claims.staff]\n"JO" = { staff_code = "C01T101" }\n',
     "auth.claims.staff.JO: needs exactly `staff_code` and `org`"),
    ('[auth]\ndemo = true\n[auth.claims.staff]\n"JO" = { staff_code = "X", org = "C77" }\n',
     "auth.claims.staff.JO.org = 'C77': not an organisation"),
    ('[auth]\ndemo = true\n[organisations]\npath = "x.toml"\n',
     "organisations: unknown keys ['path']"),
    ('[auth]\ndemo = true\n[organisations]\nfile = "no/such/file.toml"\n', "no/such/file.toml"),
])
def test_a_bad_auth_setting_is_named(tmp_path, text, named):
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, text)
    assert named in str(refused.value)


def test_hmpps_auth_url_gives_issuer_and_keys(tmp_path):
    auth = _load(tmp_path, '[auth]\nhmpps_auth_url = "https://auth.example/auth/"\n').auth
    assert (auth.issuer, auth.jwks_url) == ("https://auth.example/auth/issuer",
                                            "https://auth.example/auth/.well-known/jwks.json")
    assert not auth.demo and auth.audience_required


def test_an_organisations_file_with_mistakes_names_each_key(tmp_path):
    (tmp_path / "orgs.toml").write_text(
        '[types]\nCRC = "a CRC"\nlower = "bad"\n'
        '[organisations]\nC01 = { type = "CRC", name = "Northumbria" }\n'
        'c02 = { type = "CRC", name = "x" }\nN50 = { type = "REGION", name = "" }\n'
        'N51 = { type = "CRC", name = "y", formerly = ["C01"], note = 1 }\n')
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, f'[auth]\ndemo = true\n[organisations]\nfile = "{tmp_path}/orgs.toml"\n')
    message = str(refused.value)
    for named in ("types.lower: a type is upper-case", "organisations.c02: a code is",
                  "organisations.N50.type = 'REGION'", "organisations.N50.name",
                  "organisations.N51.note: unknown key",
                  "organisations.N51.formerly: C01 still exists"):
        assert named in message


def test_an_organisation_type_with_no_policy_file_stops_start_up(tmp_path):
    (tmp_path / "orgs.toml").write_text(
        '[types]\nREGION = "a region"\n'
        '[organisations]\nN50 = { type = "REGION", name = "Greater Manchester" }\n')
    with pytest.raises(ConfigError, match=r"organisations.N50.type = 'REGION'.*no region.toml"
                                          r".*every organisation type needs a policy file"):
        _load(tmp_path, f'[auth]\ndemo = true\n[organisations]\nfile = "{tmp_path}/orgs.toml"\n')
