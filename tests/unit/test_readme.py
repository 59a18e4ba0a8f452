"""The README's two commands stay true: CI runs the very test command the README shows."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", text, flags=re.S)


def test_readme_opens_with_run_and_test_commands() -> None:
    commands = readme_commands()
    assert len(commands) >= 2
    run, test = commands[0], commands[1]
    assert "stewardsync serve --demo" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test = readme_commands()[1]
    # CI adds only quiet flags to the same steps
    normalized_ci = ci.replace(" -q", "").replace(" --no-audit --no-fund", "")
    assert test.strip() in normalized_ci
