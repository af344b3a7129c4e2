"""Identifier formats of the real systems, with PNC and CRO mod-23 check letters (domain.md 1.2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from random import Random

CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"  # 23 letters: no I, O, S

CRN_PATTERN = re.compile(r"^[A-Z]\d{6}$")
NOMS_PATTERN = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
_PNC_PATTERN = re.compile(r"^(\d{4})/(\d{7})([A-Z])$")


def pnc_check_letter(year: int, serial: int) -> str:
    return CHECK_ALPHABET[int(f"{year % 100:02d}{serial:07d}") % 23]


def cro_check_letter(year: int, serial: int) -> str:
    return CHECK_ALPHABET[int(f"{year % 100:02d}{serial:06d}") % 23]


def pnc_number(year: int, serial: int, *, valid: bool = True) -> str:
    """Long-form PNC `YYYY/NNNNNNNC`."""
    letter = pnc_check_letter(year, serial)
    if not valid:
        letter = CHECK_ALPHABET[(CHECK_ALPHABET.index(letter) + 1) % 23]
    return f"{year:04d}/{serial:07d}{letter}"


def cro_number(year: int, serial: int) -> str:
    """CRO `NNNNNN/YYC`."""
    return f"{serial:06d}/{year % 100:02d}{cro_check_letter(year, serial)}"


def pnc_is_valid(value: str) -> bool:
    match = _PNC_PATTERN.match(value)
    if not match:
        return False
    year, serial, letter = int(match[1]), int(match[2]), match[3]
    return pnc_check_letter(year, serial) == letter


def is_crn(value: str) -> bool:
    return bool(CRN_PATTERN.match(value))


def is_noms_number(value: str) -> bool:
    return bool(NOMS_PATTERN.match(value))


class UniqueIds:
    """Draws identifiers that never repeat within one dataset."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()
        self._book = 10_000
        self._booking_id = 1_200_000

    def reserve(self, value: str) -> str:
        self._seen.add(value)
        return value

    def _draw(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._seen:
                self._seen.add(value)
                return value

    def crn(self) -> str:
        rng = self._rng
        return self._draw(lambda: f"{rng.choice('ABCDEFGHJKLMNPRSTVW')}{rng.randrange(10**6):06d}")

    def noms(self) -> str:
        rng = self._rng
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        return self._draw(
            lambda: f"{rng.choice('GHJKL')}{rng.randrange(10**4):04d}"
            f"{rng.choice(letters)}{rng.choice(letters)}"
        )

    def book_number(self) -> str:
        self._book += 1
        return f"{self._book:05d}{'ABCDEFGH'[self._book % 8]}"

    def booking_id(self) -> int:
        self._booking_id += 1 + self._rng.randrange(40)
        return self._booking_id


_SHORT_PNC = re.compile(r"^(\d{2})/(\d{1,7})([A-Z])$")
_LONG_PNC = re.compile(r"^(\d{4})/(\d{1,7})([A-Z])$")


def canonical_pnc(value: str | None, this_year: int | None = None) -> str | None:
    """`YYYY/NNNNNNNC` from the long or short form, so the two systems' forms compare equal.
    A short form's year is the latest not after `this_year` (by default the current one)."""
    if not value:
        return None
    text = value.strip().upper()
    if match := _LONG_PNC.match(text):
        return f"{match[1]}/{int(match[2]):07d}{match[3]}"
    if match := _SHORT_PNC.match(text):
        year = int(match[1])
        if this_year is None:
            this_year = datetime.now(UTC).year
        century = 2000 if 2000 + year <= this_year else 1900
        return f"{century + year}/{int(match[2]):07d}{match[3]}"
    return text


def pnc_year(value: str) -> int | None:
    """The year a PNC number was first issued (its long form's first part), if readable."""
    canonical = canonical_pnc(value)
    head = canonical.split("/")[0] if canonical else ""
    return int(head) if head.isdigit() else None
