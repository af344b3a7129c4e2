"""The benchmark's JSON and Markdown reports."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench import overload

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
    """The issues' targets, judged from the 0 ms run: W2's own overhead (one request at a
    time, so no queueing is counted as overhead) and its CPU per cold request, W4's
    throughput in two processes and CPU per cached answer, behaviour past capacity, and
    resident memory from the soak's first quarter to its end."""
    runs = report["runs"].get("0ms")
    if runs is None:
        return []
    found = []
    w2, limit = runs["gateway"].get("W2"), runs["direct"].get("W2")
    if w2 and limit:
        overhead = round(w2["alone"]["p50_ms"] - limit["alone"]["p50_ms"], 1)
        found.append({"target": "W2 gateway overhead p50 < 15 ms (0 ms backends)",
                      "measured": f"{overhead} ms", "met": overhead < 15})
    if w2 and "cpu_ms_per_request" in w2:
        cpu = w2["cpu_ms_per_request"]
        found.append({"target": "W2 cold CPU per request < 8 ms", "measured": f"{cpu} ms",
                      "met": cpu < 8})
    found += _w4(runs)
    if "overload" in runs:
        found += overload.targets(runs["overload"])
    if soak := runs.get("soak"):
        first, end = soak["rss_mib_quartiles"][1], soak["rss_mib_quartiles"][-1]
        growth = round(end - first, 1)
        found.append({"target": "memory flat over a 60 s run (end within 5% of the first "
                                "quarter)", "measured": f"{first} -> {end} MiB ({growth:+})",
                      "met": abs(growth) <= 0.05 * first})
    return found


def _w4(runs: dict[str, Any]) -> list[dict[str, Any]]:
    """Cached answers: at least 1,000/s in two processes, under 1 ms of CPU each."""
    found = []
    one, two = runs["gateway"].get("W4"), runs.get("processes", {}).get("W4")
    if one is not None and "cpu_ms_per_request" in one:
        cpu = one["cpu_ms_per_request"]
        found.append({"target": "CPU per cached answer (W4) < 1 ms", "measured": f"{cpu} ms",
                      "met": cpu < 1})
    if two is not None:
        found.append({"target": "W4 >= 1,000 requests/s with --workers 2",
                      "measured": f"{two['rps']:.0f}/s", "met": two["rps"] >= 1000})
    elif one is not None:  # --quick: one process only, so no verdict
        found.append({"target": "W4 >= 1,000 requests/s with --workers 2",
                      "measured": f"{one['rps']:.0f}/s in one process (the two-process run "
                                  "is skipped)", "met": None})
    return found


LOADS = (100, 500, 1000)  # requests per second a deployment might have to serve
UTILISATION = 0.7  # the HPA's CPU target: pods are added past 70% of their one core


def capacity(report: dict[str, Any]) -> list[str]:
    """Requests per second one core serves, per workload, from CPU per request in the 0 ms
    run (the gateway's own work), and the one-core pods each load needs at the HPA's target."""
    runs = report["runs"].get("0ms")
    if runs is None:
        return []
    lines = ["| workload | CPU ms/req | requests/s per core | "
             + " | ".join(f"pods for {n}/s" for n in LOADS) + " |",
             "|---|---|---|" + "---|" * len(LOADS)]
    for workload, result in sorted(runs["gateway"].items()):
        cpu = result.get("cpu_ms_per_request")
        if not cpu:
            continue
        per_core = 1000 / cpu
        pods = [max(1, math.ceil(n / (per_core * UTILISATION))) for n in LOADS]
        lines.append(f"| {workload} | {cpu} | {per_core:.0f} | "
                     + " | ".join(str(p) for p in pods) + " |")
    return lines


VERDICTS = {True: "met", False: "not met", None: "not judged"}


def verdict_lines(found: list[dict[str, Any]]) -> list[str]:
    """One line per target: met, not met or not judged, with what was measured."""
    return [f"- {VERDICTS[t['met']]}: {t['target']} (measured {t['measured']})"
            for t in found]


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
        if sweep := runs.get("overload"):
            lines += overload.markdown(sweep)
        if soak := runs.get("soak"):
            marks = ", ".join(f"{mib} MiB" for mib in soak["rss_mib_quartiles"])
            lines += [f"Memory over a {soak['rss_mib_samples'] / 2:.0f} s W2 run "
                      f"({soak['requests']} requests), resident at its start, quarters and end: "
                      f"{marks}; peak {soak['peak_rss_mib']} MiB.", ""]
    if table := capacity(report):
        lines += ["### Capacity (one core a pod, 70% CPU target)", "", *table, ""]
    if found := targets(report):
        lines += ["### Targets", "", *verdict_lines(found), ""]
    return "\n".join(lines)


def write_reports(report: dict[str, Any], out: Path) -> None:
    (out / "report.json").write_text(json.dumps({**report, "targets": targets(report)},
                                                indent=2))
    (out / "report.md").write_text(markdown(report))
