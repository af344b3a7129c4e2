"""The response cache: shared by exactly the principals its answers do not tell apart.

The property: an answer served from the cache to B, after A asked the same thing, equals the
answer B gets with no response cache at all. Queries are generated from the schema over the
Limited Access people (`X000040` excludes `jexcluded`, `X000041` admits only `rallowed`,
`X000042` both), for pairs of users of one CRC and for two CRCs; two CRCs never share an
entry at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.audit.sinks import read_file
from gateway.audit.trail import AuditSettings
from gateway.ratelimit import RateLimitSettings
from gateway.response_cache import Answer, ResponseCache, ResponseCacheSettings
from gateway.settings import Settings
from providers.freshness import Provenance
from tests.policies.reach_oracle import reach_of
from tests.policies.test_noninterference import (
    EXAMPLE_SETTINGS,
    Who,
    masked,
    operations,
    pools,
)

OFFICER = Who("c01-officer", "C01", "CRC", "demo.officer")
EXCLUDED = Who("c01-excluded", "C01", "CRC", "JEXCLUDED")
ALLOWED = Who("c01-allowed", "C01", "CRC", "rallowed")
MACHINE = Who("c01-machine", "C01", "CRC", None)
OTHER_OFFICER = Who("c01-other", "C01", "CRC", "another.officer")
C16 = Who("c16-officer", "C16", "CRC", "c16.officer")
LIMITED = ["X000040", "X000041", "X000042"]
EXAMPLES = 40


def _settings(cached: bool, **changes: Any) -> Settings:
    return Settings(audit=changes.pop("audit", AuditSettings(sink="none")),
                    rate_limits=RateLimitSettings(enabled=False),
                    response_cache=ResponseCacheSettings(enabled=cached), **changes)


@pytest.fixture(scope="module")
def cached() -> Iterator[TestClient]:
    with TestClient(create_app(_settings(True))) as client:
        yield client


@pytest.fixture(scope="module")
def plain() -> Iterator[TestClient]:
    with TestClient(create_app(_settings(False))) as client:
        yield client


def ask(client: TestClient, who: Who, document: str, variables: dict[str, Any] | None = None
        ) -> Any:
    response = client.post("/graphql", headers={"Authorization": f"Bearer {who.token()}"},
                           json={"query": document, "variables": variables or {}})
    return response.status_code, masked(response.json())


def hits(client: TestClient) -> int:
    return int(client.app.state.answers.hits)  # type: ignore[attr-defined]


def limited_pools(dataset: Any) -> dict[str, list[Any]]:
    found = pools(dataset, reach_of(dataset, EXCLUDED.principal()))
    people = [dataset.people[c] for c in LIMITED]
    found["crn"] = [*LIMITED, "X000001", "X000004"]
    found["nomsNumber"] = [p.noms_number for p in people if p.noms_number] + ["A0004AA"]
    found["search"] = [p.surname for p in people] + [p.forename for p in people] + LIMITED
    return found


@pytest.mark.parametrize(("first", "then"), [(OFFICER, EXCLUDED), (EXCLUDED, OFFICER),
                                             (OFFICER, ALLOWED), (ALLOWED, MACHINE),
                                             (OFFICER, C16)],
                         ids=lambda w: w.name)
def test_a_cached_answer_is_the_answer_the_caller_would_get_anyway(first, then, dataset,
                                                                     cached, plain):
    @settings(max_examples=EXAMPLES, **EXAMPLE_SETTINGS)
    @given(operation=operations(limited_pools(dataset)))
    def run(operation: tuple[str, dict[str, Any]]) -> None:
        cached.portal.call(cached.app.state.answers.store.clear)
        ask(cached, first, *operation)
        before = hits(cached)
        answer = ask(cached, then, *operation)
        if first.org != then.org:
            assert hits(cached) == before, "two organisations shared an answer"
        assert answer == ask(plain, then, *operation), operation
    run()


PERSON = '{ offender(crn: "X000001") { crn name { surname } } }'
LISTED = '{ offender(crn: "X000040") { crn accessRestricted name { surname } } }'


def test_two_officers_of_one_crc_share_an_answer_the_lists_played_no_part_in(cached):
    first = ask(cached, OFFICER, PERSON)
    before = hits(cached)
    assert ask(cached, OTHER_OFFICER, PERSON) == first
    assert hits(cached) == before + 1


def test_two_crcs_never_share_an_entry(cached):
    ask(cached, OFFICER, PERSON)
    before = hits(cached)
    assert ask(cached, C16, PERSON)[1]["data"] == {"offender": None}
    assert hits(cached) == before


def test_an_answer_the_lists_decided_is_kept_per_user(cached):
    full = ask(cached, OFFICER, LISTED)
    before = hits(cached)
    stub = ask(cached, EXCLUDED, LISTED)
    assert full[1]["data"]["offender"]["name"] is not None
    assert stub[1]["data"]["offender"] == {"crn": "X000040", "accessRestricted": True,
                                           "name": None}
    assert ask(cached, OTHER_OFFICER, LISTED) == full  # a third user: asked afresh
    assert hits(cached) == before
    assert ask(cached, EXCLUDED, LISTED) == stub  # and each user's own is kept
    assert hits(cached) == before + 1


def test_viewer_answers_are_kept_per_caller(cached):
    viewer = "{ viewer { subject staffCode organisation } }"
    mine = ask(cached, OFFICER, viewer)
    theirs = ask(cached, OTHER_OFFICER, viewer)
    assert mine != theirs
    assert ask(cached, OFFICER, viewer) == mine


def test_every_cached_answer_is_audited_under_its_own_caller(tmp_path):
    path = tmp_path / "audit.jsonl"
    with TestClient(create_app(_settings(True, audit=AuditSettings(sink="file", path=path)))
                    ) as client:
        ask(client, OFFICER, PERSON)
        ask(client, OTHER_OFFICER, PERSON)
        assert hits(client) == 1
    events = list(read_file(path))
    assert [e["username"] for e in events] == ["demo.officer", "another.officer"]
    assert all(e["offenders"] == ["X000001"] for e in events)
    assert events[0]["fieldGroups"] == events[1]["fieldGroups"] == ["Name", "Offender"]
    assert events[0]["operation"] == events[1]["operation"]


def test_denials_are_part_of_the_answer_and_replayed():
    with TestClient(create_app(_settings(True))) as client:
        custody = '{ offender(crn: "X000004") { crn custody { status } } }'
        narrow = Who("c01-narrow", "C01", "CRC", "demo.officer", ("read",))
        first = ask(client, narrow, custody)
        assert ask(client, narrow, custody) == first and hits(client) == 1
        assert [e["extensions"]["code"] for e in first[1]["errors"]] == ["FORBIDDEN"]
        ask(client, OFFICER, custody)  # other scopes: another entry
        assert hits(client) == 1


def _context(kinds: set[str], records: dict[tuple[str, str], Provenance], **extra: Any) -> Any:
    reach = SimpleNamespace(loaders=SimpleNamespace(kinds_read=kinds),
                            limited=SimpleNamespace(consulted=False))
    return SimpleNamespace(reach=reach, freshness=SimpleNamespace(records=records),
                           field_groups=set(), **extra)


def test_an_entry_lives_no_longer_than_its_freshest_source_allows():
    ttls = {"custody": 30.0, "offender": 60.0}
    cache = ResponseCache(None, ResponseCacheSettings(True, 45.0),
                          ttls.__getitem__, clock=lambda: 1000.0)
    assert cache.ttl(_context({"offender"}, {})) == 45.0
    assert cache.ttl(_context({"offender", "custody"}, {})) == 30.0
    aged = {("offender", "X1"): Provenance("delius", 1000.0 - 50, True, False)}
    assert cache.ttl(_context({"offender"}, aged)) == 10.0


@pytest.mark.parametrize("answer", [
    {"data": None, "errors": [{"extensions": {"code": "FORBIDDEN"}}]},
    {"data": {}, "errors": [{"extensions": {"code": "BACKEND_UNAVAILABLE"}}]},
    {"data": {}, "extensions": {"sources": [{"status": "failed"}]}},
    {"data": {}, "extensions": {"sources": [{"status": "ok", "stale": 2}]}},
    {"data": {}, "extensions": {"warnings": [{"code": "DATA_REGRESSION"}]}},
])
def test_partial_stale_or_regressed_answers_are_not_kept(answer):
    assert not ResponseCache.keepable(answer)
    assert ResponseCache.keepable({"data": {}, "errors": [{"extensions": {"code": "FORBIDDEN"}}]})


def test_a_hit_says_its_records_came_from_a_cache_and_how_old_they_are():
    source = {"provider": "delius", "kinds": {"offender": {"records": 2, "fromCache": 1,
                                                           "fromBackend": 1, "stale": 0}},
              "fetchedAt": "2026-01-01T00:00:00Z", "status": "ok", "fromCache": 1,
              "fromBackend": 1, "stale": 0, "maxAgeSeconds": 3.0}
    answer = Answer(None, {"storedAt": 100.0, "sources": [source],
                           "warnings": []})
    [found] = answer.extensions(110.0)["sources"]
    assert found["fromCache"] == 2 and found["fromBackend"] == 0
    assert found["kinds"]["offender"] == {"records": 2, "fromCache": 2, "fromBackend": 0,
                                          "stale": 0}
    assert found["maxAgeSeconds"] == 13.0 and found["fetchedAt"] == source["fetchedAt"]


def _redis_settings(simulators: Any, namespace: str) -> Settings:
    from tests.conftest import http_settings

    base = http_settings(simulators, cache="redis")
    return _settings(True, providers=base.providers, bindings=base.bindings,
                     cache_backend="redis", cache_namespace=namespace)


def test_answers_shared_through_redis_need_a_signing_key(monkeypatch, simulators):
    from providers.registry import ConfigError

    monkeypatch.delenv("CASEGRAPH_RESPONSE_CACHE_KEY", raising=False)
    with pytest.raises(ConfigError, match="CASEGRAPH_RESPONSE_CACHE_KEY"):
        create_app(_redis_settings(simulators, "casegraph-test-unsigned"))


def test_an_answer_planted_in_redis_without_the_key_is_a_miss(monkeypatch, simulators):
    import uuid

    monkeypatch.setenv("CASEGRAPH_RESPONSE_CACHE_KEY", "a-test-key-of-sixteen-or-more")
    settings = _redis_settings(simulators, f"casegraph-test-{uuid.uuid4().hex[:8]}")
    with TestClient(create_app(settings)) as client:
        answers = client.app.state.answers
        try:
            honest = ask(client, OFFICER, PERSON)[1]["data"]
            assert ask(client, OFFICER, PERSON)[1]["data"] == honest and answers.hits == 1
            forged = orjson.dumps({"offender": {"crn": "X000001", "name": {
                "surname": "Planted"}}}).decode()
            planted = answers.signing_key
            answers.signing_key = b"someone-else's-key-entirely"
            client.portal.call(answers.store.clear)
            key = answers._entry_key(answers._base(OFFICER.principal(), PERSON, None, {}),
                                     OFFICER.principal(), ())
            meta = orjson.dumps({"storedAt": 0, "errors": [], "sources": [], "warnings": [],
                                 "people": [], "prisoners": [], "groups": [], "denied": [],
                                 "attempts": [], "cost": 0}).decode()
            client.portal.call(answers.store.set_many, [
                (key, (meta, forged, answers._sign(meta, forged))),
                ("answer:vary:" + answers._base(OFFICER.principal(), PERSON, None, {}), ())],
                30)
            answers.signing_key = planted
            assert ask(client, OFFICER, PERSON)[1]["data"] == honest  # forgery: a miss
            assert answers.hits == 1
        finally:
            client.portal.call(answers.store.clear)


def _writes(client: TestClient) -> int:
    return int(client.app.state.answers.writes)  # type: ignore[attr-defined]


def test_a_change_to_a_person_shown_in_full_makes_their_answers_old(cached):
    answers = cached.app.state.answers
    first = ask(cached, OFFICER, PERSON)
    ask(cached, OFFICER, PERSON)
    before = hits(cached)
    answers.changed(["X000001"], time.time())
    assert ask(cached, OFFICER, PERSON) == first  # asked afresh (the data did not change)
    assert hits(cached) == before
    assert ask(cached, OFFICER, PERSON) == first and hits(cached) == before + 1


def test_a_change_to_a_person_seen_only_as_a_stub_leaves_the_answer_cached(cached):
    answers = cached.app.state.answers
    ask(cached, EXCLUDED, LISTED)
    before = hits(cached)
    answers.changed(["X000040"], time.time())  # the excluded user saw only the CRN
    ask(cached, EXCLUDED, LISTED)
    assert hits(cached) == before + 1


@pytest.mark.parametrize("who", [OFFICER, EXCLUDED, C16], ids=lambda w: w.name)
def test_changes_outside_a_callers_reach_never_touch_its_cached_answers(who, dataset, cached):
    """Noninterference for invalidation: whether an answer comes from the cache never
    depends on events about people the caller may not see in full."""
    reach = reach_of(dataset, who.principal())
    outside = sorted((set(dataset.people) - reach.full) | (set(dataset.custody) - reach.custody))
    answers = cached.app.state.answers

    @settings(max_examples=EXAMPLES, **EXAMPLE_SETTINGS)
    @given(operation=operations(limited_pools(dataset)))
    def run(operation: tuple[str, dict[str, Any]]) -> None:
        cached.portal.call(answers.store.clear)
        written = _writes(cached)
        first = ask(cached, who, *operation)
        if _writes(cached) == written:
            return  # not kept (an error, a mutation): nothing to invalidate
        answers.changed(outside, time.time())
        before = hits(cached)
        assert ask(cached, who, *operation) == first
        assert hits(cached) == before + 1, operation
    run()


def test_changes_remembered_are_bounded():
    cache = ResponseCache(None, ResponseCacheSettings(True, 30.0), lambda _: 30.0,
                          clock=lambda: 1000.0)
    cache.changed((f"X{i:06d}" for i in range(100_001)), 1000.0)
    assert len(cache._changes) == 0 and cache._floor == 1000.0
    assert cache._outdated({"readFrom": 999.0, "shown": []})
    assert not cache._outdated({"readFrom": 1001.0, "shown": []})


def test_a_stale_feed_is_said_on_cached_answers_too_and_never_kept_with_them():
    with TestClient(create_app(_settings(True))) as client:
        feeds = client.app.state.feed_freshness
        feeds.expectations["nomis"] = 60.0
        feeds._stale = {"nomis"}  # as the checker leaves it after a minute's silence

        def warned() -> list[str]:
            body = ask(client, OFFICER, PERSON)[1]
            return [w["code"] for w in body.get("extensions", {}).get("warnings", [])]
        assert warned() == ["FEED_STALE"]
        assert warned() == ["FEED_STALE"] and hits(client) == 1  # a hit says so too
        feeds._stale = set()
        assert warned() == [] and hits(client) == 2  # the kept copy never held it
