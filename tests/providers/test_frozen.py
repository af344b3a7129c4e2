"""`@record` makes the same values the stock frozen dataclass does, for every record type."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers import records
from providers.freshness import Provenance
from providers.frozen import record

RECORD_TYPES = [cls for cls in vars(records).values()
                if isinstance(cls, type) and dataclasses.is_dataclass(cls)] + [Provenance]


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_each_record_holds_what_it_was_given_positionally_or_by_name(cls, data):
    fields = dataclasses.fields(cls)
    values = [data.draw(st.integers() | st.text(max_size=3) | st.none()) for _ in fields]
    required = sum(f.default is dataclasses.MISSING for f in fields)
    given_count = data.draw(st.integers(required, len(fields)))
    by_position = cls(*values[:given_count])
    by_name = cls(**{f.name: v for f, v in zip(fields, values[:given_count], strict=False)})
    expected = [*values[:given_count], *(f.default for f in fields[given_count:])]
    assert [getattr(by_position, f.name) for f in fields] == expected
    assert by_position == by_name and hash(by_position) == hash(by_name)
    assert pickle.loads(pickle.dumps(by_position)) == by_position


def test_a_record_is_frozen_and_replace_and_fields_still_work():
    @record
    class Point:
        x: int
        y: int = 2

    point = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5
    assert dataclasses.replace(point, y=3) == Point(1, 3)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y"]
    assert repr(point) == "test_a_record_is_frozen_and_replace_and_fields_still_work.<locals>." \
        "Point(x=1, y=2)"
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, 2, 3)
    assert not hasattr(point, "__dict__")


def test_a_record_with_a_default_factory_keeps_the_stock_init():
    @record
    class Bag:
        items: list[int] = dataclasses.field(default_factory=list)

    assert Bag().items == [] and Bag().items is not Bag().items
