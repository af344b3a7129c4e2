"""The side-by-side report: medians over the alternating rounds, and the target's verdict."""

from __future__ import annotations

import statistics
from typing import Any

from bench.report import verdict_lines

METRICS = ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request", "max_rss_mib",
           "backend_calls_per_request", "idle_cpu_ms_per_s")


def medians(rounds: list[dict[str, Any]]) -> dict[str, float]:
    return {m: round(statistics.median(r[m] for r in rounds), 2) for m in METRICS}


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    zero = report["runs"].get("0ms")
    if zero is None:
        return []
    ours, peer = (medians(zero["rounds"][n]) for n in ("casegraph", "peer"))
    cpu = ours["cpu_ms_per_request"]
    return [{"target": "W2 cold CPU per request < 8 ms (0 ms backends, beside the peer)",
             "measured": f"{cpu} ms; the peer {peer['cpu_ms_per_request']} ms",
             "met": cpu < 8}]


def markdown(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [f"W2 (100-row caseload, prison, CRD, HDCED), concurrency {s['concurrency']}, "
             f"{s['seconds']:g} s per run, {s['rounds']} alternating rounds each (medians); "
             f"load average at the start {s['load_average']}.", "",
             "| backends | gateway | requests/s | p50 ms | p99 ms | CPU ms/req | max RSS MiB "
             "| backend calls/req | idle CPU ms/s |", "|---|---|---|---|---|---|---|---|---|"]
    for latency, run in report["runs"].items():
        for name in ("casegraph", "peer"):
            m = medians(run["rounds"][name])
            label = "casegraph" if name == "casegraph" else "Hive Gateway + Mesh"
            lines.append(f"| {latency} | {label} | {m['rps']:.0f} | {m['p50_ms']:.1f} | "
                         f"{m['p99_ms']:.1f} | {m['cpu_ms_per_request']} | "
                         f"{m['max_rss_mib']} | {m['backend_calls_per_request']} | "
                         f"{m['idle_cpu_ms_per_s']} |")
    checked = ", ".join(f"{k}: {r['rows_checked']}" for k, r in report["runs"].items())
    lines += ["", f"Rows checked equal before timing: {checked}.", ""]
    if found := targets(report):
        lines += ["### Targets", "", *verdict_lines(found), ""]
    return "\n".join(lines)
