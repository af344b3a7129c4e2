"""The benchmark's JSON and Markdown reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A warm cache (W4) asks no backend: its whole latency is the gateway's.
NO_BACKEND = {"p50_ms": 0.0, "alone": {"p50_ms": 0.0}}
COLUMNS = ("requests/s", "p50 ms", "p95 ms", "p99 ms", "overhead p50 ms", "alone p50 ms",
           "alone overhead ms", "backend calls/req", "CPU ms/req", "peak RSS MiB")


def _overhead(result: dict[str, Any] | None, limit: dict[str, Any] | None) -> str:
    if result is None or limit is None:
        return ""
    return f"{result['p50_ms'] - limit['p50_ms']:.1f}"


def _row(name: str, result: dict[str, Any], limit: dict[str, Any] | None) -> str:
    alone = result.get("alone")
    cells = [f"{result['rps']:.0f}", f"{result['p50_ms']:.1f}", f"{result['p95_ms']:.1f}",
             f"{result['p99_ms']:.1f}", _overhead(result, limit),
             f"{alone['p50_ms']:.1f}" if alone else "",
             _overhead(alone, (limit or {}).get("alone")),
             str(result.get("backend_calls_per_request", "")),
             str(result.get("cpu_ms_per_request", "")), str(result.get("peak_rss_mib", ""))]
    return f"| {name} | " + " | ".join(cells) + " |"


def markdown(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [f"Concurrency {s['concurrency']}, {s['seconds_per_run']:g} s per run, "
             f"organisation {s['organisation']}. Overhead = gateway p50 minus the direct-call "
             "limit's p50 for the same data (W4, served from the cache, asks no backend: its "
             "overhead is its latency). \"Alone\" = one "
             "request at a time, so the overhead has no queueing in it. CPU and memory are the "
             "gateway's (all its processes).", ""]
    for latency, runs in report["runs"].items():
        lines += [f"### Backends at {latency}", "",
                  "| run | " + " | ".join(COLUMNS) + " |",
                  "|---|" + "---|" * len(COLUMNS)]
        direct = runs["direct"]
        for workload, result in runs["gateway"].items():
            lines.append(_row(f"{workload} gateway", result, direct.get(workload, NO_BACKEND)))
        for workload, result in runs.get("processes", {}).items():
            lines.append(_row(f"{workload} gateway, 2 processes", result,
                              direct.get(workload, NO_BACKEND)))
        for workload, result in runs["naive"].items():
            lines.append(_row(f"{workload} naive (one call per row)", result, direct[workload]))
        for workload, result in direct.items():
            lines.append(_row(f"{workload} direct (the limit)", result, None))
        lines.append("")
        if soak := runs.get("soak"):
            marks = ", ".join(f"{mib} MiB" for mib in soak["rss_mib_quartiles"])
            lines += [f"Memory over a {soak['rss_mib_samples'] / 2:.0f} s W2 run "
                      f"({soak['requests']} requests), resident at its start, quarters and end: "
                      f"{marks}; peak {soak['peak_rss_mib']} MiB.", ""]
    return "\n".join(lines)


def write_reports(report: dict[str, Any], out: Path) -> None:
    (out / "report.json").write_text(json.dumps(report, indent=2))
    (out / "report.md").write_text(markdown(report))
