"""In process: what a cold caseload's nDelius answers cost to decode and map, and a record.

    python -m bench.decode [--rows 100] [--repeat 200]

The answers are the simulator's own (`providers.delius.shapes` over the demo dataset), for
`--rows` people: the conviction batch (`POST /convictions`) and a page of people (`POST
/team-codes`). Each is timed through the adapter's code, the usual path (the whole array
decoded in one pass) beside the fallback it takes when a record does not fit (split, then
decoded record by record); the conviction batch also as a caseload reads it (each person's
current conviction mapped, the others not); and a `@record` (`providers.frozen`) is timed
beside the stock frozen, slotted dataclass of the same fields. Prints the median of
`--repeat` runs of each.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import msgspec
import orjson

from providers.delius import mapping as to
from providers.delius import shapes, typed
from providers.delius.provider import DeliusProvider, chosen_convictions
from providers.embedded.dataset import shared
from providers.http.batch import Batch
from providers.http.typed import RAWS, decoded, filed, typed_list
from providers.records import Case

CONVICTION_LIST = msgspec.json.Decoder(list[typed.ConvictionsOf])


def answers(rows: int) -> tuple[bytes, bytes]:
    """The conviction batch and the page of people for the first `rows` people with events."""
    data = shared()
    crns = sorted(c for c in data.people if data.cases.get(c))[:rows]
    names = {code: org.name for code, org in data.organisations.items()}
    batch = [{"crn": c, "convictions": [shapes.conviction_json(e) for e in data.cases[c]],
              "requirements": [{"convictionId": int(e.id), **shapes.requirements_json(e)}
                               for e in data.cases[c]]} for c in crns]
    page = shapes.paged([shapes.offender_json(data.people[c], names) for c in crns], 0, rows)
    return orjson.dumps(batch), orjson.dumps(page)


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def stock_twin(cls: type) -> type:
    """The same fields as a stock frozen, slotted dataclass (what `@record` replaces)."""
    return dataclasses.make_dataclass(
        cls.__name__, [(f.name, f.type, f) for f in dataclasses.fields(cls)], frozen=True,
        slots=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.decode", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    convictions, page = answers(args.rows)
    provider = DeliusProvider("delius", base_url="http://127.0.0.1:9", client_secret="bench")
    now = datetime.now(UTC)

    def converter(current_only: bool) -> Callable[[Any], Any]:
        def convert(e: Any) -> Any:
            chosen = chosen_convictions("delius", e.convictions, current_only)
            return provider._convert_cases(e.crn, chosen, {
                str(r.convictionId): r.requirements for r in e.requirements or ()}, {})
        return convert

    def cases(split: bool, current_only: bool = False) -> Batch:
        found = (decoded(RAWS.decode(convictions), typed.CONVICTIONS_OF, typed.PERSON_KEY,
                         lambda e: [e.crn]) if split else
                 typed_list("delius", "conviction batch", convictions, typed.CONVICTIONS_OF,
                            typed.PERSON_KEY, lambda e: [e.crn]))
        return filed(Batch("delius", "conviction batch"), found, converter(current_only))

    def people(split: bool) -> list[Any]:
        found = (decoded(typed.RAW_OFFENDER_PAGE.decode(page).content, typed.OFFENDER,
                         typed.OFFENDER_KEY, typed.crn_of) if split
                 else typed.offender_page("delius", page)[0])
        return [to.person(j, None, now) for _, j in found]

    batch = cases(False)
    assert not any(isinstance(v, Exception) for v in batch.found.values()), "bad data"
    case = next(c for v in batch.found.values() for c in v)
    values = [getattr(case, f.name) for f in dataclasses.fields(Case)]
    stock = stock_twin(Case)
    several = sum(len(v) > 1 for v in batch.found.values())
    print(f"{args.rows} people: conviction batch {len(convictions) / 1024:.0f} KiB, page of "
          f"people {len(page) / 1024:.0f} KiB; median of {args.repeat} runs")
    print(f"people with more than one event: {several} of {len(batch.found)}")
    runs: list[tuple[str, Callable[[bool], Any]]] = [
        ("conviction batch, decoded and mapped", cases),
        ("page of people, decoded and mapped", people)]
    for name, run in runs:
        print(f"{name}: {median_ms(partial(run, False), args.repeat):.2f} ms "
              f"(record by record: {median_ms(partial(run, True), args.repeat):.2f} ms)")
    current = median_ms(partial(cases, False, True), args.repeat)
    print(f"conviction batch, decoded and each current conviction mapped: {current:.2f} ms")
    decoding = median_ms(partial(CONVICTION_LIST.decode, convictions), args.repeat)
    print(f"the conviction batch decoded alone, not mapped: {decoding:.2f} ms")
    made = [min(timeit.repeat(partial(cls, *values), number=10_000, repeat=7)) / 10_000
            for cls in (Case, stock)]
    print(f"a {len(values)}-field record made: {made[0] * 1e6:.2f} us "
          f"(a stock frozen dataclass: {made[1] * 1e6:.2f} us)")

if __name__ == "__main__":
    main()
