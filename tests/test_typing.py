"""mypy is part of `make test`: `--strict` on the policies and the authentication modules.

mypy honours `strict = true` only globally (python/mypy#11401), so pyproject.toml lists the
flags it stands for; this keeps that list equal to what this mypy's `--strict` turns on."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
STRICT_MODULES = {"policies.*", "gateway.auth", "gateway.authentication", "gateway.tokens"}


def _strict_flags() -> set[str]:
    text = subprocess.run([sys.executable, "-m", "mypy", "--help"], capture_output=True,
                          text=True, check=True).stdout
    listed = text.split("enables the following flags:", 1)[1].split("\n  --", 1)[0]
    return {flag.replace("-", "_") for flag in
            re.findall(r"--([a-z-]+)", re.sub(r"-\n\s+", "-", listed))}


def test_the_strict_modules_get_every_flag_of_mypy_strict():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    [strict] = [o for o in config["overrides"] if set(o["module"]) == STRICT_MODULES]
    enabled = {key for key, value in strict.items() if value is True}
    enabled |= {key for key, value in config.items() if value is True}  # global ones
    assert _strict_flags() <= enabled, _strict_flags() - enabled
