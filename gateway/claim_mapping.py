"""From a token's checked claims to a Principal, as a deployment configures it.

HMPPS Auth tokens carry no organisation, staff code or casegraph scopes (hmpps-auth
`JWTTokenEnhancer.kt`): `sub`, `client_id`, `authorities` (ROLE_*), `scope` (e.g. read,
write), and for a user `user_name` (upper-cased) with `auth_source` (auth, azuread, delius,
nomis, none). So the organisation comes from any of:

- `org`: the token's own `org` claim (the demo's tokens, `casegraph token`);
- `client`: the client id, through a table (a CRC's machine client);
- `role`: a ROLE_* authority, through a table;
- `staff`: the Delius user's entry in a staff lookup (a person's own provider).

Every configured source that answers must agree, else the token is refused. Scopes are the
token's scopes on an allow-list plus those granted by roles. A username is trusted as a
Delius user only when `auth_source` is `delius`; it is kept exactly as the token sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway import rejections
from gateway.rejections import AuthError
from policies.organisations import Organisations
from policies.principal import Principal

SOURCES = ("org", "client", "role", "staff")
ALL_SCOPES = "*"


@dataclass(frozen=True, slots=True)
class Staff:
    """A Delius user's staff record, as a staff lookup answers it."""

    staff_code: str
    org: str


class StaffLookup(Protocol):
    """Finds a Delius user's staff record (a table here; a deployment may ask nDelius)."""

    async def find(self, username: str) -> Staff | None: ...


@dataclass(frozen=True)
class StaffTable:
    """Staff records by username, matched without regard to case (HMPPS Auth upper-cases
    usernames; a table written by hand may not)."""

    entries: Mapping[str, Staff] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", {k.casefold(): v for k, v in self.entries.items()})

    async def find(self, username: str) -> Staff | None:
        return self.entries.get(username.casefold())


@dataclass(frozen=True)
class ClaimMapping:
    """How claims become a Principal. The default reads the demo's own tokens."""

    organisation: tuple[str, ...] = ("org",)
    token_scopes: frozenset[str] = frozenset({ALL_SCOPES})
    staff_code: str = "claim"  # "claim": the token's staff_code; "lookup": the staff lookup
    clients: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    role_scopes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    staff: StaffLookup = field(default_factory=StaffTable)

    async def principal(self, claims: Mapping[str, Any], orgs: Organisations) -> Principal:
        username = claims.get("user_name") if claims.get("auth_source") == "delius" else None
        wants_staff = "staff" in self.organisation or self.staff_code == "lookup"
        staff = await self.staff.find(username) if username and wants_staff else None
        org = self._organisation(claims, staff)
        org_type = orgs.type_of(org)
        if org_type is None:
            raise AuthError(rejections.UNKNOWN_ORGANISATION)
        return Principal(subject=claims["sub"], org=org, org_type=org_type,
                         scopes=self._scopes(claims), staff_code=self._staff(claims, staff,
                                                                             username),
                         username=username, client_id=claims.get("client_id"))

    def _organisation(self, claims: Mapping[str, Any], staff: Staff | None) -> str:
        found: set[str] = set()
        for source in self.organisation:
            found |= self._from(source, claims, staff)
        if not found:
            raise AuthError(rejections.NO_ORGANISATION)
        if len(found) > 1:
            raise AuthError(rejections.TWO_ORGANISATIONS)
        return found.pop()

    def _from(self, source: str, claims: Mapping[str, Any], staff: Staff | None) -> set[str]:
        if source == "org":
            return {claims["org"]} if "org" in claims else set()
        if source == "client":
            client = self.clients.get(claims.get("client_id", ""))
            return {client} if client is not None else set()
        if source == "role":
            return {self.roles[r] for r in claims.get("authorities", ()) if r in self.roles}
        return {staff.org} if staff is not None else set()

    def _scopes(self, claims: Mapping[str, Any]) -> frozenset[str]:
        scope = claims.get("scope", ())
        held = set(scope.split(" ") if isinstance(scope, str) else scope)
        if ALL_SCOPES not in self.token_scopes:
            held &= self.token_scopes
        for role in claims.get("authorities", ()):
            held |= self.role_scopes.get(role, frozenset())
        return frozenset(held)

    def _staff(self, claims: Mapping[str, Any], staff: Staff | None,
               username: str | None) -> str | None:
        if username is None:
            return None
        if self.staff_code == "claim":
            return claims.get("staff_code")
        return staff.staff_code if staff is not None else None
