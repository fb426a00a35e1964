"""A copy of this checkout's code in a folder of its own, for running `make run`'s and
`make reset`'s scripts and flask commands without touching the real instance/."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from server import PROJECT_ROOT

# What a second terminal has: no Linli settings. The clock shift of `make test-clock`
# (tests/clock) carries over, so that the copy's processes agree with the test on "now".
PASSED_ON = ("PATH", "HOME", "LANG", "PYTHONPATH", "LINLI_CLOCK_SHIFT")


@pytest.fixture
def project(tmp_path) -> Path:
    """server/, migrations/ and scripts/ copied to a fresh folder (no instance/, no .env):
    scripts/dev.py and `python -m flask --app server` run there use it as their root."""
    root = tmp_path / "linli"
    for part in ("server", "migrations", "scripts"):
        shutil.copytree(
            PROJECT_ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


def terminal_env(**settings: str) -> dict[str, str]:
    """A second terminal's environment plus `settings`."""
    env = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    return {**env, "PYTHONUNBUFFERED": "1", **settings}


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "server", *args]
