"""Warnings come in an order of their own, never the order resolvers happened to finish in
(which depends on how fast each backend answered: a timing the caller must not see)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from providers.freshness import Freshness
from resolvers.judge import Received
from resolvers.sources import warnings

WARNINGS = [{"code": "IDENTITY_MISMATCH", "message": "m", "path": [f"r{i}"]} for i in range(4)]
WARNINGS += [{"code": "FEED_STALE", "message": "nomis silent"}]


@given(st.permutations(WARNINGS))
def test_warnings_do_not_depend_on_the_order_they_were_raised(order):
    freshness = Freshness()
    for entry in order:
        freshness.warn(**entry)
    assert warnings(Received(), freshness) == sorted(
        WARNINGS, key=lambda w: (w["code"], w.get("path", []), w["message"]))
