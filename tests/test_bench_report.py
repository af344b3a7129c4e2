"""The benchmark report judges the issue's targets from its own figures."""

from bench.report import markdown, targets


def _run(rps: float, p50: float, alone: float) -> dict:
    return {"rps": rps, "p50_ms": p50, "p95_ms": p50, "p99_ms": p50, "alone": {"p50_ms": alone}}


def _report(w2_alone: float, w4_two: float, soak: list[float]) -> dict:
    return {"settings": {"concurrency": 8, "seconds_per_run": 3, "organisation": "C01"},
            "runs": {"0ms": {
                "direct": {"W2": _run(300, 10, 4.0)},
                "gateway": {"W2": _run(50, 150, w2_alone), "W4": _run(150, 50, 6)},
                "processes": {"W4": _run(w4_two, 30, 6)},
                "naive": {},
                "soak": {**_run(50, 150, 20), "rss_mib_quartiles": soak,
                         "rss_mib_samples": 120, "requests": 3000, "peak_rss_mib": max(soak)}}}}


def test_targets_met_and_missed_are_told_apart():
    met = targets(_report(w2_alone=14.0, w4_two=310, soak=[100, 130, 131, 130, 132]))
    assert [t["met"] for t in met] == [True, True, True]
    assert met[0]["measured"] == "10.0 ms"  # one at a time: 14.0 - the limit's 4.0
    missed = targets(_report(w2_alone=20.0, w4_two=290, soak=[100, 130, 140, 150, 160]))
    assert [t["met"] for t in missed] == [False, False, False]
    assert "| W4 >= 300 requests/s | 290/s | no |" in markdown(
        _report(w2_alone=20.0, w4_two=290, soak=[100, 130, 140, 150, 160]))


def test_a_quick_run_gives_no_verdict_on_two_process_throughput():
    quick = _report(w2_alone=14.0, w4_two=310, soak=[100, 130, 131, 130, 132])
    del quick["runs"]["0ms"]["processes"], quick["runs"]["0ms"]["soak"]
    [w2, w4] = targets(quick)
    assert w2["met"] is True and w4["met"] is None and "one process" in w4["measured"]
    assert "| not judged |" in markdown(quick)
