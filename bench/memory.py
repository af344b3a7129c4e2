"""Resident memory across many 100-row caseloads in process (embedded data, no network):
whether the gateway's own layers hold on to anything per request. `python -m bench.memory`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os

import httpx

from bench.enforcement import QUERY
from bench.processes import memory_kib
from gateway import tokens
from gateway.app import create_app


async def measure(requests: int, every: int) -> list[tuple[int, float]]:
    app = create_app()
    headers = {"Authorization": f"Bearer {tokens.mint('C01')}"}
    samples = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as client:
        for done in range(1, requests + 1):
            await client.post("/graphql", json={"query": QUERY}, headers=headers)
            if done % every == 0:
                gc.collect()
                samples.append((done, round(memory_kib(os.getpid()) / 1024, 1)))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2400)
    parser.add_argument("--every", type=int, default=400)
    args = parser.parse_args()
    for done, mib in asyncio.run(measure(args.requests, args.every)):
        print(f"{done:>6} requests: {mib} MiB resident")


if __name__ == "__main__":
    main()
