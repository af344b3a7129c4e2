"""The audit trail: what a response disclosed, hash-chained, tamper-evident, never skipped."""

import asyncio
import logging
import os
import uuid

import asyncpg
import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.audit.sinks import read_file
from gateway.audit.trail import LINGER_SECONDS, AuditSettings
from gateway.cli import main
from gateway.settings import Settings
from tests.clock import FakeClock
from tests.conftest import bearer

SERVER = os.environ.get("CASEGRAPH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PROFILE = '{ offender(crn: "X000004") { crn name { surname } custody { status } } }'


async def run(app, query: str, org: str = "C01", scopes=("read", "custody:read"), **claims):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        return await c.post("/graphql", json={"query": query},
                            headers=bearer(org, scopes, **claims))


def file_app(path, **audit):
    return create_app(Settings(audit=AuditSettings(sink="file", path=path, **audit)))


@pytest.fixture
async def trail(tmp_path):
    path = tmp_path / "audit.jsonl"
    app = file_app(path)
    yield app, path
    await app.state.audit.aclose()


async def test_a_response_with_personal_data_is_recorded_with_who_what_and_which(trail):
    app, path = trail
    await run(app, PROFILE, staff="C01T101", username="demo.officer")
    await run(app, PROFILE, scopes=("read",))  # custody denied this time
    await app.state.audit.flush()
    first, second = read_file(path)
    assert first["subject"] == "demo.officer" and first["org"] == "C01"
    assert first["offenders"] == ["X000004"] and first["prisoners"] == ["A0004AA"]
    assert first["fieldGroups"] == ["Custody", "Name", "Offender"]
    assert len(first["operation"]["sha256"]) == 64 and first["denied"] == []
    assert second["denied"] == ["Offender.custody"] and second["prisoners"] == []


async def test_answers_without_personal_data_are_not_recorded(trail):
    app, path = trail
    await run(app, "{ viewer { organisation } }")
    await app.state.audit.flush()
    assert not path.exists() or list(read_file(path)) == []


async def test_a_lookup_of_someone_out_of_reach_is_recorded_as_an_attempt(trail):
    """The caller is told "not found" either way; the audit says which, so misuse shows."""
    app, path = trail
    await run(app, '{ a: offender(crn: "X000002") { crn } b: offender(crn: "X999999") { crn } '
                   'c: offenderByNomsNumber(nomsNumber: "A0005AA") { crn } }')
    await app.state.audit.flush()
    [event] = list(read_file(path))
    assert event["offenders"] == [] and event["prisoners"] == []
    assert event["notFound"] == [
        {"kind": "offender", "key": "X000002", "outcome": "refused"},
        {"kind": "offender", "key": "X999999", "outcome": "not found"},
        {"kind": "offenderByNomsNumber", "key": "A0005AA", "outcome": "refused"}]


async def fill(app, path, n=5):
    for _ in range(n):
        await run(app, PROFILE)
    await app.state.audit.flush()
    return path.read_bytes().splitlines()


def verify(path) -> int:
    return main(["audit", "verify", "--file", str(path)])


async def test_verify_passes_an_intact_trail(trail, capsys):
    app, path = trail
    await fill(app, path)
    assert verify(path) == 0 and "intact: 5 entries" in capsys.readouterr().out


def changed(lines):
    entry = orjson.loads(lines[2])
    entry["offenders"] = ["X999999"]
    return [*lines[:2], orjson.dumps(entry), *lines[3:]]


@pytest.mark.parametrize("tamper, finding", [
    (changed, "contents changed"),
    (lambda lines: lines[:1] + lines[2:], "removed, inserted or moved"),
    (lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], "does not follow"),
])
async def test_verify_detects_a_changed_removed_or_reordered_entry(trail, capsys, tamper,
                                                                   finding):
    app, path = trail
    lines = await fill(app, path)
    path.write_bytes(b"\n".join(tamper(lines)) + b"\n")
    assert verify(path) == 1
    assert finding in capsys.readouterr().err


async def test_two_gateways_appending_to_one_file_keep_one_chain(tmp_path, capsys):
    path = tmp_path / "shared.jsonl"
    apps = [file_app(path), file_app(path)]
    await asyncio.gather(*(run(app, PROFILE) for app in apps for _ in range(10)))
    for app in apps:
        await app.state.audit.aclose()
    assert len(list(read_file(path))) == 20 and verify(path) == 0


