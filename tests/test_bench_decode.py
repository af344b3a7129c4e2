"""`python -m bench.decode` runs, and times what the adapter really does with the answers."""

from bench import decode


def test_the_decode_benchmark_maps_every_person_and_prints_each_timing(capsys):
    decode.main(["--rows", "5", "--repeat", "1"])
    out = capsys.readouterr().out
    for line in ("5 people:", "people with more than one event:",
                 "conviction batch, decoded and mapped:",
                 "page of people, decoded and mapped:",
                 "decoded and each current conviction mapped:", "decoded alone, not mapped:",
                 "16-field record made:"):
        assert line in out


def test_its_answers_are_the_simulators_and_decode_cleanly():
    convictions, page = decode.answers(5)
    assert len(decode.CONVICTION_LIST.decode(convictions)) == 5
    assert page.startswith(b"{") and b'"totalElements":5' in page
