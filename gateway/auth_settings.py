"""The `[auth]` and `[organisations]` sections: who may sign tokens, and how claims map.

Every mistake stops start-up with a message that names the key: an unknown key, a mapping
to an organisation the organisations file does not list, an organisation type with no
policy file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.claim_mapping import ALL_SCOPES, SOURCES, ClaimMapping, Staff, StaffTable
from policies import organisations
from policies.organisations import Organisations, OrganisationsError
from providers.registry import ConfigError

DEMO_KEYS = Path(__file__).parent / "demo_keys"
DEMO_ISSUER = "casegraph-demo"
AUDIENCE = "casegraph"
_AUTH_KEYS = frozenset({"issuer", "audience", "audience_required", "public_keys", "jwks_url",
                        "hmpps_auth_url", "demo", "leeway_seconds", "claims"})
_CLAIM_KEYS = frozenset({"organisation", "token_scopes", "staff_code", "clients", "roles",
                         "role_scopes", "staff", "staff_file"})
_ORGANISATION_KEYS = frozenset({"file"})


@dataclass(frozen=True)
class AuthSettings:
    issuer: str = DEMO_ISSUER
    audience: str = AUDIENCE
    public_keys: tuple[Path, ...] = (DEMO_KEYS / "demo-public.pem",)
    jwks_url: str | None = None
    demo: bool = True
    leeway_seconds: int = 30
    audience_required: bool = True  # HMPPS Auth sends `aud` only to clients with resource ids
    organisations: Organisations = field(default_factory=organisations.shipped)
    mapping: ClaimMapping = field(default_factory=ClaimMapping)


def parse_auth(raw: dict[str, Any], raw_orgs: dict[str, Any], policy_dir: Path | None
               ) -> AuthSettings:
    """`[auth]` and `[organisations]` of a configuration file, checked."""
    _known("auth", raw, _AUTH_KEYS)
    orgs = _organisations(raw_orgs, policy_dir)
    base = str(raw.get("hmpps_auth_url", "")).rstrip("/")
    jwks_url = raw.get("jwks_url") or (f"{base}/.well-known/jwks.json" if base else None)
    keys = tuple(Path(os.path.expandvars(k)) for k in raw.get("public_keys", ()))
    if not keys and not jwks_url and not raw.get("demo"):
        raise ConfigError("auth: set `jwks_url`, `hmpps_auth_url` or `public_keys` "
                          "(or `demo = true`)")
    if raw.get("demo"):
        keys = keys or (DEMO_KEYS / "demo-public.pem",)
    default_issuer = f"{base}/issuer" if base else DEMO_ISSUER if raw.get("demo") else ""
    return AuthSettings(issuer=str(raw.get("issuer", default_issuer)),
                        audience=str(raw.get("audience", AUDIENCE)), public_keys=keys,
                        jwks_url=jwks_url, demo=bool(raw.get("demo", False)),
                        leeway_seconds=int(raw.get("leeway_seconds", 30)),
                        audience_required=bool(raw.get("audience_required", True)),
                        organisations=orgs, mapping=_mapping(raw.get("claims", {}), orgs))


def _known(section: str, raw: Any, allowed: frozenset[str]) -> None:
    if not isinstance(raw, dict):
        raise ConfigError(f"{section}: must be a table")
    if unknown := set(raw) - allowed:
        raise ConfigError(f"{section}: unknown keys {sorted(unknown)}; choose from "
                          f"{sorted(allowed)}")


def _organisations(raw: dict[str, Any], policy_dir: Path | None) -> Organisations:
    """The configured organisations; each of their types must be one the policy directory
    is written for (and so has a policy file, which the policy loader requires)."""
    _known("organisations", raw, _ORGANISATION_KEYS)
    directory = policy_dir or organisations.SHIPPED
    try:
        written_for = organisations.for_policies(directory)
    except OrganisationsError as exc:
        raise ConfigError(f"policies.dir: {exc}") from exc
    try:
        orgs = organisations.load(Path(os.path.expandvars(raw["file"]))) if "file" in raw \
            else written_for
    except OrganisationsError as exc:
        raise ConfigError(f"organisations.file: {exc}") from exc
    for org in orgs.by_code.values():
        if org.type not in written_for.types:
            raise ConfigError(
                f"organisations.{org.code}.type = {org.type!r} ({orgs.source}): the policies "
                f"in {directory} have no {org.type.lower()}.toml for it (every organisation "
                f"type needs a policy file; their types: {list(written_for.types)})")
    return orgs


def _mapping(raw: dict[str, Any], orgs: Organisations) -> ClaimMapping:
    _known("auth.claims", raw, _CLAIM_KEYS)
    sources = tuple(raw.get("organisation", ("org",)))
    if not sources or not set(sources) <= set(SOURCES):
        raise ConfigError(f"auth.claims.organisation = {list(sources)}: name one or more of "
                          f"{list(SOURCES)}")
    staff_code = raw.get("staff_code", "claim")
    if staff_code not in ("claim", "lookup"):
        raise ConfigError(f"auth.claims.staff_code = {staff_code!r}: choose 'claim' or "
                          "'lookup'")
    clients = _codes("auth.claims.clients", raw.get("clients", {}), orgs)
    roles = _codes("auth.claims.roles", raw.get("roles", {}), orgs)
    role_scopes = {str(role): frozenset(map(str, scopes))
                   for role, scopes in _table("auth.claims.role_scopes",
                                              raw.get("role_scopes", {})).items()}
    return ClaimMapping(sources, frozenset(map(str, raw.get("token_scopes", [ALL_SCOPES]))),
                        staff_code, clients, roles, role_scopes,
                        StaffTable(_staff(raw, orgs)))


def _table(key: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{key}: must be a table")
    return raw


def _codes(key: str, raw: Any, orgs: Organisations) -> dict[str, str]:
    """A table whose values are organisation codes, each one the organisations file lists."""
    for name, code in _table(key, raw).items():
        if code not in orgs:
            raise ConfigError(f"{key}.{name} = {code!r}: not an organisation in {orgs.source}")
    return {str(k): str(v) for k, v in raw.items()}


def _staff(raw: dict[str, Any], orgs: Organisations) -> dict[str, Staff]:
    """`staff` inline, or `staff_file` (a TOML file of the same tables): username ->
    { staff_code, org }."""
    entries = dict(_table("auth.claims.staff", raw.get("staff", {})))
    key = "auth.claims.staff"
    if "staff_file" in raw:
        key = path = os.path.expandvars(str(raw["staff_file"]))
        try:
            entries |= tomllib.loads(Path(path).read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"auth.claims.staff_file: {path}: {exc}") from exc
    found = {}
    for username, entry in entries.items():
        if not isinstance(entry, dict) or set(entry) != {"staff_code", "org"}:
            raise ConfigError(f"{key}.{username}: needs exactly `staff_code` and `org`")
        _codes(f"{key}.{username}", {"org": entry["org"]}, orgs)
        found[str(username)] = Staff(str(entry["staff_code"]), str(entry["org"]))
    return found
