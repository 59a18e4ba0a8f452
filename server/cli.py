"""The ``stewardsync`` command line.

Settings come from the STEWARDSYNC_* environment (``server.settings.load_settings``);
``--data-dir`` and ``--database-url`` and a command's own flags override them. A setting
or database the server cannot use ends the command with one line on stderr, not a
traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from server.commands import CommandError
from server.commands import db, demo, ledger, ops, serve, settings, users
from server.db import DatabaseUnavailable
from server.settings import Settings, SettingsError, database_kind, load_settings

COMMANDS = [serve, db, users, demo, ledger, settings, ops]
"""Command-group modules, each with ``register(subparsers)``."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stewardsync", description="StewardSync (楼管通): estate customer-service server")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    current = load_settings()
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "database_url", None) is not None:
        overrides["database_url"] = args.database_url
    current = current.with_(**overrides)
    database_kind(current.resolved_database_url)  # a bad URL fails here, before any work
    return current


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Piccolo warns on its own when it cannot connect; our one line says it better
    warnings.filterwarnings("ignore", message=r".*Unable to (connect to database|fetch server version)")
    try:
        return args.run(args, settings_from(args))
    except (SettingsError, DatabaseUnavailable, CommandError) as refused:
        print(f"stewardsync: error: {_one_line(refused)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
