"""`python -m bench.peers`: casegraph beside Hive Gateway + GraphQL Mesh (bench/peers/run.py)."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.peers.report import markdown, targets
from bench.peers.run import run_latency

OUT = Path(__file__).parents[1] / "out"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 20.0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    report: dict[str, Any] = {"settings": {"concurrency": args.concurrency, "seconds": args.seconds,
                           "rounds": args.rounds,
                           "load_average": round(os.getloadavg()[0], 2)}, "runs": {}}
    for latency in args.latency:
        report["runs"][f"{latency:g}ms"] = run_latency(latency, args)
    report["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "peers.json").write_text(json.dumps({**report, "targets": targets(report)},
                                               indent=2))
    (out / "peers.md").write_text(markdown(report))
    print(markdown(report))


main()
