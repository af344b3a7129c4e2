"""Generators for people, cases and custody, consistent across both systems (domain.md 7.3)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

from providers.embedded import reference as ref
from providers.embedded.builder import Builder
from providers.embedded.staffing import StaffMember
from providers.identifiers import cro_number, pnc_is_valid, pnc_number
from providers.records import (
    Alias,
    Case,
    Custody,
    KeyDates,
    Manager,
    Movement,
    Offence,
    Person,
    Registration,
    Requirement,
    Sentence,
    SentenceDates,
)

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Identity:
    forename: str
    middle_names: tuple[str, ...]
    surname: str
    date_of_birth: date
    gender: str
    pnc_number: str | None
    cro_number: str | None


def identity(b: Builder, *, invalid_pnc: bool = False) -> Identity:
    rng = b.rng
    gender = "Male" if rng.random() < 0.85 else "Female"
    age = min(70, max(18, int(rng.gauss(34, 10))))
    born = b.as_of - timedelta(days=age * 365 + rng.randrange(365))
    first_record = min(b.as_of.year, born.year + rng.randint(10, 18))  # first arrest, 10-18
    pnc = pnc_number(first_record, rng.randrange(1, 10**7), valid=not invalid_pnc) \
        if rng.random() < 0.7 or invalid_pnc else None
    cro = cro_number(first_record, rng.randrange(1, 10**6)) if rng.random() < 0.4 else None
    middle = (b.names.forename(rng, gender),) if rng.random() < 0.4 else ()
    return Identity(b.names.forename(rng, gender), middle, b.names.surname(rng), born, gender,
                    pnc, cro)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def adult_at(b: Builder, who: Identity, start: date, min_age: int = 18) -> Identity:
    """`who`, made old enough to have been `min_age` when a sentence began on `start` (their
    PNC number, issued at a first arrest between 10 and 18, follows the new birth year)."""
    if age_on(who.date_of_birth, start) >= min_age:
        return who
    born = start.replace(year=start.year - min_age) - DAY * b.rng.randrange(1, 3 * 365)
    first = born.year + b.rng.randint(10, 18)
    pnc = who.pnc_number and pnc_number(first, b.rng.randrange(1, 10**7),
                                        valid=pnc_is_valid(who.pnc_number))
    cro = who.cro_number and cro_number(first, b.rng.randrange(1, 10**6))
    return replace(who, date_of_birth=born, pnc_number=pnc, cro_number=cro)


def person(b: Builder, crn: str, who: Identity, managers: tuple[Manager, ...], *,
           noms: str | None = None, status: str = "CURRENT", excluded: tuple[str, ...] = (),
           restricted: tuple[str, ...] = ()) -> Person:
    rng = b.rng
    aliases: tuple[Alias, ...] = ()
    if rng.random() < 0.15:
        aliases = (Alias(b.names.forename(rng, who.gender), who.surname, who.date_of_birth),)
    return b.add_person(Person(
        crn, noms, who.pnc_number, who.cro_number, who.forename, who.middle_names, who.surname,
        who.date_of_birth, who.gender, aliases, status,
        rng.choice(("A_1", "B_2", "C_2", "D_1", "D_2")), managers, excluded, restricted,
        "You are excluded from viewing this offender record." if excluded else None,
        "This is a restricted offender record." if restricted else None))


def order_manager(manager: Manager) -> Manager:
    """An event's order manager: the same allocation, which nDelius records with no reason."""
    return replace(manager, allocation_reason="")


def pick_provider(b: Builder, crc_share: float = 0.7) -> str:
    pool = ref.CRCS if b.rng.random() < crc_share else ref.NPS_DIVISIONS
    return b.rng.choice(sorted(pool))


def allocate(b: Builder, provider: str, start: date, unallocated: bool = False) -> StaffMember:
    if unallocated or b.rng.random() < 0.03:
        return b.staffing.placeholder(b.rng, provider)
    return b.staffing.officer(b.rng, provider)


def offences(b: Builder, convicted: date) -> tuple[Offence, ...]:
    count = 1 + (b.rng.random() < 0.3)
    picked = b.rng.sample(ref.OFFENCES, count)
    return tuple(Offence(code, text, i == 0, convicted - DAY * b.rng.randrange(14, 200))
                 for i, (code, text) in enumerate(picked))


