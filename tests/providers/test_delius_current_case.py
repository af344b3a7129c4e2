"""A caseload maps only each person's current conviction: the case it shows is the one
`current_case` would choose from all of them mapped, for any list of convictions."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.delius import typed
from providers.delius.provider import DeliusProvider, chosen_convictions
from providers.errors import BackendBadData
from providers.records import current_case

PROVIDER = DeliusProvider("delius", base_url="http://127.0.0.1:9", client_secret="unused")

offences = st.lists(st.builds(
    typed.Offence, detail=st.builds(typed.OffenceDetail, code=st.just("X1")),
    offenceDate=st.sampled_from(["2024-05-01T00:00:00", "2024-05-01", "not a date"])),
    max_size=2)
convictions = st.lists(st.builds(
    typed.Conviction,
    convictionId=st.integers(1, 10**6),
    index=st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["", "x", " 4", "٣"])),
    active=st.sampled_from([True, False, None]),
    offences=st.one_of(st.none(), offences)), max_size=6)


def _mapped(chosen: object) -> object:
    return PROVIDER._convert_cases("X000001", chosen, {}, {})


def _mappable(conviction: Any) -> bool:
    return not isinstance(_mapped([conviction]), BackendBadData)


def _numbered(conviction: Any) -> bool:
    try:
        int(conviction.index)
    except ValueError:
        return False
    return True


@settings(max_examples=500, deadline=None)
@given(convictions)
def test_the_current_case_alone_is_the_one_all_mapped_would_show(found):
    everything = _mapped(found)
    try:
        chosen = list(chosen_convictions("delius", found, current_only=True))
    except BackendBadData:  # the choice itself found an index it cannot compare
        assert any(j.active is True and not _numbered(j) for j in found)
        assert isinstance(everything, BackendBadData)
        return
    alone = _mapped(chosen)
    if isinstance(alone, BackendBadData):  # what the caseload shows could not be read
        assert isinstance(everything, BackendBadData)
        return
    assert isinstance(alone, tuple) and len(alone) == len(chosen) <= 1
    if isinstance(everything, tuple):
        assert alone == ((current_case(everything),) if current_case(everything) else ())
    else:  # only a conviction the caseload does not show could not be read
        assert any(not _mappable(j) for j in found if all(j is not c for c in chosen))


def test_all_convictions_are_mapped_when_not_only_the_current_is_asked_for():
    found = [typed.Conviction(convictionId=n, index=str(n), active=n % 2 == 0)
             for n in range(1, 5)]
    assert len(_mapped(chosen_convictions("delius", found, current_only=False))) == 4
    [only] = _mapped(chosen_convictions("delius", found, current_only=True))
    assert only.number == 4
