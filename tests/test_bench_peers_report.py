"""The side-by-side report: medians of alternating rounds, and the target judged from them."""

from bench.peers.report import markdown, targets


def _round(cpu: float, rps: float) -> dict:
    return {"rps": rps, "p50_ms": 100.0, "p99_ms": 200.0, "cpu_ms_per_request": cpu,
            "max_rss_mib": 150.0, "backend_calls_per_request": 4.0, "idle_cpu_ms_per_s": 2.0}


def _report(ours: list[float]) -> dict:
    return {"settings": {"concurrency": 8, "seconds": 10, "rounds": 3, "load_average": 0.4},
            "runs": {"0ms": {"rows_checked": 100, "rounds": {
                "casegraph": [_round(c, 80) for c in ours],
                "peer": [_round(9.0, 70), _round(9.5, 72), _round(30.0, 20)]}}}}


def test_the_target_is_judged_on_the_median_round():
    [met] = targets(_report([7.0, 7.9, 20.0]))  # one disturbed round does not decide
    assert met["met"] is True and met["measured"] == "7.9 ms; the peer 9.5 ms"
    [missed] = targets(_report([8.0, 8.5, 6.0]))
    assert missed["met"] is False


def test_the_table_names_both_gateways_and_the_verdict():
    text = markdown(_report([7.0, 7.9, 20.0]))
    assert "| 0ms | casegraph | 80 |" in text and "| 0ms | Hive Gateway + Mesh | 70 |" in text
    assert "- met: W2 cold CPU per request < 8 ms" in text
    assert "Rows checked equal before timing: 0ms: 100." in text
