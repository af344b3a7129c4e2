"""The benchmark: the gateway as a real server over the simulators, driven from another process,
against the direct-call limit and the naive one-call-per-row design. `python -m bench`."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.direct import Direct
from bench.driver import drive_calls
from bench.processes import (
    MemorySampler,
    cpu_seconds,
    free_port,
    memory_kib,
    process,
    simulator,
)
from bench.report import write_reports
from gateway import tokens

ROOT = Path(__file__).parent
WORKLOADS = {"W1": "W1-profile.graphql", "W2": "W2-caseload.graphql", "W3": "W3-search.graphql",
             "W4": "W4-caseload-warm.graphql"}
ORG = "C01"


def _config(delius: str, nomis: str, *, cache: bool, batching: bool,
            batch_reads: bool = True) -> str:
    """The example configuration; nDelius through the batch extension unless `batch_reads`
    is off (then convictions and registrations are read per person, as HMPPS offers them)."""
    example = (ROOT.parent / "examples" / "simulated.toml").read_text()
    example = example.replace("concurrency = 10\n", "concurrency = 10\nbatch_reads = "
                              f"{'true' if batch_reads else 'false'}\n", 1)
    example = example.replace("http://127.0.0.1:8081", delius)
    example = example.replace("http://127.0.0.1:8082", nomis)
    example = example.replace("introspection = true", "introspection = true\nbatching = "
                              f"{'true' if batching else 'false'}\ndeadline_seconds = 30")
    # Counted like any client's, with a limit the load never reaches.
    return example + (f'\n[cache]\nbackend = "{"memory" if cache else "none"}"\n'
                      '\n[rate_limits]\ndefault = "1000000/minute"\n')


def _stats(url: str, reset: bool = False) -> int:
    response = httpx.request("DELETE" if reset else "GET", f"{url}/_sim/stats")
    return int(response.json()["total"])


def _drive(url: str, workload: str, variables: dict[str, Any], args: argparse.Namespace,
           concurrency: int | None = None, seconds: float | None = None) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.driver", "--url", url, "--query-file",
               str(ROOT / "workloads" / WORKLOADS[workload]), "--variables",
               json.dumps(variables), "--token", tokens.mint(ORG), "--concurrency",
               str(concurrency or args.concurrency), "--seconds", str(seconds or args.seconds)]
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(finished.stdout)


def _measure(gateway: subprocess.Popen[bytes], port: int, sims: list[str], workload: str,
             variables: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/graphql"
    _drive_once(url, workload, variables)  # warm: a W4 cache, reference data, connections
    for sim in sims:
        _stats(sim, reset=True)
    cpu_before = cpu_seconds(gateway.pid)
    with MemorySampler(gateway.pid) as memory:
        result = _drive(url, workload, variables, args)
    served = result["requests"] + result["errors"] + 5  # the driver's warm-up requests
    result["backend_calls_per_request"] = round(sum(_stats(s) for s in sims) / served, 2)
    result["cpu_ms_per_request"] = round((cpu_seconds(gateway.pid) - cpu_before) * 1000
                                         / max(served, 1), 3)
    samples = memory.samples
    result["rss_mib_quartiles"] = [round(samples[min(len(samples) - 1, len(samples) * q // 4)]
                                         / 1024, 1) for q in range(5)]
    result["rss_mib_samples"] = len(memory.samples)
    result["peak_rss_mib"] = round(memory_kib(gateway.pid, "VmHWM") / 1024, 1)
    # One request at a time: latency without queueing, so the overhead is the gateway's own.
    result["alone"] = _drive(url, workload, variables, args, 1, _alone_seconds(args))
    return result


def _alone_seconds(args: argparse.Namespace) -> float:
    return 1.0 if args.quick else max(2.0, args.seconds / 3)


def _drive_once(url: str, workload: str, variables: dict[str, Any], times: int = 8) -> None:
    """Check the workload answers cleanly; repeated so every worker process is warm."""
    query = (ROOT / "workloads" / WORKLOADS[workload]).read_text()
    for _ in range(times):
        answer = httpx.post(url, json={"query": query, "variables": variables}, timeout=30,
                            headers={"Authorization": f"Bearer {tokens.mint(ORG)}"}).json()
        if answer.get("errors") or not answer.get("data"):
            raise RuntimeError(f"{workload} does not answer cleanly: {str(answer)[:300]}")


def _gateway_runs(delius: str, nomis: str, out: Path, name: str, *, cache: bool,
                  batching: bool, workloads: list[str], variables: dict[str, Any],
                  batch_reads: bool = True,
                  args: argparse.Namespace, workers: int = 1) -> dict[str, Any]:
    config = out / f"{name}.toml"
    config.write_text(_config(delius, nomis, cache=cache, batching=batching,
                              batch_reads=batch_reads))
    port = free_port()
    results = {}
    with process(["serve", "--config", str(config), "--port", str(port), "--workers",
                  str(workers)],
                 f"http://127.0.0.1:{port}/healthz", out / f"{name}.log") as gateway:
        for workload in workloads:
            results[workload] = _measure(gateway, port, [delius, nomis], workload, variables,
                                         args)
    return results


async def _direct(delius: str, nomis: str, variables: dict[str, Any],
                  args: argparse.Namespace) -> dict[str, Any]:
    direct = Direct(delius, nomis)
    await direct.setup(ORG)
    try:
        found = {}
        for w in ("W1", "W2", "W3"):
            found[w] = await drive_calls(direct.call(w, variables), args.concurrency,
                                         args.seconds, 100_000)
            found[w]["alone"] = await drive_calls(direct.call(w, variables), 1,
                                                  _alone_seconds(args), 100_000)
        return found
    finally:
        await direct.aclose()


def run(args: argparse.Namespace) -> dict[str, Any]:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    variables = {"name": args.search}
    report: dict[str, Any] = {"settings": {"concurrency": args.concurrency,
                                           "seconds_per_run": args.seconds,
                                           "quick": args.quick, "organisation": ORG},
                              "runs": {}}
    for latency in args.latency:
        with tempfile.TemporaryDirectory() as tmp, \
                simulator("delius", latency, Path(tmp)) as delius, \
                simulator("nomis", latency, Path(tmp)) as nomis:
            runs: dict[str, Any] = {"direct": asyncio.run(_direct(delius, nomis, variables,
                                                                  args))}
            runs["gateway"] = _gateway_runs(delius, nomis, Path(tmp), "gateway", cache=False,
                                            batching=True, workloads=["W1", "W2", "W3"],
                                            variables=variables, args=args)
            runs["gateway"] |= _gateway_runs(delius, nomis, Path(tmp), "cached", cache=True,
                                             batching=True, workloads=["W4"],
                                             variables=variables, args=args)
            if not args.quick:  # CI's quick run stays under a minute
                runs["processes"] = _gateway_runs(delius, nomis, Path(tmp), "two", cache=True,
                                                  batching=True, workloads=["W4"],
                                                  variables=variables, args=args, workers=2)
                runs["processes"] |= _gateway_runs(delius, nomis, Path(tmp), "two-cold",
                                                   cache=False, batching=True,
                                                   workloads=["W2"], variables=variables,
                                                   args=args, workers=2)
            if args.soak:
                soak = argparse.Namespace(**{**vars(args), "seconds": args.soak})
                runs["soak"] = _gateway_runs(delius, nomis, Path(tmp), "soak", cache=False,
                                             batching=True, workloads=["W2"],
                                             variables=variables, args=soak)["W2"]
            runs["per_person"] = _gateway_runs(delius, nomis, Path(tmp), "per-person",
                                               cache=False, batching=True, batch_reads=False,
                                               workloads=["W1", "W2"], variables=variables,
                                               args=args)
            runs["naive"] = _gateway_runs(delius, nomis, Path(tmp), "naive", cache=False,
                                          batching=False, workloads=["W2"],
                                          variables=variables, args=args)
        report["runs"][f"{latency:g}ms"] = runs
    report["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_reports(report, out)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="0 ms backends, short runs (CI)")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 20.0],
                        help="simulated backend latency in ms (default: 0 20)")
    parser.add_argument("--seconds", type=float, default=15.0, help="per workload run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--search", default="thompson", help="the name W3 searches for")
    parser.add_argument("--soak", type=float, default=60.0,
                        help="seconds of W2 to watch memory over (0: skip)")
    parser.add_argument("--out", default=str(ROOT / "out"))
    args = parser.parse_args(argv)
    if args.quick:
        args.latency, args.seconds, args.soak = [0.0], 3.0, 0.0
    report = run(args)
    print((Path(args.out) / "report.md").read_text())
    del report