def registrations(b: Builder, crn: str, provider: str) -> None:
    rng = b.rng
    nps = provider.startswith("N")
    codes = ("RHRH", "RHRH", "RVHR", "RMRH") if nps else ("RLRH", "RMRH", "RMRH", None)
    code = rng.choice(codes)
    if code:
        description, colour = ref.ROSH[code]
        start = b.days_ago(rng.randrange(30, 700))
        b.registrations[crn].append(Registration(
            b.next_registration_id(), code, description, colour, start,
            next_review(b, start, 182), None, None, True))
    if nps and rng.random() < 0.08:
        level = rng.choice(("M1", "M2", "M3"))
        start = b.days_ago(rng.randrange(30, 700))
        b.registrations[crn].append(Registration(
            b.next_registration_id(), "MAPP", "MAPPA", "Red", start, next_review(b, start, 91),
            level, rng.choice(("M1", "M2", "M3")), True))


def next_review(b: Builder, start: date, every_days: int) -> date:
    """The next review of a register entry reviewed every `every_days`; one in ten is late
    by up to two months, as real registers are."""
    due = start + DAY * every_days * -(-(b.as_of - start).days // every_days)
    return due - DAY * b.rng.randrange(1, 60) if b.rng.random() < 0.1 else due


def community_case(b: Builder, crn: str, number: int, manager: Manager, who: Identity, *,
                   active: bool = True) -> Identity:
    """A community or suspended sentence order; an ended one is terminated at its end.
    Answers `who`, made an adult by the order's start if need be."""
    rng = b.rng
    code, text = rng.choice(ref.COMMUNITY_SENTENCES)
    months = rng.choice((6, 9, 12, 18, 24) if code == "SU" else (12, 18, 24, 36))
    length = int(months * 30.44)
    start = b.days_ago(rng.randrange(20, length - 20) if active
                       else length + rng.randrange(30, 1500))
    end = start + DAY * length
    requirements = tuple(
        Requirement(cat, sub, rng.choice((40, 60, 100, 150, 200)) if unit == "Hours"
                    else rng.randrange(3, 13), unit, active)
        for cat, sub, unit in rng.sample(ref.REQUIREMENTS, 1 + rng.randrange(3)))
    sentence = Sentence(text, code, months, "Months", start, end, None if active else end)
    b.add_case(Case(
        b.next_case_id(), crn, number, active, start, offences(b, start), sentence, requirements,
        manager.provider_code, order_manager(manager), None, None, None, None))
    return adult_at(b, who, start - DAY * 200)  # adult by the earliest offence


def determinate_dates(booking_id: int, start: date, months: int, b: Builder) -> SentenceDates:
    """Consistent dates: start < HDCED < CRD <= LED <= SED; TUSED after SED for short terms."""
    length = int(months * 30.44)
    sed = start + DAY * length
    crd = start + DAY * (length // 2)
    hdced = crd - DAY * min(180, (crd - start).days // 2) if months < 48 else None
    tused = crd + DAY * 365 if months < 24 else None
    confirmed = crd if 0 <= (crd - b.as_of).days <= 60 else None
    return SentenceDates(booking_id, start, hdced, None, crd, None, None, None, None, None, sed,
                         sed, tused, None, confirmed, None, crd, "CRD")


def recall_dates(booking_id: int, start: date, months: int, recalled: date) -> SentenceDates:
    """A fixed-term recall: released at CRD, recalled, out again 28 days on (no HDC)."""
    dates = determinate_dates_plain(booking_id, start, months)
    sed = dates.sentence_expiry_date
    assert sed is not None
    return replace(dates, home_detention_curfew_eligibility_date=None, confirmed_release_date=None,
                   post_recall_release_date=min(recalled + DAY * 28, sed),
                   non_dto_release_date=min(recalled + DAY * 28, sed),
                   non_dto_release_date_type="PRRD", topup_supervision_expiry_date=None)


def determinate_dates_plain(booking_id: int, start: date, months: int) -> SentenceDates:
    length = int(months * 30.44)
    sed, crd = start + DAY * length, start + DAY * (length // 2)
    return SentenceDates(booking_id, start, None, None, crd, None, None, None, None, None, sed,
                         sed, None, None, None, None, crd, "CRD")


def indeterminate_dates(booking_id: int, start: date, b: Builder) -> SentenceDates:
    tariff = start + DAY * 365 * b.rng.randrange(4, 12)
    return SentenceDates(booking_id, start, None, None, None, None, tariff, None, None, None,
                         None, None, None, tariff, None, None, None, None)


def key_dates(dates: SentenceDates) -> KeyDates:
    return KeyDates(dates.conditional_release_date, dates.licence_expiry_date,
                    dates.home_detention_curfew_eligibility_date, dates.parole_eligibility_date,
                    dates.sentence_expiry_date, dates.release_date)


def cell(b: Builder) -> str:
    return f"{b.rng.choice('ABCDEFGH')}-{1 + b.rng.randrange(4)}-{1 + b.rng.randrange(40):03d}"


def custodial(b: Builder, crn: str, noms: str, who: Identity, number: int, manager: Manager, *,
              released: bool = False, prison: str | None = None, legal: str | None = None
              ) -> Identity:
    """A custodial event in nDelius and the matching booking in NOMIS (pre-release, recalled
    or on licence). Answers `who`, old enough for the prison they were sent to."""
    rng = b.rng
    months = rng.choice((6, 9, 12, 18, 24, 30, 36, 48, 60, 84, 120))
    half = int(months * 15.22)
    legal = legal or ("SENTENCED" if released else rng.choices(
        ("SENTENCED", "RECALL", "INDETERMINATE_SENTENCE"), (85, 10, 5))[0])
    start = b.days_ago(rng.randrange(half + 10, 2 * half - 10) if released
                       else half + rng.randrange(40, half) if legal == "RECALL"
                       else rng.randrange(20, max(21, half - 10)))
    booking_id, book = b.ids.booking_id(), b.ids.book_number()
    recalled = b.days_ago(rng.randrange(5, 20))
    dates = indeterminate_dates(booking_id, start, b) if legal == "INDETERMINATE_SENTENCE" \
        else recall_dates(booking_id, start, months, recalled) if legal == "RECALL" \
        else determinate_dates(booking_id, start, months, b)
    young = age_on(who.date_of_birth, start) < 21
    agency = prison or rng.choice(sorted(ref.YOUNG_ADULT_PRISONS if young else ref.PRISONS))
    who = adult_at(b, who, start - DAY * 200, 18 if agency in ref.YOUNG_ADULT_PRISONS else 21)
    moves = [Movement(noms, "ADM", "IN", "LEEDMC", agency, "N", start)]
    if legal == "RECALL":
        moves += [Movement(noms, "REL", "OUT", agency, "OUT", "CR",
                           dates.conditional_release_date or start),
                  Movement(noms, "ADM", "IN", "OUT", agency, "24", recalled)]
    if released:
        out = dates.conditional_release_date or start
        moves.append(Movement(noms, "REL", "OUT", agency, "OUT", "CR", out))
        status, in_out, where, cell_at = "INACTIVE OUT", "OUT", "OUT", None
    else:
        court = rng.random() < 0.05
        status, in_out = ("ACTIVE OUT", "OUT") if court else ("ACTIVE IN", "IN")
        where, cell_at = agency, cell(b)
        if court:
            moves.append(Movement(noms, "CRT", "OUT", agency, "LEEDMC", "CA", b.as_of))
    b.add_custody(Custody(
        noms, booking_id, book, not released, status, in_out, where, cell_at, legal,
        None if released else legal.replace("_", " ").title(), rng.choice(ref.CATEGORIES),
        start, who.forename, who.surname, who.date_of_birth, who.pnc_number),
        dates, moves)
    code, text = ref.INDETERMINATE_SENTENCE if legal == "INDETERMINATE_SENTENCE" \
        else rng.choice(ref.CUSTODIAL_SENTENCES)
    sentence = Sentence(text, code, months, "Months", start, dates.sentence_expiry_date, None)
    status_code = ("P" if dates.topup_supervision_expiry_date else "B") if released \
        else "C" if legal == "RECALL" else rng.choice("AD")
    b.add_case(Case(
        b.next_case_id(), crn, number, True, start, offences(b, start), sentence, (),
        manager.provider_code, order_manager(manager), status_code, book, agency,
        key_dates(dates)))
    return who


def remand(b: Builder, noms: str, who: Identity, prison: str | None = None) -> Custody:
    """A prisoner on remand: in NOMIS only, with no sentence dates."""
    rng = b.rng
    start = b.days_ago(rng.randrange(3, 120))
    young = age_on(who.date_of_birth, start) < 21
    booking_id = b.ids.booking_id()
    agency = prison or rng.choice(sorted(ref.YOUNG_ADULT_PRISONS if young else ref.PRISONS))
    who = adult_at(b, who, start, 18 if agency in ref.YOUNG_ADULT_PRISONS else 21)
    legal = rng.choice(("REMAND", "REMAND", "CONVICTED_UNSENTENCED"))
    custody = Custody(noms, booking_id, b.ids.book_number(), True, "ACTIVE IN", "IN", agency,
                      cell(b), legal, legal.replace("_", " ").title(), "U", start, who.forename,
                      who.surname, who.date_of_birth, who.pnc_number)
    no_dates = dict.fromkeys(f.name for f in fields(SentenceDates) if f.name.endswith("_date"))
    empty = SentenceDates(booking_id, **no_dates, non_dto_release_date_type=None)
    b.add_custody(custody, empty, [Movement(noms, "ADM", "IN", "LEEDMC", agency, "R",
                                            start)])
    return custody
