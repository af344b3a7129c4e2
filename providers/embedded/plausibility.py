"""Records no real system would hold, counted rule by rule (`casegraph data check`).

Each rule names the sentencing fact it rests on. The demo dataset must break none of them;
the seeded drift and mismatch scenarios break only what they are meant to (what NOMIS and
nDelius disagree on), which no rule here reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from providers.embedded.dataset import Dataset
from providers.identifiers import pnc_year
from providers.records import SentenceDates

IPP_ABOLISHED = date(2012, 12, 3)  # LASPO 2012 s.123: no IPP imposed from this day
LONGEST_SUSPENDED_MONTHS = 24  # Sentencing Act 2020 s.277: a suspended term is at most 2 years
PSS_BELOW_MONTHS = 24  # Offender Rehabilitation Act 2014: top-up supervision below 2 years
HDC_BELOW_MONTHS = 48  # HDC: sentences under 4 years
REVIEW_GRACE = timedelta(days=90)  # a review a little late is normal; months late is not
COMMUNITY = frozenset({"SP", "SU"})

Finding = tuple[str, str]  # (rule, identifier)


def _months(length: int, units: str) -> float:
    return {"Months": length, "Years": 12 * length, "Weeks": length / 4.345,
            "Days": length / 30.44}.get(units, length)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def sentences(data: Dataset) -> Iterator[Finding]:
    for crn, cases in data.cases.items():
        person = data.people.get(crn)
        first_record = pnc_year(person.pnc_number) if person and person.pnc_number else None
        for case in cases:
            s = case.sentence
            if s is None:
                continue
            months = _months(s.length, s.length_units)
            if s.type_code == "IPP" and s.start_date >= IPP_ABOLISHED:
                yield "ipp_after_abolition", case.id
            if s.type_code == "SU" and months > LONGEST_SUSPENDED_MONTHS:
                yield "suspended_over_two_years", case.id
            if case.custodial_status == "P" and months >= PSS_BELOW_MONTHS:
                yield "pss_on_two_years_or_more", case.id
            if s.type_code in COMMUNITY and s.expected_end_date and \
                    s.expected_end_date < data.as_of and (case.active or not s.termination_date):
                yield "community_order_past_end_not_terminated", case.id
            if s.termination_date and s.termination_date > data.as_of:
                yield "termination_in_future", case.id
            if first_record and case.conviction_date and case.conviction_date.year < first_record:
                yield "conviction_before_pnc_year", case.id


def custody(data: Dataset) -> Iterator[Finding]:
    for noms, c in data.custody.items():
        dates = data.sentence_dates.get(c.booking_id)
        moves = data.movements.get(noms, ())
        start = dates.sentence_start_date if dates and dates.sentence_start_date else \
            c.reception_date
        if c.legal_status == "RECALL":
            released_before = any(m.movement_type == "REL" for m in moves[1:])
            if not released_before or not (dates and dates.post_recall_release_date) or \
                    (dates and dates.home_detention_curfew_eligibility_date):
                yield "recall_without_release_or_with_hdc", noms
        if dates and dates.home_detention_curfew_eligibility_date and \
                not _hdc_consistent(dates):
            yield "hdced_inconsistent", noms
        if c.date_of_birth and start:
            age = _age(c.date_of_birth, start)
            name = data.establishments.get(c.agency_id)
            prison = name.name if name else ""
            if age < 18:
                yield "adult_custody_under_18", noms
            elif age < 21 and c.active and "YOI" not in prison and c.agency_id in \
                    {e for e, v in data.establishments.items() if v.type == "INST"}:
                yield "young_adult_not_in_yoi", noms


def _hdc_consistent(d: SentenceDates) -> bool:
    """HDC: a term under 4 years; eligible at least 28 days in, at most 180 days before CRD."""
    start, hdced, crd = (d.sentence_start_date, d.home_detention_curfew_eligibility_date,
                         d.conditional_release_date)
    sed = d.sentence_expiry_date
    if not (start and hdced and crd and sed):
        return False
    term = (sed - start).days
    return term < HDC_BELOW_MONTHS * 30.44 and start < hdced < crd and \
        (crd - hdced).days <= 180 and (hdced - start).days >= 28


def registrations(data: Dataset) -> Iterator[Finding]:
    for regs in data.registrations.values():
        for r in regs:
            if r.active and r.next_review_date and \
                    r.next_review_date < data.as_of - REVIEW_GRACE:
                yield "review_long_overdue", r.id


RULES: tuple[Callable[[Dataset], Iterator[Finding]], ...] = (sentences, custody, registrations)


def check(data: Dataset) -> dict[str, list[str]]:
    """Implausible records by rule (empty when the dataset is plausible)."""
    found: dict[str, list[str]] = {}
    for rule in RULES:
        for name, identifier in rule(data):
            found.setdefault(name, []).append(identifier)
    return found
