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


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, judged from the 0 ms run: W2's own overhead (one request at a
    time, so no queueing is counted as overhead), W4's throughput on this machine (one or two
    processes), and resident memory from the soak's first quarter to its end."""
    runs = report["runs"].get("0ms")
    if runs is None:
        return []
    found = []
    w2, limit = runs["gateway"].get("W2"), runs["direct"].get("W2")
    if w2 and limit:
        overhead = round(w2["alone"]["p50_ms"] - limit["alone"]["p50_ms"], 1)
        found.append({"target": "W2 gateway overhead p50 < 15 ms (0 ms backends)",
                      "measured": f"{overhead} ms", "met": overhead < 15})
    w4 = [r["rps"] for r in (runs["gateway"].get("W4"), runs.get("processes", {}).get("W4"))
          if r]
    if w4 and "processes" not in runs:  # --quick: one process only, so no verdict
        found.append({"target": "W4 >= 300 requests/s", "measured": f"{max(w4):.0f}/s in one "
                      "process (the two-process run is skipped)", "met": None})
    elif w4:
        found.append({"target": "W4 >= 300 requests/s", "measured": f"{max(w4):.0f}/s",
                      "met": max(w4) >= 300})
    if soak := runs.get("soak"):
        first, end = soak["rss_mib_quartiles"][1], soak["rss_mib_quartiles"][-1]
        growth = round(end - first, 1)
        found.append({"target": "memory flat over a 60 s run (end within 5% of the first "
                                "quarter)", "measured": f"{first} -> {end} MiB ({growth:+})",
                      "met": abs(growth) <= 0.05 * first})
    return found


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
        for workload, result in runs.get("per_person", {}).items():
            lines.append(_row(f"{workload} gateway, nDelius read per person", result,
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
    if found := targets(report):
        lines += ["### Targets", "", "| target | measured | met |", "|---|---|---|"]
        verdicts = {True: "yes", False: "no", None: "not judged"}
        lines += [f"| {t['target']} | {t['measured']} | {verdicts[t['met']]} |"
                  for t in found]
        lines.append("")
    return "\n".join(lines)


def write_reports(report: dict[str, Any], out: Path) -> None:
    (out / "report.json").write_text(json.dumps({**report, "targets": targets(report)},
                                                indent=2))
    (out / "report.md").write_text(markdown(report))
