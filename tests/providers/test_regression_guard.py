"""The regression guard on what the real APIs carry: each signal of an old backup restored,
shown with the simulators' `restored` fault over real HTTP."""

import pytest

from providers.cache import memory_cache
from providers.delius.provider import DeliusProvider
from providers.guard import REGRESSIONS, RegressionGuard
from providers.nomis.provider import NomisProvider
from providers.simulation import CLIENT_SECRET, Faults


@pytest.fixture
async def guarded(simulators):
    """Per system, the adapter (nDelius reading per person) behind a fresh, withholding guard."""
    adapters = {"delius": DeliusProvider("delius", simulators["delius"][1],
                                         client_secret=CLIENT_SECRET),
                "nomis": NomisProvider("nomis", simulators["nomis"][1],
                                       client_secret=CLIENT_SECRET)}
    yield {name: RegressionGuard(a, memory_cache(), withhold=True)
           for name, a in adapters.items()}
    for adapter in adapters.values():
        await adapter.aclose()


def _restore(simulators, system, aspect):
    simulators[system][0].faults = Faults(restored=aspect)


def _calm(simulators, system):
    simulators[system][0].faults = Faults()


async def test_a_booking_older_than_one_served_is_withheld(simulators, guarded):
    nomis = guarded["nomis"]
    assert (await nomis.fetch("custody", ["A0004AA"]))[0] is not None
    _restore(simulators, "nomis", "booking")
    before = REGRESSIONS["nomis"]
    [custody] = await nomis.fetch("custody", ["A0004AA"])
    assert custody is None and REGRESSIONS["nomis"] == before + 1


async def test_a_release_recorded_then_gone_is_withheld(simulators, guarded, dataset):
    nomis, released = guarded["nomis"], "A0022AA"
    assert dataset.custody[released].status == "INACTIVE OUT"
    assert (await nomis.fetch("custody", [released, "A0004AA"]))[0] is not None
    _restore(simulators, "nomis", "release")
    found = await nomis.fetch("custody", [released, "A0004AA"])
    assert found[0] is None and found[1] is not None  # the rest of the batch still answers


async def test_the_latest_movement_moving_back_is_withheld(simulators, guarded):
    nomis = guarded["nomis"]
    assert (await nomis.fetch("movements", ["A0071AA"]))[0]
    _restore(simulators, "nomis", "dates")
    assert (await nomis.fetch("movements", ["A0071AA"]))[0] is None


async def test_sentence_dates_reverting_to_a_replaced_calculation_are_withheld(
        simulators, guarded, dataset):
    nomis, booking = guarded["nomis"], str(dataset.custody["A0004AA"].booking_id)
    _restore(simulators, "nomis", "dates")
    older = (await nomis.fetch("sentence_dates", [booking]))[0]
    _calm(simulators, "nomis")
    newer = (await nomis.fetch("sentence_dates", [booking]))[0]
    assert older is not None and newer is not None and older != newer  # a recalculation
    _restore(simulators, "nomis", "dates")
    assert (await nomis.fetch("sentence_dates", [booking]))[0] is None


async def test_last_modified_moving_back_is_withheld(simulators, guarded):
    delius = guarded["delius"]
    assert (await delius.fetch("cases", ["X000004"]))[0]
    _restore(simulators, "delius", "validators")
    assert (await delius.fetch("cases", ["X000004"]))[0] is None


async def test_an_etag_returning_to_a_replaced_version_is_withheld(simulators, guarded):
    delius = guarded["delius"]
    _restore(simulators, "delius", "dates")  # the key dates of an older calculation
    assert (await delius.fetch("cases", ["X000004"]))[0]
    _calm(simulators, "delius")
    assert (await delius.fetch("cases", ["X000004"]))[0]
    _restore(simulators, "delius", "dates")
    assert (await delius.fetch("cases", ["X000004"]))[0] is None


async def test_unchanged_answers_are_never_flagged(guarded, dataset):
    nomis = guarded["nomis"]
    keys = sorted(dataset.custody)[:50]
    booking_ids = [str(dataset.custody[k].booking_id) for k in keys]
    before = REGRESSIONS["nomis"]
    for _ in range(2):
        assert all(await nomis.fetch("custody", keys))
        await nomis.fetch("sentence_dates", booking_ids)
        await nomis.fetch("movements", keys)
    assert REGRESSIONS["nomis"] == before


async def _change(simulators, system, **change):
    import httpx

    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{simulators[system][1]}/_sim/events", json=change)
    assert answer.status_code == 200, answer.text


async def test_a_recall_on_the_released_booking_is_not_a_regression(simulators, guarded,
                                                                    dataset):
    """A recalled prisoner goes back in on the booking they were released from: the release
    is undone by a later movement, not by an old backup, and must still be served."""
    nomis = guarded["nomis"]
    noms = next(n for n, c in sorted(dataset.custody.items()) if c.active)
    before = REGRESSIONS["nomis"]
    assert (await nomis.fetch("custody", [noms]))[0].active
    await _change(simulators, "nomis", change="release", noms=noms)
    assert not (await nomis.fetch("custody", [noms]))[0].active
    await _change(simulators, "nomis", change="recall", noms=noms, prison="LEI")
    [recalled] = await nomis.fetch("custody", [noms])
    assert recalled is not None and recalled.active and recalled.agency_id == "LEI"
    assert REGRESSIONS["nomis"] == before
