"""``stewardsync settings``: every STEWARDSYNC_* setting with its default, value and doc."""

from __future__ import annotations

import argparse
import os

from server.commands import add_command
from server.settings import Settings, documented

SECRET = "STEWARDSYNC_SECRET_KEY"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "settings", "list the STEWARDSYNC_* settings")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    for variable, default, doc in documented():
        value = os.environ.get(variable)
        shown = "(set)" if value and variable == SECRET else value
        current = f" = {shown}" if value is not None else ""
        print(f"{variable}{current}  [default: {default or '(empty)'}]\n    {doc}")
    return 0
