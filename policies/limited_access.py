"""Limited Access Offenders: nDelius exclusion and restriction lists, as probation search applies
them (`OffenderAccessService`): a user on the exclusion list is excluded; a restriction list
admits only the users on it; a caller with no username (a machine client) is refused both;
the `ignore_delius_*` scopes lift each check.

Usernames compare case-insensitively: HMPPS Auth upper-cases the username it puts on a
client-credentials token, while nDelius lists hold them as entered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from policies.principal import IGNORE_EXCLUSIONS, IGNORE_RESTRICTIONS, Principal


class ListedPerson(Protocol):
    @property
    def exclusion_users(self) -> tuple[str, ...]: ...

    @property
    def restriction_users(self) -> tuple[str, ...]: ...


def _folded(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.casefold() for name in names)


class LimitedAccess:
    """Decides, for one principal, whose details Limited Access keeps from them."""

    __slots__ = ("_check_exclusions", "_check_restrictions", "_user")

    def __init__(self, principal: Principal) -> None:
        self._user = principal.username.casefold() if principal.username else None
        self._check_exclusions = IGNORE_EXCLUSIONS not in principal.scopes
        self._check_restrictions = IGNORE_RESTRICTIONS not in principal.scopes

    def limits(self, person: ListedPerson) -> bool:
        """True when the lists keep this principal from the person's details."""
        excluded, restricted = person.exclusion_users, person.restriction_users
        if not excluded and not restricted:
            return False
        if excluded and self._check_exclusions and (
                self._user is None or self._user in _folded(excluded)):
            return True
        return bool(restricted) and self._check_restrictions and (
            self._user is None or self._user not in _folded(restricted))
