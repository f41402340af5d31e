"""The code base stays ruff-clean (style rules in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists() and not shutil.which("ruff"):
        pytest.skip("ruff is not installed (it comes with requirements-dev.txt)")
    done = subprocess.run(
        [str(ruff) if ruff.exists() else "ruff", "check", "."], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
