"""`casegraph serve` starts a real server and tells a newcomer what to do."""

import httpx

from bench.processes import free_port, process


def test_serve_prints_the_url_and_demo_tokens_and_answers(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with process(["serve", "--port", str(port)], f"http://127.0.0.1:{port}/healthz", log):
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}/graphql" in printed
        token = printed.split("Authorization: Bearer ", 1)[1].split()[0]
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql",
                            json={"query": "{ viewer { organisation } }"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.json()["data"] == {"viewer": {"organisation": "C01"}}
