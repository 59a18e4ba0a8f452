"""``stewardsync db upgrade``: create or migrate the database schema."""

from __future__ import annotations

import argparse

from server import db
from server.commands import add_command, with_database
from server.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    group = add_command(subparsers, "db", "database schema")
    actions = group.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = add_command(actions, "upgrade", "apply every pending migration")
    upgrade.set_defaults(run=run_upgrade)


def run_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    applied = with_database(settings, db.migrate, migrate=False)
    where = db.redact(settings.resolved_database_url)
    print(f"database {where}: {len(applied)} migration(s) applied, schema up to date")
    return 0
