"""A load driver for any GraphQL endpoint: bounded concurrency, bounded duration.

    python -m bench.driver --url http://127.0.0.1:8000/graphql --query-file W2.graphql \\
        --token $TOKEN --concurrency 8 --seconds 10

Prints one JSON object: requests, errors, requests per second, latency percentiles (ms) of
the requests answered. A 503 with `Retry-After` (the gateway shedding load) is counted as
`overloaded`, and that client waits as told before its next request, as a well-behaved
client does. It stops by itself after `--seconds` (and at most `--max-requests`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.http import Client


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


Outcome = bool | float  # answered, failed, or refused: the seconds to wait before asking again


async def drive_calls(call: Callable[[], Awaitable[Outcome]], concurrency: int,
                      seconds: float, max_requests: int, warmup: int = 5) -> dict[str, Any]:
    """Run `call` from `concurrency` workers until `seconds` pass; it returns success, or
    the seconds to wait when it was refused for overload."""
    latencies: list[float] = []
    errors = overloaded = 0
    for _ in range(warmup):
        await call()
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, overloaded
        while time.perf_counter() < stop_at and len(latencies) + errors < max_requests:
            started = time.perf_counter()
            ok = await call()
            if ok is True:
                latencies.append((time.perf_counter() - started) * 1000)
            elif ok is False:
                errors += 1
            else:
                overloaded += 1
                await asyncio.sleep(min(ok, max(0.0, stop_at - time.perf_counter())))

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    return {"requests": len(latencies), "errors": errors, "overloaded": overloaded,
            "rps": round(len(latencies) / wall, 1) if wall else 0.0,
            "p50_ms": round(percentile(latencies, 50), 2),
            "p95_ms": round(percentile(latencies, 95), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0}


async def drive(url: str, body: dict[str, Any], headers: dict[str, str], concurrency: int,
                seconds: float, max_requests: int) -> dict[str, Any]:
    """Drive a GraphQL endpoint; a response with errors or without data counts as an error."""
    client = Client(connections=concurrency)
    try:
        async def call() -> Outcome:
            status, answer, retry = await client.post(url, body, headers)
            if status == 503 and retry is not None:
                return retry
            return status == 200 and isinstance(answer, dict) and not answer.get("errors") \
                and bool(answer.get("data"))
        return await drive_calls(call, concurrency, seconds, max_requests)
    finally:
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--query-file", type=Path, required=True)
    parser.add_argument("--variables", default="{}", help="JSON")
    parser.add_argument("--token", default="")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    body = {"query": args.query_file.read_text(), "variables": json.loads(args.variables)}
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    print(json.dumps(asyncio.run(drive(args.url, body, headers, args.concurrency, args.seconds,
                                       args.max_requests))))


if __name__ == "__main__":
    main()
