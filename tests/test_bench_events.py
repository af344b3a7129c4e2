"""bench/events.py runs end to end (a handful of subscribers and events; no timing asserted)."""

from bench import events


def test_the_events_benchmark_runs_and_every_subscriber_gets_what_it_is_owed(capsys):
    report = events.main(["--latency-events", "5", "--subscribers", "21", "--events", "20",
                          "--batch", "10"])
    assert report["service_latency"]["n"] == report["websocket_latency"]["n"] == 5
    fan_out = report["fan_out"]
    assert fan_out["reads"] == fan_out["events"] == 20 and fan_out["slow_consumers"] == 0
    assert fan_out["messages"] == 20  # one subscriber per CRC: each event to its manager's
    assert '"fan_out"' in capsys.readouterr().out
