"""The random population, in the segment shares of domain.md 7.1."""

from __future__ import annotations

from collections.abc import Callable

from providers.embedded import people as gen
from providers.embedded.builder import Builder


def community(b: Builder) -> None:
    crn, who = b.ids.crn(), gen.identity(b, invalid_pnc=b.rng.random() < 0.002)
    provider = gen.pick_provider(b)
    manager = gen.allocate(b, provider, b.as_of).allocation(b.days_ago(b.rng.randrange(20, 700)))
    number = 1
    if b.rng.random() < 0.25:
        who = gen.community_case(b, crn, number, manager, who, active=False)
        number += 1
    who = gen.community_case(b, crn, number, manager, who)
    gen.person(b, crn, who, (manager,))
    gen.registrations(b, crn, provider)


def in_custody(b: Builder, *, released: bool = False) -> None:
    crn, noms, who = b.ids.crn(), b.ids.noms(), gen.identity(b)
    provider = gen.pick_provider(b)
    manager = gen.allocate(b, provider, b.as_of).allocation(b.days_ago(b.rng.randrange(20, 900)))
    who = gen.custodial(b, crn, noms, who, 1, manager, released=released)
    gen.person(b, crn, who, (manager,), noms=noms)
    gen.registrations(b, crn, provider)


def on_licence(b: Builder) -> None:
    in_custody(b, released=True)


def on_remand(b: Builder) -> None:
    gen.remand(b, b.ids.noms(), gen.identity(b))


def previously_known(b: Builder) -> None:
    crn, who = b.ids.crn(), gen.identity(b)
    provider = gen.pick_provider(b)
    manager = gen.allocate(b, provider, b.as_of).allocation(b.days_ago(b.rng.randrange(900, 2000)))
    who = gen.community_case(b, crn, 1, manager, who, active=False)
    gen.person(b, crn, who, (manager,), status="PREVIOUSLY_KNOWN")


SEGMENTS: tuple[tuple[Callable[[Builder], None], int], ...] = (
    (community, 50),
    (in_custody, 25),
    (on_licence, 15),
    (on_remand, 5),
    (previously_known, 5),
)


def populate(b: Builder, count: int) -> None:
    makers = [maker for maker, _ in SEGMENTS]
    weights = [share for _, share in SEGMENTS]
    for maker in b.rng.choices(makers, weights, k=count):
        maker(b)
