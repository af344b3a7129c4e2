"""Two gateway processes on loopback sharing Redis and PostgreSQL, as pods behind a Service:
one record cache and one answer cache, one rate limit, one set of persisted queries, one
audit chain. Each test run has its own Redis namespace, rate-limit subject and database."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import asyncpg
import httpx
import pytest

from bench.processes import free_port, process
from gateway.cli import main as casegraph
from gateway.tokens import mint
from providers.simulation import CLIENT_SECRET

SERVER = os.environ.get("CASEGRAPH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
RUN = uuid.uuid4().hex[:8]
QUERY = '{ offender(crn: "X000001") { crn name { surname } } }'


@pytest.fixture(scope="module")
def audit_database() -> Iterator[str]:
    name = f"casegraph_scale_{RUN}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(f"{SERVER}/postgres")
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{SERVER}/{name}"
    asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def _config(tmp: Path, simulators: dict, dsn: str) -> Path:
    (delius, nomis) = (simulators[s][1] for s in ("delius", "nomis"))
    config = tmp / "gateway.toml"
    config.write_text(f"""
[auth]
demo = true
[providers.delius]
type = "delius"
base_url = "{delius}"
client_secret = "{CLIENT_SECRET}"
[providers.nomis]
type = "nomis"
base_url = "{nomis}"
client_secret = "{CLIENT_SECRET}"
[bindings]
offender = "delius"
offender_by_noms = "delius"
cases = "delius"
registrations = "delius"
organisation = "delius"
caseload = "delius"
offender_search = "delius"
custody = "nomis"
sentence_dates = "nomis"
movements = "nomis"
establishment = "nomis"
prisoners = "nomis"
[cache]
backend = "redis"
url = "redis://127.0.0.1:6379/0"
namespace = "casegraph-scale-{RUN}"
[response_cache]
enabled = true
[rate_limits]
default = "6/minute"
storage = "redis://127.0.0.1:6379/3"
[persisted]
apq = true
[audit]
sink = "postgres"
dsn = "{dsn}"
""")
    return config


@pytest.fixture(scope="module")
def gateways(tmp_path_factory, simulators, audit_database) -> Iterator[list[str]]:
    tmp = tmp_path_factory.mktemp("scale")
    config = _config(tmp, simulators, audit_database)
    env = {"CASEGRAPH_RESPONSE_CACHE_KEY": f"scale-out-test-key-{RUN}"}
    with ExitStack() as stack:
        urls = []
        for number in (1, 2):
            port = free_port()
            stack.enter_context(process(["serve", "--config", str(config), "--port",
                                         str(port)], f"http://127.0.0.1:{port}/healthz",
                                        tmp / f"gateway-{number}.log", env))
            urls.append(f"http://127.0.0.1:{port}")
        yield urls


def _post(url: str, body: dict, user: str) -> httpx.Response:
    token = mint("C01", username=user, subject=f"{user}-{RUN}")
    return httpx.post(f"{url}/graphql", json=body, timeout=20,
                      headers={"Authorization": f"Bearer {token}"})


def _backend_calls(simulators: dict) -> int:
    return sum(sum(sim.stats.values()) for sim, _ in simulators.values())


def _metric(url: str, name: str, label: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    line = next(m for m in text.splitlines() if m.startswith(name) and label in m)
    return float(line.rsplit(" ", 1)[1])


def test_records_and_answers_cached_by_one_gateway_serve_the_other(gateways, simulators):
    first, second = gateways
    assert _post(first, {"query": QUERY}, "officer.one").json()["data"]["offender"]["crn"] \
        == "X000001"
    calls = _backend_calls(simulators)
    other_shape = '{ offender(crn: "X000001") { crn dateOfBirth } }'  # not the same answer
    assert _post(second, {"query": other_shape}, "officer.two").status_code == 200
    assert _backend_calls(simulators) == calls  # its offender came from the shared cache
    again = _post(second, {"query": QUERY}, "officer.three")
    assert again.json()["data"]["offender"]["crn"] == "X000001"
    assert _metric(second, "casegraph_response_cache_lookups", 'result="hit"') == 1.0


def test_a_rate_limit_is_one_across_gateways(gateways):
    first, second = gateways
    statuses = [_post((first, second)[i % 2], {"query": QUERY}, "busy.client").status_code
                for i in range(7)]
    assert statuses == [200] * 6 + [429]


def test_a_query_persisted_through_one_gateway_runs_by_hash_on_the_other(gateways):
    first, second = gateways
    document = '{ offender(crn: "X000004") { crn } }'
    digest = hashlib.sha256(document.encode()).hexdigest()
    persisted = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    assert _post(second, persisted, "apq.user").json()["errors"][0]["extensions"]["code"] \
        == "PERSISTED_QUERY_NOT_FOUND"
    assert _post(first, {"query": document, **persisted}, "apq.user").status_code == 200
    by_hash = _post(second, persisted, "apq.user").json()
    assert by_hash["data"] == {"offender": {"crn": "X000004"}}


def test_both_gateways_write_one_audit_chain(gateways, audit_database, capsys):
    first, second = gateways
    for url in (first, second, first, second):
        _post(url, {"query": '{ offender(crn: "X000050") { crn } }'}, "audited.user")
    deadline = asyncio.run(_wait_for_entries(audit_database, minimum=4))
    assert deadline
    assert casegraph(["audit", "verify", "--dsn", audit_database]) == 0
    assert "intact" in capsys.readouterr().out


async def _wait_for_entries(dsn: str, minimum: int, seconds: float = 10.0) -> bool:
    """Entries are written in groups a few milliseconds after their answers."""
    connection = await asyncpg.connect(dsn)
    try:
        loop = asyncio.get_running_loop()
        stop = loop.time() + seconds
        while loop.time() < stop:
            count = await connection.fetchval(
                "SELECT count(*) FROM audit_log WHERE line LIKE '%X000050%'")
            if count >= minimum:
                return True
            await asyncio.sleep(0.05)
        return False
    finally:
        await connection.close()
