"""The rough edges a newcomer meets first: a taken port, the demo's console, the tokens it
prints, `policy explain` as people type it, `--version`, and the README's commands table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.processes import ENV, free_port, process
from gateway import cli, tokens
from gateway.cli import main
from gateway.settings import serving_settings

README = (Path(__file__).parents[2] / "README.md").read_text()
QUERY = '{ offender(crn: "X000004") { crn custody { status } } }'


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`casegraph serve` on the demo, as `make run` starts it; yields (port, its log)."""
    port, log = free_port(), tmp_path_factory.mktemp("demo") / "serve.log"
    with process(["serve", "--port", str(port)], f"http://127.0.0.1:{port}/healthz", log):
        yield port, log


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway.cli", *args], capture_output=True,
                          text=True, timeout=120, env=ENV)


def test_the_demo_prints_no_span_dumps_so_its_tokens_stay_on_screen(demo):
    port, log = demo
    token = log.read_text().split("Authorization: Bearer ", 1)[1].split()[0]
    for _ in range(3):
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.json()["data"]["offender"]["crn"] == "X000004"
    printed = log.read_text()
    assert f"the example caseload UI at http://127.0.0.1:{port}/ui/" in printed
    assert httpx.get(f"http://127.0.0.1:{port}/ui/", timeout=10).status_code == 200
    assert "SpanKind." not in printed and '"parent_id"' not in printed  # no span dumps
    assert printed.count("Authorization: Bearer ") == 4  # the tokens, still on screen


def test_console_traces_are_opt_in():
    assert serving_settings(None).telemetry.traces == "none"
    assert serving_settings(None, "console").telemetry.traces == "console"


@pytest.mark.parametrize("command", [["serve"], ["simulate", "nomis"]])
def test_a_port_in_use_is_one_clear_line_not_a_traceback(demo, command):
    port, _ = demo
    run = _cli(*command, "--port", str(port))
    assert run.returncode == 2
    assert run.stderr.strip() == (f"casegraph: 127.0.0.1:{port} is already in use (another "
                                  "casegraph?): stop it, or choose another port with --port "
                                  "(PORT= for make run)")
    assert "Traceback" not in run.stdout + run.stderr


def test_the_suggested_token_command_is_one_that_runs_here(monkeypatch, tmp_path):
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "casegraph").touch(mode=0o755)
    monkeypatch.setattr(sys, "argv", [".venv/bin/casegraph", "serve"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert cli._invoked_as() == ".venv/bin/casegraph"
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")
    assert cli._invoked_as() == "casegraph"
    monkeypatch.setattr(sys, "argv", ["/somewhere/gateway/cli.py"])
    assert cli._invoked_as() == f"{sys.executable} -m gateway.cli"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert re.fullmatch(r"casegraph \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


@pytest.mark.parametrize("as_text", [True, False])
@pytest.mark.parametrize("prefix", ["", "Bearer ", "bearer  "])
def test_policy_explain_takes_query_text_or_a_file_and_a_header_value(
        capsys, tmp_path, as_text, prefix):
    query = tmp_path / "q.graphql"
    query.write_text(QUERY)
    token = prefix + tokens.mint("C01", ("read",))
    assert main(["policy", "explain", "--token", token,
                 "--query", QUERY if as_text else str(query)]) == 0
    out = capsys.readouterr().out
    assert "offender.custody" in out and "custody:read" in out


@pytest.mark.parametrize("query, message", [
    ("{ offender(crn: ", "Syntax Error"),
    ("{ nosuch { crn } }", "Cannot query field 'nosuch'"),
    ("no-such-file.graphql", "neither a query nor a readable file"),
])
def test_policy_explain_names_a_bad_query_in_one_line(capsys, query, message):
    code = main(["policy", "explain", "--token", tokens.mint("C01"), "--query", query])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def _commands(parser=None, prefix=()) -> list[tuple[str, ...]]:
    """Every leaf command of the CLI, e.g. ("policy", "explain")."""
    import argparse

    parser = parser or cli._parser()
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*prefix, name)) or [(*prefix, name)]
    return found


def test_the_readme_commands_table_names_every_command():
    table = README.split("\n## Commands", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    missing = [" ".join(c) for c in _commands()
               if not any(f"casegraph {' '.join(c)}" in row.replace("\\|", "|")
                          for row in rows)]
    assert missing == [], f"README's commands table lacks {missing}"
    assert any("--version" in row for row in rows)
