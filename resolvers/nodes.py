"""Relay global object identification: a `Node` interface, opaque global ids, and the lookup
behind `node(id:)` and `nodes(ids:)`.

A global id is base64url of `<Type>:<key>`, the key being what the type is found by (a CRN,
a NOMS number, an agency code; a case or an appointment also names its person's CRN). The
lookup goes through the row judge like every other path: a record outside the caller's reach
is `null`, exactly as one that does not exist, and the lookup is audited as an attempt.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from providers.identifiers import is_crn, is_noms_number
from providers.records import Person
from resolvers.errors import BadUserInput

MAX_NODES = 100
_KEY = re.compile(r"[A-Za-z0-9:._-]{1,64}")
_NOT_OURS = "not a global id this API issued; pass back an `id` it gave you"


@strawberry.interface(description="An object with a global id: `node(id:)` fetches it again.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id.")


def global_id(type_name: str, *key: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(
        f"{type_name}:{':'.join(key)}".encode()).decode())


def parse_global_id(value: str) -> tuple[str, list[str]]:
    """(type name, key parts), or BAD_USER_INPUT for anything this API did not issue."""
    if len(value) > 120 or not value.isascii():
        raise BadUserInput(_NOT_OURS)
    try:
        text = base64.b64decode(value, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadUserInput(_NOT_OURS) from None
    type_name, _, key = text.partition(":")
    if type_name not in LOOKUPS or not _KEY.fullmatch(key):
        raise BadUserInput(_NOT_OURS)
    parts = key.split(":")
    check = SHAPES[type_name]
    if len(parts) != len(check) or not all(ok(p) for ok, p in zip(check, parts, strict=True)):
        raise BadUserInput(_NOT_OURS)
    return type_name, parts


def _any(_part: str) -> bool:
    return True


def _agency(part: str) -> bool:
    return 2 <= len(part) <= 12 and part.isalnum()


SHAPES: dict[str, tuple[Callable[[str], bool], ...]] = {
    "Offender": (is_crn,), "Case": (is_crn, str.isdigit), "Custody": (is_noms_number,),
    "Establishment": (_agency,), "Appointment": (is_crn, _any)}


async def _settled(value: Any) -> Any:
    """The row judge answers at once when it can, else with an awaitable."""
    return await value if isinstance(value, Awaitable) else value


async def _offender(ctx: Any, crn: str) -> Any:
    from resolvers.offenders import built

    return built(await _settled(ctx.reach.person(crn, lookup=True)))


async def _full_person(ctx: Any, crn: str) -> Person | None:
    person = await _settled(ctx.reach.person(crn, lookup=True))
    return person if isinstance(person, Person) else None


async def _case(ctx: Any, crn: str, event_id: str) -> Any:
    from resolvers.cases import Case

    person = await _full_person(ctx, crn)
    cases = await _settled(ctx.reach.cases_of(person)) if person else None
    found = next((c for c in cases or () if c.id == event_id), None)
    return Case.build(found) if found else None


async def _custody(ctx: Any, noms: str) -> Any:
    from resolvers.custody import Custody

    found = await ctx.reach.custody(noms, lookup=True)
    return Custody.build(found) if found else None


async def _establishment(ctx: Any, code: str) -> Any:
    from resolvers.custody import Establishment

    return Establishment.built(await _settled(ctx.reach.reference("establishment", code)))


async def _appointment(ctx: Any, crn: str, appointment_id: str) -> Any:
    from resolvers.appointments import Appointment

    person = await _full_person(ctx, crn)
    found = await _settled(ctx.reach.appointments_of(person)) if person else None
    match = next((a for a in found or () if a.id == appointment_id), None)
    return Appointment.build(match) if match else None


LOOKUPS: dict[str, Callable[..., Any]] = {
    "Offender": _offender, "Case": _case, "Custody": _custody,
    "Establishment": _establishment, "Appointment": _appointment}


async def resolve_node(ctx: Any, value: str) -> Any:
    type_name, key = parse_global_id(value)
    return await LOOKUPS[type_name](ctx, *key)
