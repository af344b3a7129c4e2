"""What a request loaded goes with the request, by reference counting, not at the next
garbage collection: a cycle that holds a request's futures and records keeps a whole cold
caseload (hundreds of records) resident until the collector runs, and with many requests in
flight that was the process's resident memory growing for the first minute of load.

The cycles found: graphql-core's executor refers to itself (through its resolve-info
helpers) and, through the context, to the request's loaders; the custody look-ahead's task
runs in a context holding the look-ahead, which held the task; each DataLoader's batch
function held its loaders."""

import gc
import weakref

import pytest

from tests.conftest import bearer

CASELOAD = """{ caseload(first: 50) { edges { node { id active offender { crn name { surname }
  custody { status establishment { name } sentenceDates { conditionalReleaseDate } } } } } } }"""
# The request's records and loading machinery, and the look-ahead's task and selection
# (asyncio's futures; tenacity's own `Future`, which holds a retried call's outcome, is not
# among them).
HELD = {"Person", "Case", "Custody", "SentenceDates", "Establishment", "DataLoader",
        "LoaderTask", "_asyncio.Future", "_asyncio.Task", "SelectedField", "EarlyCustody"}


@pytest.fixture
def collector_off():
    """The collector off, and what it finds kept aside for inspection."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def test_a_cold_caseload_over_http_backends_leaves_no_records_in_cycles(
        http_client, collector_off):
    headers = bearer("C01")
    for _ in range(3):
        answer = (await http_client.post("/graphql", json={"query": CASELOAD},
                                         headers=headers)).json()
        assert "errors" not in answer and answer["data"]["caseload"]["edges"]
    gc.collect()
    held = sorted({_name(type(o)) for o in gc.garbage} & HELD)
    assert held == [], f"left for the collector: {held}"


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__name__}" if kind.__module__ == "_asyncio" else \
        kind.__name__


async def test_loaders_do_not_hold_themselves(collector_off):
    """Loaders a request keeps beyond its answer (a subscription's re-read is shared by its
    subscribers and dropped later) go when dropped: their DataLoaders' batch functions do not
    refer back to them."""
    from resolvers.loaders import Loaders, SourceLog

    loaders = Loaders(None, SourceLog())
    loader = loaders.of("offender")
    loader.prime("X000001", "a record")
    gone = [weakref.ref(loaders), weakref.ref(loader)]
    del loaders, loader
    assert [ref() for ref in gone] == [None, None]  # freed at once, the collector being off
