"""A CRC's own store on the real PostgreSQL (127.0.0.1:5432): migrations, seed, contract."""

import os
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from gateway.app import create_app
from gateway.cli import main
from gateway.settings import Settings
from providers.base import ALL_KINDS
from providers.crc.store import migrate, seed
from tests.conftest import post_query

SERVER = os.environ.get("CASEGRAPH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture(scope="module")
async def dsn(dataset):
    name = f"casegraph_test_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER}/{name}"
    connection = await asyncpg.connect(url)
    await migrate(connection)
    await seed(connection, dataset)
    await connection.close()
    yield url
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture(scope="module")
async def stores(dsn):
    from providers.crc.provider import CrcStoreProvider
    from providers.embedded.provider import EmbeddedProvider

    store = CrcStoreProvider("crc", dsn=dsn)
    yield store, EmbeddedProvider()
    await store.aclose()


async def test_migrations_are_recorded_and_apply_once(dsn):
    connection = await asyncpg.connect(dsn)
    try:
        assert await migrate(connection) == []
        names = [r["name"] for r in await connection.fetch("SELECT name FROM schema_migrations")]
        assert names == ["001_appointments.sql"]
    finally:
        await connection.close()


async def test_the_store_answers_the_contract_like_the_embedded_provider(stores, dataset):
    store, embedded = stores
    crns = [*sorted(dataset.appointments)[:50], "X000001", "Z999999"]
    found = await store.fetch("appointments", crns)
    assert len(found) == len(crns) and found[-1] == ()
    assert list(found) == list(await embedded.fetch("appointments", crns))
    assert sum(len(f) for f in found) > 50


async def test_gateway_joins_appointments_from_postgres(dsn, gql):
    settings = Settings(providers={"embedded": {"type": "embedded"},
                                   "crc": {"type": "crc", "dsn": dsn}},
                        bindings=dict.fromkeys(ALL_KINDS, "embedded") | {"appointments": "crc"})
    app = create_app(settings)
    query = '''{ caseload(first: 40) { edges { node { id appointments { id type outcome }
      offender { crn appointments { id startsAt caseId providerCode } } } } } }'''
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        from_store = await post_query(client, query, org="C03")
    await app.state.registry.aclose()
    embedded = await gql(query, org="C03")
    assert from_store["data"] == embedded["data"]
    assert any(e["node"]["appointments"] for e in from_store["data"]["caseload"]["edges"])
    assert {s["provider"] for s in from_store["extensions"]["sources"]} == {"embedded", "crc"}


async def test_a_provider_sees_only_the_appointments_it_keeps(dsn, stores):
    connection = await asyncpg.connect(dsn)
    when = datetime(2026, 6, 1, 10, tzinfo=UTC)
    try:
        await connection.execute(
            "INSERT INTO appointments VALUES ('9999999', 'X000010', '1', 'C05', 'Office visit',"
            " $1, $1, 'Old office', 'C05T101', 'ATTENDED')", when)
        settings = Settings(providers={"embedded": {"type": "embedded"},
                                       "crc": {"type": "crc", "dsn": dsn}},
                            bindings=dict.fromkeys(ALL_KINDS, "embedded")
                            | {"appointments": "crc"})
        app = create_app(settings)
        query = '{ offender(crn: "X000010") { appointments { appointmentId providerCode } } }'
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            new_crc = await post_query(client, query, org="C09")
            hq = await post_query(client, query, org="HQ")
        await app.state.registry.aclose()
    finally:
        await connection.execute("DELETE FROM appointments WHERE id = '9999999'")
        await connection.close()
    assert "9999999" not in str(new_crc)
    seen = hq["data"]["offender"]["appointments"]
    assert {"appointmentId": "9999999", "providerCode": "C05"} in seen


async def test_a_store_that_is_down_is_backend_unavailable(gql):
    settings = Settings(providers={"embedded": {"type": "embedded"}, "crc": {
        "type": "crc", "dsn": "postgresql://postgres@127.0.0.1:9/nowhere"}},
        bindings=dict.fromkeys(ALL_KINDS, "embedded") | {"appointments": "crc"})
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        body = await post_query(client, '{ offender(crn: "X000001") { crn appointments '
                                        '{ id } } }')
    assert body["data"]["offender"] == {"crn": "X000001", "appointments": None}
    assert body["errors"][0]["extensions"] == {"code": "BACKEND_UNAVAILABLE", "provider": "crc"}


def test_crc_seed_command_migrates_and_loads(dsn, capsys):
    assert main(["crc", "seed", "--dsn", dsn]) == 0
    assert "appointments written:" in capsys.readouterr().out


async def test_the_example_postgres_config_serves_appointments(dsn, monkeypatch):
    from pathlib import Path

    from gateway.settings import load_settings

    monkeypatch.setenv("CRC_DATABASE_URL", dsn)
    example = Path(__file__).parents[2] / "examples" / "crc-postgres.toml"
    app = create_app(load_settings(example))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        body = await post_query(client, '{ caseload(first: 20) { edges { node { offender { '
                                        'appointments { id } } } } } }', org="C03")
    await app.state.registry.aclose()
    assert "errors" not in body
    assert {s["provider"] for s in body["extensions"]["sources"]} == {"embedded", "crc"}
