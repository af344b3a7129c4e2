"""The regression guard's marks (`providers.signals`) against a plain statement of them.

`observe` and `merged` take short cuts (one pass per record, nothing rebuilt when nothing is
new); here they are compared with the straightforward reading of their docstrings over
generated records of every kind the guard sees, and chains of answers for one key.
"""

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from providers import signals
from providers.embedded.dataset import shared
from providers.records import Custody, Movement, SentenceDates

_DATA = shared()
_CASE = next(iter(_DATA.cases.values()))[0]
_PERSON = next(iter(_DATA.people.values()))
_CUSTODY = next(iter(_DATA.custody.values()))
_DATES = next(iter(_DATA.sentence_dates.values()))
_MOVEMENT = next(m for ms in _DATA.movements.values() for m in ms)

_stamps = st.none() | st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2027, 1, 1),
                                   timezones=st.just(UTC))
_days = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1))
_etags = st.none() | st.sampled_from(['"a"', '"b"', 'W/"c"'])
_bookings = st.integers(min_value=1, max_value=6)

_case = st.builds(lambda at, etag: replace(_CASE, updated_at=at, etag=etag), _stamps, _etags)
_person = st.builds(lambda at: replace(_PERSON, updated_at=at), _stamps)
_custody = st.builds(lambda at, booking, active, moved, move: replace(
    _CUSTODY, updated_at=at, booking_id=booking, active=active, last_movement_date=moved,
    last_movement_type=move), _stamps, _bookings, st.booleans(), st.none() | _days,
    st.none() | st.sampled_from(["ADM", "REL", "TRN", "CRT"]))
_dates = st.builds(lambda at, crd, hdced: replace(
    _DATES, updated_at=at, conditional_release_date=crd,
    home_detention_curfew_eligibility_date=hdced), _stamps, st.none() | _days,
    st.none() | _days)
_movement = st.builds(lambda day: replace(_MOVEMENT, movement_date=day), _days)
_answer = (_person | _custody | _dates | st.lists(_case, max_size=4).map(tuple)
           | st.lists(_movement, max_size=4).map(tuple) | st.none())


def reference_observe(record):
    if record is None or isinstance(record, Exception):
        return None
    items = record if isinstance(record, tuple) else (record,)
    mark = {}
    stamps = [s.isoformat() for r in items if (s := getattr(r, "updated_at", None))]
    if stamps:
        mark["stamp"] = max(stamps)
    if etags := sorted({e for r in items if (e := getattr(r, "etag", None))}):
        mark["version"] = ",".join(etags)
    if isinstance(record, Custody):
        mark["booking"] = record.booking_id
        mark["released"] = [] if record.active else [record.booking_id]
        mark["active"] = [record.booking_id] if record.active else []
        if record.last_movement_date is not None:
            mark |= {"moved": record.last_movement_date.isoformat(),
                     "move": record.last_movement_type}
    if isinstance(record, SentenceDates):
        mark["version"] = signals._fingerprint(record)
    if items and all(isinstance(r, Movement) for r in items):
        mark["latest"] = max(m.movement_date for m in items).isoformat()
    return mark or None


def reference_merged(before, now):
    if before is None:
        return now
    out = dict(before)
    for key in ("stamp", "booking", "latest"):
        if key in now and (key not in out or now[key] > out[key]):
            out[key] = now[key]
    if "moved" in now and now["moved"] >= out.get("moved", ""):
        out |= {"moved": now["moved"], "move": now.get("move")}
    released = set(out.get("released", ())) | set(now.get("released", ()))
    out["released"] = sorted(released - set(now.get("active", ())))[-signals.KEPT_VERSIONS:]
    out["active"] = now.get("active", [])
    if (version := now.get("version")) and version != before.get("version"):
        superseded = [v for v in before.get("superseded", ()) if v != version]
        if before.get("version"):
            superseded.append(before["version"])
        out |= {"version": version, "superseded": superseded[-signals.KEPT_VERSIONS:]}
    return out


def _same(a, b):
    """Marks that mean the same: an empty list and no list are read alike by `reasons`."""
    def plain(mark):
        return None if mark is None else {k: v for k, v in mark.items() if v != []}
    return plain(a) == plain(b)


@settings(max_examples=300, deadline=None)
@given(_answer)
def test_observe_reads_what_the_plain_statement_reads(record):
    assert signals.observe("any", record) == reference_observe(record)


