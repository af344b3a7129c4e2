"""The benchmark's JSON and Markdown reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
             "limit's p50 for the same data (W4 is compared with W2's limit). \"Alone\" = one "
             "request at a time, so the overhead has no queueing in it. CPU and memory are the "
             "gateway's (all its processes).", ""]
    for latency, runs in report["runs"].items():
        lines += [f"### Backends at {latency}", "",
                  "| run | " + " | ".join(COLUMNS) + " |",
                  "|---|" + "---|" * len(COLUMNS)]
        direct = runs["direct"]
        for workload, result in runs["gateway"].items():
            lines.append(_row(f"{workload} gateway", result, direct["W2" if workload == "W4"
                                                                    else workload]))
        for workload, result in runs.get("processes", {}).items():
            lines.append(_row(f"{workload} gateway, 2 processes", result,
                              direct["W2" if workload == "W4" else workload]))
        for workload, result in runs["naive"].items():
            lines.append(_row(f"{workload} naive (one call per row)", result, direct[workload]))
        for workload, result in direct.items():
            lines.append(_row(f"{workload} direct (the limit)", result, None))
        lines.append("")
        if soak := runs.get("soak"):
            start, end = soak["rss_mib_start_end"]
            lines += [f"Memory over a {soak['rss_mib_samples'] / 2:.0f} s W2 run: resident "
                      f"{start} MiB at the start, {end} MiB at the end, peak {soak['peak_rss_mib']}"
                      f" MiB ({soak['requests']} requests).", ""]
    return "\n".join(lines)


def write_reports(report: dict[str, Any], out: Path) -> None:
    (out / "report.json").write_text(json.dumps(report, indent=2))
    (out / "report.md").write_text(markdown(report))
