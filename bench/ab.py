"""A/B: one workload's CPU per request, this checkout against another, alternating.

    git worktree add /tmp/base <commit>
    python -m bench.ab /tmp/base --workload W2 --rounds 6

Runs of one build minutes apart differ by 15% or more on a shared machine, so a change is
judged by alternating: each round starts the other checkout's gateway, then this one's, over
the same simulators (this checkout's), and drives each for the same time. Prints each side's
CPU per request, round by round, and their means.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.processes import cpu_seconds, free_port, process, simulator
from bench.runner import ORG, _config, _drive, _drive_once

HERE = Path(__file__).resolve().parent.parent


def measure(checkout: Path, config: Path, workload: str, args: argparse.Namespace,
            log: Path) -> float:
    """CPU ms per request of one gateway, started from `checkout`, over one run."""
    port = free_port()
    with process(["serve", "--config", str(config), "--port", str(port)],
                 f"http://127.0.0.1:{port}/healthz", log, checkout=checkout) as gateway:
        url = f"http://127.0.0.1:{port}/graphql"
        _drive_once(url, workload, {"name": args.search}, 20)
        before = cpu_seconds(gateway.pid)
        result = _drive(url, workload, {"name": args.search}, args)
        served = result["requests"] + result["errors"] + 5  # the driver's warm-up requests
        return round((cpu_seconds(gateway.pid) - before) * 1000 / max(served, 1), 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="another checkout of casegraph (the A side)")
    parser.add_argument("--workload", default="W2", choices=["W1", "W2", "W3", "W4"])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.0, help="backend latency, ms")
    parser.add_argument("--search", default="thompson")
    args = parser.parse_args(argv)
    sides = {"A (other)": args.other.resolve(), "B (this)": HERE}
    found: dict[str, list[float]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp, \
            simulator("delius", args.latency, Path(tmp)) as delius, \
            simulator("nomis", args.latency, Path(tmp)) as nomis:
        config = Path(tmp) / "ab.toml"
        cached = args.workload == "W4"  # W2 answered from the response cache
        config.write_text(_config(delius, nomis, cache=cached, batching=True, answers=cached))
        for number in range(1, args.rounds + 1):
            for name, checkout in sides.items():
                cpu = measure(checkout, config, args.workload, args, Path(tmp) / "gateway.log")
                found[name].append(cpu)
                print(f"round {number} {name}: {cpu} ms CPU/request", flush=True)
    print(f"\n{args.workload}, organisation {ORG}, concurrency {args.concurrency}, "
          f"{args.seconds:g} s a run, {args.rounds} rounds")
    for name, values in found.items():
        print(f"{name}: {', '.join(str(v) for v in sorted(values))}; mean "
              f"{statistics.fmean(values):.2f}, median {statistics.median(values):.2f} ms")


if __name__ == "__main__":
    main()
