"""A caseload maps only each person's current conviction: the case it shows is the one
`current_case` would choose from all of them mapped, for any list of convictions."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.delius import typed
from providers.delius.provider import DeliusProvider, _chosen
from providers.errors import BackendBadData
from providers.records import current_case

PROVIDER = DeliusProvider("delius", base_url="http://127.0.0.1:9", client_secret="unused")

convictions = st.lists(st.builds(
    typed.Conviction,
    convictionId=st.integers(1, 10**6),
    index=st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["", "x", " 4", "٣"])),
    active=st.sampled_from([True, False, None])), max_size=6)


def _numbered(conviction: Any) -> bool:
    try:
        int(conviction.index)
    except ValueError:
        return False
    return True


def _mapped(chosen: object) -> object:
    return PROVIDER._convert_cases("X000001", chosen, {}, {})


@settings(max_examples=400, deadline=None)
@given(convictions)
def test_the_current_case_alone_is_the_one_all_mapped_would_show(found):
    everything = _mapped(found)
    try:
        alone = _mapped(_chosen("delius", found, current_only=True))
    except BackendBadData as exc:  # the choice itself found it unreadable
        alone = exc
    if isinstance(alone, BackendBadData):  # an active conviction whose index is no number
        assert isinstance(everything, BackendBadData)
        assert any(j.active is True and not _numbered(j) for j in found)
        return
    assert isinstance(alone, tuple) and len(alone) <= 1
    if isinstance(everything, tuple):
        assert current_case(alone) == current_case(everything)
        assert alone == ((current_case(everything),) if current_case(everything) else ())
    else:  # a conviction the caseload does not show could not be read: the rest still can
        assert isinstance(everything, BackendBadData)
        assert any(j.active is not True and not _numbered(j) for j in found)


def test_all_convictions_are_mapped_when_not_only_the_current_is_asked_for():
    found = [typed.Conviction(convictionId=n, index=str(n), active=n % 2 == 0)
             for n in range(1, 5)]
    assert len(_mapped(_chosen("delius", found, current_only=False))) == 4
    [only] = _mapped(_chosen("delius", found, current_only=True))
    assert only.number == 4
