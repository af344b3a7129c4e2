"""Every scenario of domain.md 7.4, seeded with fixed identifiers so tests and demos find them.

Fixed CRNs start with X and fixed NOMS numbers with A; random people never use those letters.
`Dataset.scenarios` maps each scenario's name to the identifiers it seeded.
"""

from __future__ import annotations

from dataclasses import replace

from providers.embedded import people as gen
from providers.embedded.builder import Builder
from providers.records import Movement


def _manager(b: Builder, provider: str, days: int = 200, unallocated: bool = False):
    return gen.allocate(b, provider, b.as_of, unallocated).allocation(b.days_ago(days))


def _community(b: Builder, crn: str, provider: str, **person: object) -> None:
    who, manager = gen.identity(b), _manager(b, provider)
    who = gen.community_case(b, crn, 1, manager, who)
    gen.person(b, b.ids.reserve(crn), who, (manager,), **person)  # type: ignore[arg-type]
    gen.registrations(b, crn, provider)


def _prisoner(b: Builder, crn: str, noms: str, provider: str, *, prison: str = "MDI",
              released: bool = False, **person: object) -> gen.Identity:
    who, manager = gen.identity(b), _manager(b, provider)
    b.ids.reserve(noms)
    who = gen.custodial(b, crn, noms, who, 1, manager, released=released, prison=prison,
                  legal="SENTENCED")
    gen.person(b, b.ids.reserve(crn), who, (manager,), noms=noms, **person)  # type: ignore[arg-type]
    return who


def isolation(b: Builder) -> None:
    for crn, provider in (("X000001", "C01"), ("X000002", "C16"), ("X000003", "N02")):
        _community(b, crn, provider)
    _prisoner(b, "X000004", "A0004AA", "C01", prison="MDI")
    _prisoner(b, "X000005", "A0005AA", "C16", prison="LEI")
    b.tag("isolation", "X000001", "X000002", "X000003", "X000004", "X000005")
    b.tag("custody_join", "X000004", "X000005")


def transfer(b: Builder) -> None:
    crn, who = b.ids.reserve("X000010"), gen.identity(b)
    old = _manager(b, "C05", days=400)
    old = replace(old, to_date=b.days_ago(30), active=False)
    new = replace(_manager(b, "C09", days=30), allocation_reason="Offender Moved")
    who = gen.community_case(b, crn, 1, new, who)
    gen.person(b, crn, who, (new, old))
    b.tag("transfer", crn)


def drift(b: Builder) -> None:
    """Delius's copy disagrees with NOMIS: stale dates, wrong prison, release not recorded."""
    _prisoner(b, "X000020", "A0020AA", "C02", prison="LPI")
    stale = b.cases["X000020"][-1]
    keys = stale.key_dates
    assert keys is not None and keys.conditional_release_date is not None
    older = replace(keys, conditional_release_date=keys.conditional_release_date - gen.DAY * 28,
                    hdc_eligibility_date=None)
    b.cases["X000020"][-1] = replace(stale, key_dates=older)
    _prisoner(b, "X000021", "A0021AA", "C03", prison="DMI")
    b.custody["A0021AA"] = replace(b.custody["A0021AA"], agency_id="HLI")
    _prisoner(b, "X000022", "A0022AA", "C04", prison="HLI", released=True)
    released = b.cases["X000022"][-1]
    b.cases["X000022"][-1] = replace(released, custodial_status="D", institution_code="HLI")
    b.tag("drift", "X000020", "X000021", "X000022")


def duplicates(b: Builder) -> None:
    """Two Delius people per NOMS number: one resolvable, one conflict; and a NOMIS merge."""
    _prisoner(b, "X000030", "A0030AA", "C05", prison="WDI")
    _community(b, "X000031", "C05", noms="A0030AA", status="PREVIOUSLY_KNOWN")
    b.cases["X000031"][-1] = replace(b.cases["X000031"][-1], active=False)
    _prisoner(b, "X000032", "A0032AA", "C06", prison="LPI")
    _community(b, "X000033", "C07", noms="A0032AA")
    _prisoner(b, "X000034", "A0034AA", "C06", prison="MRI")
    b.merged_noms[b.ids.reserve("A0034AB")] = "A0034AA"
    b.people["X000034"] = replace(b.people["X000034"], noms_number="A0034AB")
    b.tag("duplicate_resolvable", "A0030AA", "X000030", "X000031")
    b.tag("duplicate_conflict", "A0032AA", "X000032", "X000033")
    b.tag("merge", "A0034AB", "A0034AA", "X000034")


def limited_access(b: Builder) -> None:
    _community(b, "X000040", "C01", excluded=("jexcluded",))
    _community(b, "X000041", "C01", restricted=("rallowed",))
    _community(b, "X000042", "C01", excluded=("jexcluded",), restricted=("rallowed",))
    b.tag("limited_access", "X000040", "X000041", "X000042")


def unallocated(b: Builder) -> None:
    who, manager = gen.identity(b), _manager(b, "C01", unallocated=True)
    who = gen.community_case(b, "X000050", 1, manager, who)
    gen.person(b, b.ids.reserve("X000050"), who, (manager,))
    b.tag("unallocated", "X000050")


def identity_mismatch(b: Builder) -> None:
    _prisoner(b, "X000060", "A0060AA", "C08", prison="NMI")
    custody = b.custody["A0060AA"]
    born = custody.date_of_birth
    assert born is not None  # the generator always gives one
    b.custody["A0060AA"] = replace(custody, date_of_birth=born.replace(year=born.year - 1))
    _prisoner(b, "X000061", "A0061AA", "C08", prison="NMI")
    if b.people["X000061"].pnc_number is None:  # a PNC on both sides, so they can differ
        b.people["X000061"] = replace(b.people["X000061"], pnc_number="2004/0123456B")
    b.custody["A0061AA"] = replace(b.custody["A0061AA"], pnc_number="2001/0000001Y")
    b.tag("identity_mismatch", "X000060", "X000061")


def remand_and_hospital(b: Builder) -> None:
    gen.remand(b, b.ids.reserve("A0070AA"), gen.identity(b), prison="LEI")
    _prisoner(b, "X000071", "A0071AA", "N04", prison="BMI", released=True)
    custody = b.custody["A0071AA"]
    moves = [m for m in b.movements["A0071AA"] if m.movement_type != "REL"]
    moves.append(Movement("A0071AA", "REL", "OUT", "BMI", "BROADM", "HP",
                          b.days_ago(10)))
    b.add_custody(custody, b.sentence_dates[custody.booking_id], moves)
    b.tag("remand_without_case", "A0070AA")
    b.tag("released_to_hospital", "A0071AA", "X000071")


ALL = (isolation, transfer, drift, duplicates, limited_access, unallocated, identity_mismatch,
       remand_and_hospital)


def seed_all(b: Builder) -> None:
    for scenario in ALL:
        scenario(b)
