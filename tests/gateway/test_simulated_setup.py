"""The README's simulator commands, run as a newcomer would: three processes on loopback."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gateway import tokens
from tests.servers import free_port

ROOT = Path(__file__).parents[2]


def _wait(url: str, log: Path) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up: {log.read_text()}")


def test_readme_commands_serve_the_gateway_over_the_simulators(tmp_path):
    ports = {"delius": free_port(), "nomis": free_port(), "gateway": free_port()}
    config = (ROOT / "examples" / "simulated.toml").read_text()
    config = config.replace("127.0.0.1:8081", f"127.0.0.1:{ports['delius']}")
    config = config.replace("127.0.0.1:8082", f"127.0.0.1:{ports['nomis']}")
    (tmp_path / "simulated.toml").write_text(config)
    env = {**os.environ, "DELIUS_CLIENT_SECRET": "simulated-secret",
           "NOMIS_CLIENT_SECRET": "simulated-secret", "PYTHONUNBUFFERED": "1"}
    commands = [["simulate", "delius", "--port", str(ports["delius"])],
                ["simulate", "nomis", "--port", str(ports["nomis"])],
                ["serve", "--config", str(tmp_path / "simulated.toml"), "--port",
                 str(ports["gateway"])]]
    processes = []
    try:
        for i, args in enumerate(commands):
            log = tmp_path / f"{i}.log"
            with log.open("w") as out:
                processes.append(subprocess.Popen([sys.executable, "-m", "gateway.cli", *args],
                                                  stdout=out, stderr=subprocess.STDOUT, env=env))
            port = ports[("delius", "nomis", "gateway")[i]]
            _wait(f"http://127.0.0.1:{port}/{'healthz' if i == 2 else '_sim/stats'}", log)
        answer = httpx.post(
            f"http://127.0.0.1:{ports['gateway']}/graphql", timeout=10,
            json={"query": '{ offender(crn: "X000004") { crn custody { prisonNumber } } }'},
            headers={"Authorization": f"Bearer {tokens.mint('C01')}"}).json()
        assert answer["data"] == {"offender": {"crn": "X000004",
                                               "custody": {"prisonNumber": "A0004AA"}}}
        assert {s["provider"] for s in answer["extensions"]["sources"]} == {"delius", "nomis"}
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
