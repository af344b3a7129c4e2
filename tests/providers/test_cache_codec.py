"""The shared cache holds tagged JSON: records round-trip exactly, and a value planted in Redis
(a pickle, garbage, a record that is not ours) is a logged miss that runs nothing."""

from __future__ import annotations

import contextlib
import logging
import pickle
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import redis.asyncio as redis
from hypothesis import given, settings
from hypothesis import strategies as st

from providers import codec
from providers.base import FETCH_KINDS
from providers.cache import redis_cache
from providers.cached import CachedProvider
from providers.embedded.provider import EmbeddedProvider
from tests.providers.test_cached import Backend

RAN: list[str] = []  # what a planted pickle would append to, were it ever unpickled


class Planted:
    def __reduce__(self):
        return exec, ("from tests.providers.test_cache_codec import RAN; RAN.append('ran')",)


async def test_every_kind_of_record_round_trips_exactly(dataset):
    provider = EmbeddedProvider(dataset=dataset)
    keys = {"offender": "X000004", "offender_by_noms": "A0004AA", "cases": "X000004",
            "registrations": next(c for c, r in sorted(dataset.registrations.items()) if r),
            "custody": "A0004AA", "movements": "A0004AA",
            "establishment": "MDI", "organisation": "C01", "appointments": "X000040"}
    keys["sentence_dates"] = str(dataset.custody["A0004AA"].booking_id)
    assert set(keys) == set(FETCH_KINDS)
    for kind, key in keys.items():
        [value] = await provider.fetch(kind, [key])
        assert value, kind
        assert codec.decode(codec.encode((value, 1.5))) == (value, 1.5), kind
    for kind, criteria in (("caseload", {"provider": "C01"}), ("offender_search", {"text": "sm"}),
                           ("prisoners", {"establishment": "MDI"})):
        page = await provider.page(kind, criteria, 0, 20)
        assert codec.decode(codec.encode(page)) == page, kind


plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False) | st.dates()
    | st.datetimes(timezones=st.sampled_from([UTC, None])),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(st.text(), inner, max_size=4), max_leaves=12)


@given(plain)
@settings(max_examples=200, database=None)
def test_plain_data_round_trips(value):
    assert codec.decode(codec.encode(value)) == value


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
@settings(max_examples=300, database=None)
def test_any_bytes_decode_to_data_or_are_unreadable(raw):
    with contextlib.suppress(codec.Unreadable):
        codec.decode(raw)


def test_the_codec_refuses_to_write_anything_but_records_and_data():
    with pytest.raises(TypeError):
        codec.encode({"callback": print})


PLANTED = {
    "a pickle that runs code": pickle.dumps(Planted()),
    "garbage": b"\x80\x04\x95garbage\xff",
    "a record that is not ours": b'{"r": "Popen", "f": ["touch /tmp/x"]}',
    "a record of the wrong shape": b'{"r": "Person", "f": ["X000001"]}',
    "an unknown tag": b'{"x": 1}',
    "a date that is not one": b'{"t": [{"d": 20240101}, 1.0]}',
}


@pytest.mark.parametrize("what", PLANTED)
async def test_a_value_planted_in_redis_is_a_logged_miss_and_runs_nothing(what, caplog):
    namespace = f"casegraph-planted-{uuid.uuid4().hex[:8]}"
    store = redis_cache(namespace=namespace)
    backend = Backend()
    cached = CachedProvider(backend, store)
    writer = redis.Redis(host="127.0.0.1", port=6379, db=0)
    key = f"{namespace}:backend:offender:k1"
    try:
        await writer.set(key, PLANTED[what], ex=60)
        caplog.set_level(logging.WARNING, "casegraph.cache")
        assert await cached.fetch("offender", ["k1"]) == ["record k1"]
    finally:
        await writer.delete(key)
        await writer.aclose()
        await store.close()
    assert RAN == []
    assert backend.asked == [["k1"]]  # a miss: the backend was asked
    assert any("an entry we did not write" in r.getMessage() for r in caplog.records)


async def test_records_written_by_one_gateway_are_read_by_another_through_redis():
    namespace = f"casegraph-codec-{uuid.uuid4().hex[:8]}"
    provider = EmbeddedProvider()
    one, two = (CachedProvider(provider, redis_cache(namespace=namespace)) for _ in range(2))
    first = await one.fetch("cases", ["X000004"])
    again = await two.cache.get_many(["embedded:cases:X000004"])
    assert again[0][0] == first[0]
    assert isinstance(again[0][0], tuple) and again[0][0][0].offences == first[0][0].offences
    assert datetime.now(UTC) - datetime.fromtimestamp(again[0][1], UTC) < timedelta(minutes=1)
    assert isinstance(first[0][0].conviction_date, date | None)
    for store in (one.cache, two.cache):
        await store.close()


async def test_a_persisted_query_planted_in_redis_is_not_found_and_runs_nothing():
    from strawberry.http import GraphQLRequestData

    from gateway.persisted import PersistedError, PersistedOperations, PersistedSettings
    from resolvers.schema import build_schema

    namespace = f"casegraph-apq-{uuid.uuid4().hex[:8]}"
    store = redis_cache(namespace=namespace)
    operations = PersistedOperations(PersistedSettings(), build_schema()._schema, store)
    digest = "ab" * 32
    writer = redis.Redis(host="127.0.0.1", port=6379, db=0)
    request = GraphQLRequestData(query=None, variables=None, operation_name=None,
                                 extensions={"persistedQuery": {"version": 1,
                                                                "sha256Hash": digest}})
    try:
        await writer.set(f"{namespace}:apq:C01:{digest}", pickle.dumps(Planted()), ex=60)
        with pytest.raises(PersistedError, match="PersistedQueryNotFound"):
            await operations.resolve(request, "someone", "C01")
    finally:
        await writer.delete(f"{namespace}:apq:C01:{digest}")
        await writer.aclose()
        await store.close()
    assert RAN == []
