"""What the container runs, run here as the image runs it (its CMD and HEALTHCHECK commands
with this interpreter): no configuration, the demo's key or the demo's data without
CASEGRAPH_DEMO=1 stop it before anything listens; the health check is readiness."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.auth_settings import DEMO_KEYS
from gateway.cli import main as casegraph
from gateway.container import serve_command
from providers.registry import ConfigError
from tests.conftest import http_settings
from tests.gateway.test_dockerfile import only
from tests.servers import free_port, serving

ROOT = Path(__file__).parents[2]
JWKS = '[auth]\njwks_url = "https://auth.example/.well-known/jwks.json"\n'
DELIUS = ('[providers.delius]\ntype = "delius"\nbase_url = "http://127.0.0.1:1"\n'
          'client_id = "casegraph"\nclient_secret_env = "DELIUS_CLIENT_SECRET"\n')


def command(instruction: str) -> list[str]:
    """The Dockerfile's exec-form command, with this interpreter for the image's `python`."""
    argv = [a.strip(' "') for a in only(instruction).split("CMD")[-1].strip(" []").split(",")]
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    return subprocess.run(command("CMD"), env=clean | env, capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_with_no_configuration_it_refuses_to_start_and_says_what_to_set():
    result = start({})
    assert result.returncode == 2 and result.stdout == ""
    assert "refusing to start: CASEGRAPH_CONFIG is not set" in result.stderr
    assert "CASEGRAPH_DEMO=1" in result.stderr and "Traceback" not in result.stderr


def test_a_configuration_it_cannot_find_or_that_names_no_issuer_is_refused(tmp_path):
    missing = start({"CASEGRAPH_CONFIG": str(tmp_path / "absent.toml")})
    assert missing.returncode == 2 and "absent.toml': no such file" in missing.stderr
    no_auth = tmp_path / "no-auth.toml"
    no_auth.write_text(DELIUS)
    result = start({"CASEGRAPH_CONFIG": str(no_auth)})
    assert result.returncode == 2
    assert "auth: set `jwks_url`, `hmpps_auth_url` or `public_keys`" in result.stderr


def _demo_key_copy(tmp_path: Path) -> str:
    copy = tmp_path / "issuer.pem"
    shutil.copy(DEMO_KEYS / "demo-public.pem", copy)  # the demo key under another name
    return str(copy)


@pytest.mark.parametrize("config, named", [
    ("[auth]\ndemo = true\n" + DELIUS, ["auth.demo = true"]),
    ('[auth]\npublic_keys = ["KEY"]\n' + DELIUS, ["auth.public_keys holds the demo key"]),
    ('[auth]\nissuer = "casegraph-demo"\npublic_keys = ["KEY"]\n' + DELIUS,
     ["auth.issuer = 'casegraph-demo'", "auth.public_keys"]),
    (JWKS + '[providers.embedded]\ntype = "embedded"\n',
     ["providers.embedded is the embedded demo data"]),
], ids=["demo-auth", "demo-key", "demo-issuer", "embedded-data"])
def test_the_demos_key_or_data_without_casegraph_demo_is_refused(tmp_path, config, named):
    path = tmp_path / "casegraph.toml"
    path.write_text(config.replace("KEY", _demo_key_copy(tmp_path)))
    result = start({"CASEGRAPH_CONFIG": str(path)})
    assert result.returncode == 2 and "Set CASEGRAPH_DEMO=1 only for a demo" in result.stderr
    assert all(n in result.stderr for n in named), result.stderr
    with pytest.raises(ConfigError):
        serve_command({"CASEGRAPH_CONFIG": str(path), "CASEGRAPH_DEMO": "0"})


def test_the_demo_is_served_only_with_casegraph_demo_set_to_1():
    demo = serve_command({"CASEGRAPH_DEMO": "1"})
    assert demo == ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "1"]
    simulated = serve_command({"CASEGRAPH_DEMO": "1", "CASEGRAPH_CONFIG":
                               str(ROOT / "examples/simulated.toml")})
    assert simulated[-2:] == ["--config", str(ROOT / "examples/simulated.toml")]
    for value in ("true", "yes", "2"):
        with pytest.raises(ConfigError, match="CASEGRAPH_DEMO"):
            serve_command({"CASEGRAPH_DEMO": value})


def test_a_deployments_configuration_is_served_on_every_interface(monkeypatch):
    config = str(ROOT / "examples/container.toml")
    for name in ("DELIUS_CLIENT_SECRET", "NOMIS_CLIENT_SECRET"):
        monkeypatch.setenv(name, "secret")
    monkeypatch.setenv("CRC_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/none")
    assert casegraph(["check", "--config", config]) == 0  # the example is complete
    assert serve_command({"CASEGRAPH_CONFIG": config, "CASEGRAPH_WORKERS": "4"}) == [
        "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4", "--config", config]
    for workers in ("0", "lots", "٣"):
        with pytest.raises(ConfigError, match="CASEGRAPH_WORKERS"):
            serve_command({"CASEGRAPH_CONFIG": config, "CASEGRAPH_WORKERS": workers})


def probe(url: str) -> int:
    return subprocess.run([*command("HEALTHCHECK"), url], timeout=30).returncode


READINESS = Starlette(routes=[
    Route("/ready", lambda _: JSONResponse({"status": "ready"})),
    Route("/degraded", lambda _: JSONResponse({"status": "degraded"})),
    Route("/error", lambda _: JSONResponse({"status": "ready"}, status_code=500)),
    Route("/text", lambda _: PlainTextResponse("ready")),
])


def test_the_health_check_passes_only_on_a_ready_answer():
    with serving(READINESS) as url:
        assert [probe(f"{url}/{p}") for p in ("ready", "degraded", "error", "text")] == [
            0, 1, 1, 1]
    assert probe(f"http://127.0.0.1:{free_port()}/readyz") == 1  # nothing listening


def test_the_health_check_fails_while_a_providers_circuit_is_open(simulators):
    app = create_app(http_settings(simulators))
    nomis = app.state.registry.providers["nomis"]
    while not hasattr(nomis, "breaker"):
        nomis = nomis.inner
    with serving(app) as url:
        assert probe(f"{url}/readyz") == 0
        for _ in range(nomis.breaker.threshold):
            nomis.breaker.failed()
        assert probe(f"{url}/readyz") == 1
        nomis.breaker.succeeded()
        assert probe(f"{url}/readyz") == 0
