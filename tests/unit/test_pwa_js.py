"""The phone app's pure JavaScript logic (outbox, HLC, backoff, schedule, intents, My
records) under ``node --test``, run from pytest so CI runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def test_node_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is required under CI=true")
        pytest.skip("node not installed")
    tests = sorted(str(p) for p in (WEB / "static" / "app" / "tests").glob("*.test.js"))
    assert tests, "no JS tests found"
    run = subprocess.run([node, "--test", *tests], cwd=WEB, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
