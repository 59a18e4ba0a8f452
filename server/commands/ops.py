"""``stewardsync backup PATH``, ``restore PATH``, ``check``, ``purge`` and ``photos move``.

The database is the one the settings name (``STEWARDSYNC_DATABASE_URL`` or the SQLite file
in ``STEWARDSYNC_DATA_DIR``; ``--database-url``/``--data-dir`` override). ``check`` prints
one line per problem on stderr and exits 1 when it finds any; a refusal (no such file, a
database that is not empty, pg_dump missing…) is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.commands import CommandError, add_command, common_options, with_database
from server.ops import OpsError
from server.ops.backup import backup
from server.ops.integrity import Report, run_check
from server.ops.photos import move_photos, sweep_orphan_files
from server.ops.restore import restore
from server.store.photo_store import FileStore
from server.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(subparsers, "backup", "write a consistent online backup of the database to PATH")
    p.add_argument("path", type=Path, help="backup file to create (must not exist)")
    p.set_defaults(run=run_backup)
    p = add_command(subparsers, "restore", "restore a backup into an empty database, then check it")
    p.add_argument("path", type=Path, help="a file written by `stewardsync backup`")
    p.set_defaults(run=run_restore)
    p = add_command(subparsers, "check", "verify that the change log, applied mutations, tables and photos agree")
    p.add_argument("--verify-photos", action="store_true",
                   help="also read every photo and check it against its sha256")
    p.set_defaults(run=run_check_command)
    p = add_command(subparsers, "photos", "photo storage: `photos move --to files|database`")
    moves = p.add_subparsers(dest="photos_command", required=True, metavar="move")
    m = moves.add_parser("move", parents=[common_options()], help="move every photo's bytes into one store "
                         "(idempotent, resumable, online; each hash verified)")
    m.add_argument("--to", required=True, choices=("files", "database"), help="the store to move into")
    m.set_defaults(run=run_photos_move)
    p = add_command(subparsers, "purge", "delete tombstones older than STEWARDSYNC_TOMBSTONE_DAYS "
                    "(run it daily from cron or a systemd timer)")
    p.set_defaults(run=run_purge)


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        info = backup(settings, args.path)
    except OpsError as refused:
        raise CommandError(str(refused)) from None
    print(f"backup written: {info.path} ({info.engine}, {info.bytes} bytes, {info.seconds} s)"
          + (f"; {info.photos} photo file(s) in {info.path}.photos" if info.photos else ""))
    return 0


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        info = restore(settings, args.path)
    except OpsError as refused:
        raise CommandError(str(refused)) from None
    print(f"restored {info.source} ({info.engine}); version clock {info.clock_before} -> "
          f"{info.clock_after}: phones resync and re-push what the backup lacks"
          + (f"; {info.photos} photo file(s) put back" if info.photos else ""))
    print("run `stewardsync db upgrade` (or `serve`) if the backup predates this version")
    return _print_report(with_database(settings, run_check, migrate=False))


def run_check_command(args: argparse.Namespace, settings: Settings) -> int:
    return _print_report(with_database(settings, lambda: run_check(verify_photos=args.verify_photos),
                                       migrate=False))


def run_photos_move(args: argparse.Namespace, settings: Settings) -> int:
    try:
        moved = with_database(settings, lambda: move_photos(settings.photos_dir, args.to), migrate=False)
    except OpsError as refused:
        raise CommandError(str(refused)) from None
    print(f"moved {moved.moved} photo(s) to {moved.to}"
          + (f"; dropped {moved.cleaned} leftover file(s)" if moved.cleaned else ""))
    for sha in moved.unreadable:
        print(f"photo {sha}: missing or damaged in the source store, not moved", file=sys.stderr)
    if settings.resolved_photo_store != args.to:
        print(f"set STEWARDSYNC_PHOTO_STORE={args.to} and restart the server so new photos go there too, "
              "then run this again to move what arrived meanwhile")
    return 1 if moved.unreadable else 0


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    from server.store.pull import purge_tombstones

    deleted = with_database(settings, lambda: purge_tombstones(settings.tombstone_days), migrate=False)
    print(f"purged {deleted} tombstone(s) older than {settings.tombstone_days} days")
    swept = with_database(settings, lambda: sweep_orphan_files(FileStore(settings.photos_dir)), migrate=False)
    print(f"swept {swept} photo file(s) no record names")
    return 0


def _print_report(report: Report) -> int:
    for problem in report.problems:
        print(problem.line(), file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1
