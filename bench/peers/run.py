"""casegraph beside a peer: Hive Gateway serving a supergraph GraphQL Mesh composes over the
same simulators, measured by the same driver in the same run. `make bench-peers`.

Both answer W2 (a CRC's 100-row caseload with each person's prison, CRD and HDCED) from the
same backends with four calls each (team search, convictions, prisoner search, sentence
dates); the rows are checked equal before anything is timed. Runs alternate casegraph and
the peer, `--rounds` times at each latency, so both meet the same machine load. CPU and
memory are read from /proc for each gateway's processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.processes import (
    ENV,
    MemorySampler,
    cpu_seconds,
    free_port,
    process,
    simulator,
)
from bench.runner import ORG, ROOT, _config, _stats
from gateway import tokens
from providers.simulation import CLIENT_ID, CLIENT_SECRET

PEERS = Path(__file__).parent
BIN = PEERS / "node_modules" / ".bin"


def teams(delius: str) -> list[str]:
    token = httpx.post(f"{delius}/auth/oauth/token", params={"grant_type": "client_credentials"},
                       auth=(CLIENT_ID, CLIENT_SECRET)).json()["access_token"]
    areas = httpx.get(f"{delius}/api/probationAreas",
                      headers={"Authorization": f"Bearer {token}"}).json()
    return [t["code"] for a in areas if a["code"] == ORG for t in a["teams"]]


def compose(delius: str, out: Path) -> Path:
    supergraph = out / "supergraph.graphql"
    subprocess.run([str(BIN / "mesh-compose"), "-o", str(supergraph)], cwd=PEERS, check=True,
                   env={**os.environ, "DELIUS_URL": delius}, capture_output=True)
    return supergraph


@contextmanager
def hive(supergraph: Path, delius: str, nomis: str, out: Path) -> Iterator[tuple[Any, str]]:
    port = free_port()
    env = {**ENV, "DELIUS_URL": delius, "NOMIS_URL": nomis, "CLIENT_ID": CLIENT_ID,
           "CLIENT_SECRET": CLIENT_SECRET, "NODE_ENV": "production"}
    with (out / "hive.log").open("w") as log:
        proc = subprocess.Popen([str(BIN / "hive-gateway"), "supergraph", str(supergraph),
                                 "--port", str(port)], cwd=PEERS, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(url, json={"query": "{ __typename }"}, timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((out / "hive.log").read_text()) from None
                time.sleep(0.2)
        yield proc, url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def casegraph_rows(url: str) -> list[tuple[Any, ...]]:
    query = (ROOT / "workloads" / "W2-caseload.graphql").read_text()
    answer = httpx.post(url, json={"query": query}, timeout=30,
                        headers={"Authorization": f"Bearer {tokens.mint(ORG)}"}).json()
    rows = []
    for edge in answer["data"]["caseload"]["edges"]:
        o = edge["node"]["offender"]
        custody = o.get("custody") or {}
        dates = custody.get("sentenceDates") or {}
        prison = (custody.get("establishment") or {}).get("code")
        rows.append((o["crn"], o["nomsNumber"], o["name"]["forename"], o["name"]["surname"],
                     prison, dates.get("conditionalReleaseDate"),
                     dates.get("homeDetentionCurfewEligibilityDate")))
    return sorted(rows)


def peer_rows(url: str, variables: dict[str, Any]) -> list[tuple[Any, ...]]:
    query = (PEERS / "peer.graphql").read_text()
    answer = httpx.post(url, json={"query": query, "variables": variables}, timeout=30).json()
    rows = []
    for p in answer["data"]["teamCaseload"]["content"]:
        prisoner = p.get("prisoner") or {}
        dates = prisoner.get("sentence") or {}
        rows.append((p["otherIds"]["crn"], p["otherIds"].get("nomsNumber"), p["firstName"],
                     p["surname"], prisoner.get("prisonId"),
                     dates.get("conditionalReleaseDate"),
                     dates.get("homeDetentionCurfewEligibilityDate")))
    return sorted(rows)


def drive(url: str, query_file: Path, variables: dict[str, Any], token: str | None,
          seconds: float, concurrency: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.driver", "--url", url, "--query-file",
               str(query_file), "--variables", json.dumps(variables), "--concurrency",
               str(concurrency), "--seconds", str(seconds)]
    command += ["--token", token] if token else []
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(finished.stdout))


IDLE_SECONDS = 3.0


def idle_cpu(pid: int) -> float:
    """CPU a gateway spends per second while nobody asks it anything (timers, file watches,
    telemetry): a cost per second, so per request it grows as throughput falls."""
    before = cpu_seconds(pid)
    time.sleep(IDLE_SECONDS)
    return round((cpu_seconds(pid) - before) * 1000 / IDLE_SECONDS, 1)


def measure(pid: int, url: str, query_file: Path, variables: dict[str, Any],
            token: str | None, sims: list[str], args: argparse.Namespace) -> dict[str, Any]:
    idle = idle_cpu(pid)
    for sim in sims:
        _stats(sim, reset=True)
    before = cpu_seconds(pid)
    with MemorySampler(pid) as memory:
        result = drive(url, query_file, variables, token, args.seconds, args.concurrency)
    served = result["requests"] + result["errors"] + 5  # the driver's warm-up requests
    result["cpu_ms_per_request"] = round((cpu_seconds(pid) - before) * 1000 / served, 2)
    result["backend_calls_per_request"] = round(sum(_stats(s) for s in sims) / served, 2)
    result["max_rss_mib"] = round(max(memory.samples, default=0) / 1024, 1)
    result["idle_cpu_ms_per_s"] = idle
    return result


def run_latency(latency: float, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_name, \
            simulator("delius", latency, Path(tmp_name)) as delius, \
            simulator("nomis", latency, Path(tmp_name)) as nomis:
        tmp = Path(tmp_name)
        config = tmp / "casegraph.toml"
        config.write_text(_config(delius, nomis, cache=False, batching=True))
        port = free_port()
        variables = {"teams": teams(delius), "page": 0, "size": 100}
        supergraph = compose(delius, tmp)
        with process(["serve", "--config", str(config), "--port", str(port)],
                     f"http://127.0.0.1:{port}/healthz", tmp / "casegraph.log") as ours, \
                hive(supergraph, delius, nomis, tmp) as (peer, peer_url):
            our_url = f"http://127.0.0.1:{port}/graphql"
            mine, theirs = casegraph_rows(our_url), peer_rows(peer_url, variables)
            if mine != theirs:
                first = next(((a, b) for a, b in zip(mine, theirs, strict=False) if a != b),
                             None)
                raise RuntimeError(f"the answers differ: {len(mine)} rows against "
                                   f"{len(theirs)}; first difference {first}")
            rounds: dict[str, list[dict[str, Any]]] = {"casegraph": [], "peer": []}
            for _ in range(args.rounds):
                rounds["casegraph"].append(measure(
                    ours.pid, our_url, ROOT / "workloads" / "W2-caseload.graphql", {},
                    tokens.mint(ORG), [delius, nomis], args))
                rounds["peer"].append(measure(peer.pid, peer_url, PEERS / "peer.graphql",
                                              variables, None, [delius, nomis], args))
        return {"rows_checked": len(mine), "rounds": rounds}
