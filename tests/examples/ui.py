"""Building the example UI and driving it in headless Chromium, for its tests.

The UI is built once per test session from `examples/caseload-ui` (packages from its lock
file, no network), into a temporary folder; one browser serves every test of a module, each
test in a fresh context (its own storage, its own viewport).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
UI = ROOT / "examples" / "caseload-ui"
ARTEFACTS = Path(os.environ.get("CASEGRAPH_ARTEFACTS", ROOT / "var" / "artefacts")) / "caseload-ui"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 860}},
}


def npm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    npm_bin = shutil.which("npm")
    assert npm_bin and (UI / "node_modules" / ".bin" / "vite").exists(), \
        "node, npm and the UI's packages are needed: `make test` installs them"
    run = subprocess.run([npm_bin, *args], cwd=UI, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NO_COLOR": "1", **(env or {})})
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def build(out: Path) -> Path:
    """`npm run build` (persisted-query manifest, type check, Vite) into `out`."""
    npm("run", "build", env={"UI_OUT_DIR": str(out)})
    return out


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def screenshot(page: Any, name: str) -> Path:
    """Kept as a test artefact (var/ is not committed); README's copies live in docs/."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
