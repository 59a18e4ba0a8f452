"""docs/operations.md stays in step with the code: every setting is documented (and only
real ones), and every command it tells operators to run exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.cli import build_parser
from server.settings import documented

DOC = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()


def test_every_setting_is_documented_with_its_default() -> None:
    table = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(STEWARDSYNC_\w+)` \| ([^|]+) \|", DOC, re.M)}
    for variable, default, _doc in documented():
        assert variable in table, f"{variable} missing from the settings table"
        shown = table[variable].strip().strip("`")
        assert shown == default or (default == "" and shown == "(empty)"), (variable, shown, default)
    assert set(table) == {variable for variable, _, _ in documented()}


@pytest.mark.parametrize("command", [
    ["serve", "--workers", "4"], ["db", "upgrade"], ["backup", "x.db"], ["restore", "x.db"],
    ["check"], ["purge"], ["settings"],
])
def test_documented_commands_exist(command: list[str]) -> None:
    assert "stewardsync " + command[0] in DOC
    build_parser().parse_args(command)  # exits (SystemExit) on an unknown command or flag
