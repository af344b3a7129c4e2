"""Feed freshness over any sequence of time passing, events and checks: per source the
notices alternate (FEED_STALE, FEED_RESUMED, ...), a FEED_STALE comes at the first check
after a silence longer than allowed and never before, and ages are the time since the newest
event."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from events.freshness import FeedFreshness
from tests.clock import FakeClock

ALLOWED = {"nomis": 60.0, "delius": 300.0}
steps = st.lists(st.one_of(
    st.tuples(st.just("advance"), st.floats(0, 200)),
    st.tuples(st.just("event"), st.sampled_from([*sorted(ALLOWED), "unknown"])),
    st.tuples(st.just("check"), st.none())), max_size=60)


@given(steps)
def test_notices_alternate_and_stale_means_silent_too_long(plan):
    clock = FakeClock(start=0)
    freshness = FeedFreshness(ALLOWED, clock)
    newest: dict[str, float] = {}
    last_notice: dict[str, str] = {}
    for action, value in plan:
        if action == "advance":
            clock.advance(value)
        elif action == "event":
            notice = freshness.received(value)
            was_stale = last_notice.get(value) == "FEED_STALE"
            assert (notice is not None) == was_stale
            if value in ALLOWED:
                newest[value] = clock.monotonic()
            if notice is not None:
                assert (notice.code, notice.source) == ("FEED_RESUMED", value)
                last_notice[value] = notice.code
        else:
            due = {s for s, allowed in ALLOWED.items()
                   if clock.monotonic() - newest.get(s, 0.0) > allowed
                   and last_notice.get(s) != "FEED_STALE"}
            notices = freshness.transitions()
            assert {n.source for n in notices} == due
            for n in notices:
                assert n.code == "FEED_STALE"
                assert n.age_seconds == (None if n.source not in newest
                                         else clock.monotonic() - newest[n.source])
                last_notice[n.source] = n.code
        assert freshness.stale() == {s for s, c in last_notice.items() if c == "FEED_STALE"}
        assert freshness.ages() == {s: (clock.monotonic() - newest[s]) if s in newest else None
                                    for s in ALLOWED}
