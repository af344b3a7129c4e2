"""Typed decoding from the contracts' schemas: one record that does not fit is bad data for
its own key; the rest of the batch answers, as with the dict mapping it replaced."""

from __future__ import annotations

from datetime import date

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.errors import BackendBadData
from providers.http.batch import Batch
from providers.http.typed import RAWS, decoded, filed, records
from providers.nomis import typed
from providers.records import Custody


def _prisoner(number: str, **changes: object) -> dict[str, object]:
    return {"prisonerNumber": number, "bookingId": "1234", "status": "ACTIVE IN",
            "prisonId": "MDI", "receptionDate": "2024-01-31", "unknownField": {"x": 1},
            **changes}


def _read(*items: object):
    return records("nomis", "prisoner", orjson.dumps(list(items)), typed.PRISONER,
                   typed.PRISONER_KEY, lambda p: [p.prisonerNumber], typed.custody)


def test_fields_are_typed_by_the_contract_and_unknown_ones_ignored():
    [found] = _read(_prisoner("A0001AA")).aligned(["A0001AA"])
    assert isinstance(found, Custody) and found.reception_date == date(2024, 1, 31)
    assert found.booking_id == 1234 and found.active


def test_a_number_for_a_booking_id_is_read_as_prison_api_sends_it():
    [found] = _read(_prisoner("A0001AA", bookingId=99)).aligned(["A0001AA"])
    assert found.booking_id == 99


def test_a_record_that_does_not_fit_is_bad_data_for_its_own_key_only():
    batch = _read(_prisoner("A0001AA", status="SOMEWHERE"), _prisoner("A0002AA"),
                  _prisoner("A0003AA", receptionDate="yesterday"),
                  _prisoner("A0004AA", bookingId="12x"))
    first, second, third, fourth = batch.aligned(["A0001AA", "A0002AA", "A0003AA", "A0004AA"])
    assert isinstance(first, BackendBadData) and isinstance(third, BackendBadData)
    assert isinstance(fourth, BackendBadData)  # the mapping's own check, still per record
    assert isinstance(second, Custody)
    assert batch.aligned(["A9999ZZ"]) == [None]


def test_a_record_without_a_readable_key_makes_every_unanswered_key_bad_data():
    batch = _read(_prisoner("A0002AA"), {"bookingId": "1", "status": "ACTIVE IN"})
    found, missing = batch.aligned(["A0002AA", "A0005AA"])
    assert isinstance(found, Custody) and isinstance(missing, BackendBadData)


def test_a_body_that_is_not_a_list_is_bad_data_for_the_whole_call():
    import pytest

    with pytest.raises(BackendBadData):
        records("nomis", "prisoner", b'{"content": []}', typed.PRISONER, typed.PRISONER_KEY,
                lambda p: [p.prisonerNumber], typed.custody)


_CORRUPTIONS = st.sampled_from([
    {}, {}, {"status": "SOMEWHERE"}, {"receptionDate": "yesterday"}, {"bookingId": "12x"},
    {"prisonerNumber": None}, {"prisonId": 7}, {"bookingId": None}])


@settings(max_examples=150, deadline=None)
@given(changes=st.lists(st.tuples(st.integers(1, 6), _CORRUPTIONS), max_size=8))
def test_one_pass_over_the_whole_list_files_what_record_by_record_decoding_would(changes):
    """The fast path (the whole array at once) and the slow one (record by record, taken
    when anything does not fit) must file the same values and errors under the same keys."""
    items = [_prisoner(f"A000{n}AA", **change) for n, change in changes]
    body = orjson.dumps(items)
    fast = records("nomis", "prisoner", body, typed.PRISONER, typed.PRISONER_KEY,
                   lambda p: [p.prisonerNumber], typed.custody)
    slow = filed(Batch("nomis", "prisoner"), decoded(
        RAWS.decode(body), typed.PRISONER, typed.PRISONER_KEY, lambda p: [p.prisonerNumber]),
        typed.custody)
    keys = [f"A000{n}AA" for n in range(1, 7)]
    assert fast.unreadable == slow.unreadable
    assert [_comparable(v) for v in fast.aligned(keys)] == \
        [_comparable(v) for v in slow.aligned(keys)]


def _comparable(value: object) -> object:
    return type(value).__name__ if isinstance(value, BackendBadData) else value
