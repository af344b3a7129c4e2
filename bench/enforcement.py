"""What authorisation costs on a 100-row caseload, in process (no network, embedded data).

Runs the same query, returning the same 100 rows, under the shipped CRC policy and under an
open policy (every row, every field); the difference is what row filters and field masks
cost. The pre-execution policy walk runs in both, so it is timed on its own and added.
Target (issue 4): enforcement under 10% of the gateway's own time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from graphql import parse

from gateway import tokens
from gateway.app import create_app
from gateway.settings import Settings
from policies.enforcement import fragments_of, judge, operation_of
from policies.loader import SHIPPED
from policies.principal import Principal

OUT = Path(__file__).parent / "out"
QUERY = """query($provider: String) { caseload(first: 100, filter: {provider: $provider}) {
  edges { node { id active offender { crn nomsNumber name { forename surname } dateOfBirth
    custody { status establishment { code name }
      sentenceDates { homeDetentionCurfewEligibilityDate conditionalReleaseDate } } } } } } }"""


def open_policies(target: Path) -> Path:
    """The shipped policies with every CRC row visible. Scoped fields need no change: the
    benchmark's token holds every scope, so both runs read the same fields."""
    shutil.copytree(SHIPPED, target)
    crc = (target / "crc.toml").read_text()
    (target / "crc.toml").write_text(re.sub(r"rows = \[\{[^\n]*\}\]", 'rows = "all"', crc))
    return target


async def _interleaved(permissive: Path, n: int) -> tuple[list[float], list[float]]:
    """Alternate the two configurations request by request, so drift hits both alike."""
    headers = {"Authorization": f"Bearer {tokens.mint('C01')}"}
    runs = [(create_app(Settings()), {}), (create_app(Settings(policy_dir=permissive)),
                                           {"provider": "C01"})]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
               for app, _ in runs]
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(n + 20):
        for which, (client, (_, variables)) in enumerate(zip(clients, runs, strict=True)):
            started = time.perf_counter()
            response = await client.post("/graphql", headers=headers,
                                         json={"query": QUERY, "variables": variables})
            elapsed = time.perf_counter() - started
            assert len(response.json()["data"]["caseload"]["edges"]) == 100, response.text
            if i >= 20:
                samples[which].append(elapsed)
    for client in clients:
        await client.aclose()
    return samples


def _walk_seconds(n: int) -> float:
    app = create_app()
    decisions = app.state.evaluator.decisions(
        Principal("bench", "C01", "CRC", frozenset(tokens.DEFAULT_SCOPES)))
    document, schema = parse(QUERY), app.state.schema._schema
    operation = operation_of(document.definitions, None)
    assert operation is not None
    fragments = fragments_of(document.definitions)
    started = time.perf_counter()
    for _ in range(n):
        judge(schema, operation, fragments, {}, decisions)
    return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        permissive = open_policies(Path(tmp) / "open")
        enforced, unenforced = asyncio.run(_interleaved(permissive, n))
    walk = _walk_seconds(n)
    p50_on, p50_off = statistics.median(enforced), statistics.median(unenforced)
    overhead = max(0.0, p50_on - p50_off) + walk
    report = {"requests": n, "rows": 100, "p50_ms_enforced": round(p50_on * 1000, 3),
              "p50_ms_open_policy": round(p50_off * 1000, 3),
              "policy_walk_ms": round(walk * 1000, 3),
              "enforcement_ms": round(overhead * 1000, 3),
              "enforcement_share_of_gateway_time": round(overhead / p50_on, 4)}
    OUT.mkdir(exist_ok=True)
    (OUT / "enforcement.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
