"""Who is asking: built from a verified token, carried by every request's context."""

from __future__ import annotations

from dataclasses import dataclass

# Scopes that lift Limited Access checks, as HMPPS clients carry them (domain.md 4.2).
IGNORE_EXCLUSIONS = "ignore_delius_exclusions_always"
IGNORE_RESTRICTIONS = "ignore_delius_inclusions_always"


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller: a person (with a staff code and username) or a machine client.

    `org_type` is the type the organisations configuration gives `org` (policies/
    organisations.py), never a claim. `username` is the token's `user_name` exactly as sent
    (HMPPS Auth upper-cases it; no case is changed here), set only for a Delius user.
    """

    subject: str
    org: str
    org_type: str
    scopes: frozenset[str]
    staff_code: str | None = None
    username: str | None = None
    client_id: str | None = None

    def value_of(self, reference: str) -> str | None:
        """The value a policy's `$name` reference stands for."""
        return {"$org": self.org, "$staff": self.staff_code, "$subject": self.subject,
                "$username": self.username}[reference]

    @property
    def is_person(self) -> bool:
        return self.username is not None


PRINCIPAL_REFERENCES = frozenset({"$org", "$staff", "$subject", "$username"})
