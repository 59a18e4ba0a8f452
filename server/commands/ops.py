"""``stewardsync backup PATH``, ``restore PATH``, ``check`` and ``purge``.

The database is the one the settings name (``STEWARDSYNC_DATABASE_URL`` or the SQLite file
in ``STEWARDSYNC_DATA_DIR``). Problems print one line each on stderr; the exit status is
0 when all is well, 1 when the check found problems, 2 when the operation could not run.
Also runnable alone: ``python -m server.commands.ops check``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from server import db
from server.ops.backup import OpsError, backup
from server.ops.integrity import Report, run_check
from server.ops.restore import restore
from server.settings import Settings, SettingsError, load_settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("backup", help="write a consistent online backup of the database to PATH")
    p.add_argument("path", type=Path, help="backup file to create (must not exist)")
    p.set_defaults(handler=backup_command, func=backup_command)
    p = subparsers.add_parser("restore", help="restore a backup into an empty database, then check it")
    p.add_argument("path", type=Path, help="a file written by `stewardsync backup`")
    p.set_defaults(handler=restore_command, func=restore_command)
    p = subparsers.add_parser("check", help="verify the change log, applied mutations and tables agree")
    p.set_defaults(handler=check_command, func=check_command)
    p = subparsers.add_parser("purge", help="delete tombstones older than STEWARDSYNC_TOMBSTONE_DAYS "
                              "(run daily from cron or a systemd timer)")
    p.set_defaults(handler=purge_command, func=purge_command)


def _guarded(action: Callable[[Settings], int]) -> int:
    try:
        return action(load_settings())
    except (SettingsError, db.DatabaseUnavailable, OpsError) as exc:
        print(f"stewardsync: {exc}", file=sys.stderr)
        return 2


def backup_command(args: argparse.Namespace) -> int:
    def run(settings: Settings) -> int:
        info = backup(settings, args.path)
        print(f"backup written: {info.path} ({info.engine}, {info.bytes} bytes, {info.seconds} s)")
        return 0

    return _guarded(run)


def restore_command(args: argparse.Namespace) -> int:
    def run(settings: Settings) -> int:
        info = restore(settings, args.path)
        print(f"restored {info.source} ({info.engine}); version clock {info.clock_before} -> "
              f"{info.clock_after}: phones resync and re-push what the backup lacks")
        return _print_report(asyncio.run(check(settings)))

    return _guarded(run)


def check_command(args: argparse.Namespace) -> int:
    return _guarded(lambda settings: _print_report(asyncio.run(check(settings))))


def purge_command(args: argparse.Namespace) -> int:
    async def run(settings: Settings) -> int:
        from server.store.pull import purge_tombstones

        engine = await db.connect(settings)
        try:
            return await purge_tombstones(settings.tombstone_days)
        finally:
            await db.disconnect(engine)

    def report(settings: Settings) -> int:
        deleted = asyncio.run(run(settings))
        print(f"purged {deleted} tombstone(s) older than {settings.tombstone_days} days")
        return 0

    return _guarded(report)


async def check(settings: Settings) -> Report:
    engine = await db.connect(settings)
    try:
        return await run_check()
    finally:
        await db.disconnect(engine)


def _print_report(report: Report) -> int:
    for problem in report.problems:
        print(problem.line(), file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stewardsync")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