@settings(max_examples=200, deadline=None)
@given(st.lists(_custody, min_size=1, max_size=6) | st.lists(_dates, min_size=1, max_size=6)
       | st.lists(_person, min_size=1, max_size=6)
       | st.lists(st.lists(_case, max_size=3).map(tuple), min_size=1, max_size=6))
def test_a_chain_of_answers_keeps_the_marks_the_plain_statement_keeps(answers):
    """One key's answers in turn, each merged into the last (repeats included, where the
    short cut applies); `reasons` says the same of each against either history."""
    fast = slow = None
    for record in answers + answers[-1:]:
        now = signals.observe("any", record)
        if now is None:
            continue
        if fast is not None:
            assert signals.reasons(fast, now) == signals.reasons(slow, now)
        fast, slow = signals.merged(fast, now), reference_merged(slow, now)
        assert _same(fast, slow)


def test_a_repeated_answer_changes_nothing():
    now = signals.observe("custody", replace(_CUSTODY, active=False,
                                             updated_at=datetime(2026, 1, 1, tzinfo=UTC)))
    before = signals.merged(None, now)
    assert signals.merged(before, dict(now)) is before


def test_a_sentence_calculation_has_one_fingerprint_per_set_of_dates():
    moved = replace(_DATES, conditional_release_date=(
        _DATES.conditional_release_date or date(2026, 1, 1)) + timedelta(days=1))
    assert signals._fingerprint(_DATES) == signals._fingerprint(replace(_DATES))
    assert signals._fingerprint(_DATES) != signals._fingerprint(moved)
    assert signals._fingerprint(replace(_DATES, updated_at=datetime.now(UTC))) == \
        signals._fingerprint(_DATES)


def _held(booking, active, moved, move):
    return replace(_CUSTODY, booking_id=booking, active=active, last_movement_date=moved,
                   last_movement_type=move, updated_at=None)


@settings(max_examples=200, deadline=None)
@given(_days, st.integers(0, 400), st.integers(0, 400), st.sampled_from(["ADM", "TRN", "CRT"]))
def test_a_recall_after_a_release_is_not_a_regression(admitted, out_for, back_after, move):
    """Released, then in again on the same booking after a later movement (or admitted on the
    day of the release): a recall, served as it is."""
    released = admitted + timedelta(days=out_for)
    recalled = released + timedelta(days=back_after)
    mark = None
    for record in (_held(3, True, admitted, "ADM"), _held(3, False, released, "REL")):
        mark = signals.merged(mark, signals.observe("custody", record))
    again = signals.observe("custody", _held(3, True, recalled, move if back_after else "ADM"))
    assert signals.reasons(mark, again) == []
    mark = signals.merged(mark, again)
    assert signals.reasons(mark, again) == []  # and the same answer again


@settings(max_examples=200, deadline=None)
@given(_days, st.integers(1, 400), st.integers(0, 400), st.sampled_from(["ADM", "TRN", "REL"]))
def test_the_released_booking_active_again_as_it_was_before_is_a_regression(
        admitted, out_for, before_release, move):
    """An old backup: the booking active, its last movement no later than the release."""
    released = admitted + timedelta(days=out_for)
    mark = signals.merged(signals.merged(None, signals.observe(
        "custody", _held(3, True, admitted, "ADM"))), signals.observe(
        "custody", _held(3, False, released, "REL")))
    restored = _held(3, True, released - timedelta(days=before_release),
                     move if before_release else "REL")
    assert "release" in signals.reasons(mark, signals.observe("custody", restored))


def test_the_fingerprint_keeps_the_form_earlier_gateways_stored():
    """Marks live 90 days in a cache every gateway shares: a gateway of another release must
    compute the same fingerprint, or it finds its own among the superseded."""
    import hashlib

    values = [getattr(_DATES, f.name) for f in fields(SentenceDates) if f.name != "updated_at"]
    assert signals._fingerprint(_DATES) == hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def test_a_recall_after_a_release_remembered_without_movements_is_served():
    """A mark written before movements were remembered has no `moved`: the recall the
    answer shows is taken as it is, and the movement remembered from then on."""
    old = {"booking": 3, "released": [3], "active": []}
    recalled = signals.observe("custody", _held(3, True, date(2026, 11, 30), "ADM"))
    assert signals.reasons(old, recalled) == []
    assert signals.merged(old, recalled)["released"] == []
    unknown = signals.observe("custody", _held(3, True, None, None))
    assert signals.reasons(old, unknown) == ["release"]  # nothing to go by: flagged
