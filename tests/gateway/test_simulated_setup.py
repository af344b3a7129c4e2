"""The README's simulator commands, run as a newcomer would: three processes on loopback."""

import re
from pathlib import Path

import httpx

from bench.processes import free_port, process
from gateway import tokens

ROOT = Path(__file__).parents[2]


def test_readme_commands_serve_the_gateway_over_the_simulators(tmp_path):
    ports = {"delius": free_port(), "nomis": free_port(), "gateway": free_port()}
    config = (ROOT / "examples" / "simulated.toml").read_text()
    config = config.replace("127.0.0.1:8081", f"127.0.0.1:{ports['delius']}")
    config = config.replace("127.0.0.1:8082", f"127.0.0.1:{ports['nomis']}")
    (tmp_path / "simulated.toml").write_text(config)
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    with process(["simulate", "delius", "--port", str(ports["delius"])],
                 f"{base['delius']}/_sim/stats", tmp_path / "delius.log"), \
            process(["simulate", "nomis", "--port", str(ports["nomis"])],
                    f"{base['nomis']}/_sim/stats", tmp_path / "nomis.log"), \
            process(["serve", "--config", str(tmp_path / "simulated.toml"), "--port",
                     str(ports["gateway"])], f"{base['gateway']}/healthz",
                    tmp_path / "gateway.log"):
        answer = httpx.post(
            f"{base['gateway']}/graphql", timeout=10,
            json={"query": '{ offender(crn: "X000004") { crn custody { prisonNumber } } }'},
            headers={"Authorization": f"Bearer {tokens.mint('C01')}"}).json()
    assert answer["data"] == {"offender": {"crn": "X000004",
                                           "custody": {"prisonNumber": "A0004AA"}}}
    assert {s["provider"] for s in answer["extensions"]["sources"]} == {"delius", "nomis"}
    # The start-up reachability check's answers are not failures, and are not logged as such.
    # (A number on its own: the printed demo tokens are random and may hold "404".)
    logged = (tmp_path / "gateway.log").read_text()
    assert not re.search(r"(?<![\w-])404(?![\w-])|Not Found", logged)
