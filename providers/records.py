"""The records providers return: plain frozen values named after the real APIs' fields.

Every adapter maps its backend's shapes onto these in one place; resolvers and policies
read only these. A field is optional wherever the real API may leave it out. `updated_at` is
the backend's own last-modified time where it sends one (the HMPPS record DTOs carry none; an
HTTP `Last-Modified` header is used where a service sends it), else None.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from providers.frozen import record


@record
class Organisation:
    """A provider organisation (an NPS division or a CRC) or a prison."""

    code: str
    name: str
    type: str  # NPS | CRC | PRISON


@record
class Establishment:
    """A NOMIS agency location: a prison, a court, a hospital."""

    code: str
    name: str
    type: str  # INST | CRT | HOSPITAL | ...
    active: bool = True


@record
class Alias:
    forename: str | None
    surname: str | None
    date_of_birth: date | None


@record
class Manager:
    """An offender manager allocation: staff within a team within a provider."""

    staff_code: str
    forenames: str
    surname: str
    team_code: str
    team_name: str
    provider_code: str
    from_date: date | None
    to_date: date | None
    active: bool
    allocation_reason: str

    @property
    def unallocated(self) -> bool:
        return self.staff_code.endswith("U")


@record
class Person:
    """A person on the probation case system (nDelius)."""

    crn: str
    noms_number: str | None
    pnc_number: str | None
    cro_number: str | None
    forename: str | None
    middle_names: tuple[str, ...]
    surname: str | None
    date_of_birth: date | None
    gender: str | None
    aliases: tuple[Alias, ...]
    probation_status: str | None  # CURRENT | PREVIOUSLY_KNOWN | NOT_SENTENCED
    tier: str | None
    managers: tuple[Manager, ...]
    exclusion_users: tuple[str, ...]
    restriction_users: tuple[str, ...]
    exclusion_message: str | None
    restriction_message: str | None
    updated_at: datetime | None = None

    @property
    def active_manager(self) -> Manager | None:
        for manager in self.managers:  # a loop, not next(genexpr): row filters ask per row
            if manager.active:
                return manager
        return None

    @property
    def managing_provider(self) -> str | None:
        manager = self.active_manager
        return manager.provider_code if manager else None

    @property
    def limited_access(self) -> bool:
        return bool(self.exclusion_users or self.restriction_users)


@record
class Offence:
    code: str
    description: str
    main: bool
    offence_date: date | None  # the API sends a date-time; the day is what is known


@record
class Sentence:
    description: str
    type_code: str
    length: int
    length_units: str
    start_date: date
    expected_end_date: date | None
    termination_date: date | None


@record
class Requirement:
    category: str
    subcategory: str
    length: int | None
    length_unit: str | None
    active: bool


@record
class KeyDates:
    """The copy of the key release dates that nDelius holds (its own, possibly stale)."""

    conditional_release_date: date | None
    licence_expiry_date: date | None
    hdc_eligibility_date: date | None
    parole_eligibility_date: date | None
    sentence_expiry_date: date | None
    expected_release_date: date | None


@record
class Case:
    """An nDelius event (a conviction): offences, sentence, requirements, manager."""

    id: str
    crn: str
    number: int
    active: bool
    conviction_date: date | None
    offences: tuple[Offence, ...]
    sentence: Sentence | None
    requirements: tuple[Requirement, ...]
    managing_provider: str
    manager: Manager | None
    custodial_status: str | None  # Delius throughcare status code (A, B, D, P, ...)
    booking_number: str | None
    institution_code: str | None
    key_dates: KeyDates | None
    updated_at: datetime | None = None
    etag: str | None = None  # the HTTP ETag of the answer that carried it, where one is sent


@record
class Registration:
    """A register entry (RoSH, MAPPA, ...) on the person."""

    id: str
    type_code: str
    type_description: str
    risk_colour: str
    start_date: date
    next_review_date: date | None
    level: str | None
    category: str | None
    active: bool


@record
class Custody:
    """A prisoner's latest NOMIS booking with the identity NOMIS holds for them."""

    noms_number: str
    booking_id: int
    book_number: str | None
    active: bool
    status: str  # ACTIVE IN | ACTIVE OUT | INACTIVE OUT | INACTIVE TRN
    in_out_status: str  # IN | OUT | TRN
    agency_id: str
    cell_location: str | None
    legal_status: str | None
    imprisonment_status: str | None
    category: str | None
    reception_date: date | None
    forename: str | None
    surname: str | None
    date_of_birth: date | None
    pnc_number: str | None
    # Prisoner search's `lastMovementDate` and `lastMovementTypeCode` (ADM, REL, TRN...): the
    # date only moves forward, so a recall (the released booking active again after a later
    # movement) is told from an old backup restored.
    last_movement_date: date | None = None
    last_movement_type: str | None = None
    updated_at: datetime | None = None


@record
class SentenceDates:
    """NOMIS sentence calculation dates for one booking (prison-api SentenceCalcDates)."""

    booking_id: int
    sentence_start_date: date | None
    home_detention_curfew_eligibility_date: date | None
    home_detention_curfew_actual_date: date | None
    conditional_release_date: date | None
    automatic_release_date: date | None
    parole_eligibility_date: date | None
    actual_parole_date: date | None
    non_parole_date: date | None
    post_recall_release_date: date | None
    licence_expiry_date: date | None
    sentence_expiry_date: date | None
    topup_supervision_expiry_date: date | None
    tariff_date: date | None
    confirmed_release_date: date | None
    mid_term_date: date | None
    non_dto_release_date: date | None
    non_dto_release_date_type: str | None
    updated_at: datetime | None = None

    @property
    def release_date(self) -> date | None:
        """The release date by prison-api's rule (domain.md 2.4)."""
        if self.confirmed_release_date:
            return self.confirmed_release_date
        if self.actual_parole_date or self.home_detention_curfew_actual_date:
            return self.actual_parole_date or self.home_detention_curfew_actual_date
        candidates = [d for d in (self.non_dto_release_date, self.mid_term_date) if d]
        return max(candidates) if candidates else None


@record
class Appointment:
    """An appointment a provider keeps in its own system (not in nDelius)."""

    id: str
    crn: str
    case_id: str
    provider_code: str
    type: str
    starts_at: datetime
    ends_at: datetime
    location: str
    staff_code: str
    outcome: str | None  # ATTENDED | FAILED_TO_ATTEND | RESCHEDULED | None (future)


@record
class Movement:
    """An external movement (admission, release, transfer, court, temporary absence)."""

    noms_number: str
    movement_type: str  # ADM | CRT | REL | TAP | TRN
    direction: str  # IN | OUT
    from_agency: str | None
    to_agency: str | None
    reason_code: str
    movement_date: date


def current_case(cases: Sequence[Case]) -> Case | None:
    """A person's caseload entry: their latest active event, if any."""
    active = [c for c in cases if c.active]
    return max(active, key=lambda c: c.number) if active else None