async def test_a_failing_sink_is_loud_then_withholds_personal_data(tmp_path, caplog):
    blocked = tmp_path / "not-a-file"
    blocked.mkdir()  # appending to a directory fails
    clock = FakeClock()
    app = create_app(Settings(audit=AuditSettings(sink="file", path=blocked, queue=2)),
                     clock=clock)
    caplog.set_level(logging.ERROR, "casegraph.audit")
    first = await run(app, PROFILE)
    await clock.sleeping()  # the writer holds the first event, waiting for others to join it
    clock.advance(LINGER_SECONDS)
    await clock.sleeping()  # its append failed; it waits to retry, the event still in hand
    assert any("audit sink failed" in r.message for r in caplog.records)
    queued = [await run(app, PROFILE) for _ in range(2)]  # the queue holds two
    refused = await run(app, PROFILE)
    for served in (first, *queued):
        assert served.json()["data"]["offender"]["crn"] == "X000004"
    assert refused.status_code == 503 and "data" not in refused.json()
    assert refused.json()["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    assert "X000004" not in refused.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        ready = (await c.get("/readyz")).json()
    assert ready["status"] == "degraded" and ready["audit"]["state"] == "full"
    assert (await run(app, "{ viewer { organisation } }")).status_code == 200
    app.state.audit._task.cancel()


@pytest.fixture(scope="module")
async def audit_dsn():
    name = f"casegraph_audit_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{SERVER}/{name}"
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.close()


async def test_the_postgres_trail_is_append_only_and_tamper_evident(audit_dsn, capsys):
    app = create_app(Settings(audit=AuditSettings(sink="postgres", dsn=audit_dsn)))
    for _ in range(3):
        await run(app, PROFILE)
    await app.state.audit.aclose()
    assert await asyncio.to_thread(main, ["audit", "verify", "--dsn", audit_dsn]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    connection = await asyncpg.connect(audit_dsn)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await connection.execute("DELETE FROM audit_log WHERE seq = 2")
    await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    await connection.execute("UPDATE audit_log SET line = replace(line, 'X000004', 'X000005')"
                             " WHERE seq = 2")
    await connection.close()
    assert await asyncio.to_thread(main, ["audit", "verify", "--dsn", audit_dsn]) == 1
    assert "entry 2: contents changed" in capsys.readouterr().err


def test_a_postgres_sink_without_a_dsn_stops_start_up(tmp_path, capsys):
    config = tmp_path / "gateway.toml"
    config.write_text('[auth]\ndemo = true\n[providers.embedded]\ntype = "embedded"\n'
                      '[audit]\nsink = "postgres"\n')
    assert main(["check", "--config", str(config)]) == 2
    assert "audit.dsn" in capsys.readouterr().err


async def test_each_operation_of_a_batch_is_audited_on_its_own(trail):
    app, path = trail
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as c:
        await c.post("/graphql", headers=bearer("C01"), json=[
            {"query": '{ offender(crn: "X000001") { crn } }'},
            {"query": '{ offender(crn: "X000004") { crn } }'}])
    await app.state.audit.flush()
    assert [e["offenders"] for e in read_file(path)] == [["X000001"], ["X000004"]]


async def test_the_chain_continues_after_an_entry_longer_than_the_tail_window(tmp_path):
    from gateway.audit.sinks import FileSink

    path = tmp_path / "audit.jsonl"
    sink = FileSink(path)
    await sink.append([{"offenders": [f"X{i:06d}" for i in range(20_000)]}])  # ~200 KB
    await sink.append([{"offenders": ["X000001"]}])
    assert [e["seq"] for e in read_file(path)] == [1, 2]
    assert verify(path) == 0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["first", "second", "rotate"]), min_size=1, max_size=12))
def test_sinks_sharing_a_file_keep_one_chain_whoever_appends_next(tmp_path_factory, turns):
    """A sink skips reading the tail when the file is as it left it; another writer's append,
    or the file rotated away, must send it back to the tail."""
    from gateway.audit.sinks import FileSink

    path = tmp_path_factory.mktemp("shared") / "audit.jsonl"
    sinks = {"first": FileSink(path), "second": FileSink(path)}
    written, rotated = 0, 0
    for turn in turns:
        if turn == "rotate":
            if path.exists():
                path.rename(path.with_suffix(f".{rotated}"))
                rotated, written = rotated + 1, 0
            continue
        asyncio.run(sinks[turn].append([{"offenders": [turn]}]))
        written += 1
    if written:
        assert [e["seq"] for e in read_file(path)] == list(range(1, written + 1))
        assert verify(path) == 0
