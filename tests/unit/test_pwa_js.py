"""The phone app's pure JavaScript logic (outbox, HLC, backoff, schedule, intents, My
records) under ``node --test``, run from pytest so CI runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def test_node_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node/npm are required under CI=true")
        pytest.skip("npm not installed")
    assert sorted((WEB / "static" / "app" / "tests").glob("*.test.js")), "no JS tests found"
    # the JS tests read the served schema through this Python (web/static/app/tests/served.js)
    env = {**os.environ, "STEWARDSYNC_PYTHON": sys.executable}
    run = subprocess.run([npm, "test", "--prefix", str(WEB)], capture_output=True, text=True, timeout=180, env=env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
