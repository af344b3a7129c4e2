"""`casegraph serve` starts a real server and tells a newcomer what to do."""

import os
import socket
import subprocess
import sys
import time

import httpx


def test_serve_prints_the_url_and_demo_tokens_and_answers(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"server did not come up: {log.read_text()}")
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}/graphql" in printed
        token = printed.split("Authorization: Bearer ", 1)[1].split()[0]
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql",
                            json={"query": "{ viewer { organisation } }"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert answer.json()["data"] == {"viewer": {"organisation": "C01"}}
    finally:
        process.terminate()
        process.wait(timeout=10)
