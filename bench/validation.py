"""A fuzz run over validation: how much CPU one hostile document can cost before it is answered.

Generates documents with Hypothesis (fixed seed): fragment chains with repeated spreads,
inline fragments, directives and variables (`bench/documents.py`), and queries over the whole
schema (hypothesis-graphql); adds the doubled-fragment documents of 10 to 30 levels. Each is
parsed and judged by a fresh `Validation` (no cache), as the gateway does, and the thread's
CPU time is measured. Target (issue 13): every document under `--bound-ms` (50) of CPU, the
30-level one well under 100 ms. Results land in `bench/out/validation.json`; the exit status
is 1 when a document is over the bound.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse, specified_rules
from hypothesis import HealthCheck, given, seed, settings
from hypothesis_graphql import queries

from bench.documents import documents, nested_fragments
from gateway.limits import Limits
from gateway.limits.validation import Validation
from resolvers.schema import build_schema

OUT = Path(__file__).parent / "out"
SCHEMA = build_schema()
LIMITS = Limits()


def cpu_ms(text: str) -> tuple[float, str]:
    """CPU time to parse and judge `text` from cold, and how it ended (limit name or ok).
    The fuzzer's own heap is collected and frozen first, as a gateway freezes its start-up
    objects (`gateway/serving.py`): a full collection of Hypothesis's data is not the
    document's cost (measured: 5 ms for a document that read 300 ms without this)."""
    validation = Validation(LIMITS, introspection=True)
    gc.collect()
    gc.freeze()
    started = time.thread_time()
    try:
        verdict = validation.judge(SCHEMA._schema, parse(text, max_tokens=LIMITS.max_tokens),
                                   specified_rules, validation.clock())
        outcome = next((str((e.extensions or {}).get("limit", "invalid"))
                        for e in verdict.errors), "ok")
    except GraphQLError:
        outcome = "parse refused"
    return (time.thread_time() - started) * 1000, outcome


def fuzz(examples: int) -> list[tuple[float, str, int]]:
    measured: list[tuple[float, str, int]] = []
    strategy = documents() | queries(SCHEMA.as_str())

    @seed(20140601)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(text: str) -> None:
        measured.append((*cpu_ms(text), len(text)))

    run()
    return measured


def summary(measured: list[tuple[float, str, int]], bound_ms: float) -> dict[str, Any]:
    times = sorted(ms for ms, _, _ in measured)
    outcomes: dict[str, int] = {}
    for _, outcome, _ in measured:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    worst = max(measured)
    return {"documents": len(measured), "bound_ms": bound_ms,
            "p50_ms": round(statistics.median(times), 3),
            "p99_ms": round(times[int(0.99 * (len(times) - 1))], 3),
            "max_ms": round(worst[0], 3), "largest_bytes": max(n for _, _, n in measured),
            "worst": {"ms": round(worst[0], 3), "outcome": worst[1], "bytes": worst[2]},
            "over_bound": sum(ms > bound_ms for ms in times), "outcomes": outcomes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--bound-ms", type=float, default=50.0)
    args = parser.parse_args()
    cpu_ms(nested_fragments(2))  # warm: imports and the schema's own caches
    nested = {levels: cpu_ms(nested_fragments(levels)) for levels in (10, 20, 30)}
    measured = fuzz(args.examples)
    measured += [(ms, outcome, len(nested_fragments(n))) for n, (ms, outcome) in nested.items()]
    report = summary(measured, args.bound_ms)
    report["nested_fragments"] = {str(n): {"ms": round(ms, 3), "outcome": outcome}
                                  for n, (ms, outcome) in nested.items()}
    OUT.mkdir(exist_ok=True)
    (OUT / "validation.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if report["over_bound"]:
        raise SystemExit(f"{report['over_bound']} document(s) over {args.bound_ms} ms of CPU")


if __name__ == "__main__":
    main()
