"""Online backups: a consistent copy taken while phones keep pushing.

- SQLite: sqlite3's online backup API copies every page in one step inside one read
  transaction, so the copy is a single consistent snapshot (WAL content included) and
  writers are not blocked (WAL mode). The copy is checked (``PRAGMA integrity_check``) and
  switched to rollback-journal mode so the backup is one self-contained file.
- PostgreSQL: ``pg_dump --format=custom``, which reads everything in one snapshot.

Either way the backup is written beside ``PATH`` and renamed into place only when
complete, so a failed or interrupted backup never leaves a truncated file at ``PATH``.

Photo files (the files store, ``DATA_DIR/photos``) go to the folder ``PATH.photos``, copied
AFTER the database snapshot and each checked against its hash: files are immutable and
content-addressed, and nothing deletes one while the backup holds the photo folder's lock
(``server.store.photo_store.backup_running``), so every file the snapshot names is copied,
however many uploads run meanwhile (``PATH.photos`` is complete before ``PATH`` appears).
Photos kept in the database are in the snapshot itself.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import msgspec

from server.db import make_engine
from server.ops import OpsError
from server.ops.photos import backup_folder, backup_photos
from server.store.photo_store import backup_running
from server.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupInfo(msgspec.Struct):
    engine: str
    path: str
    bytes: int
    seconds: float
    photos: int = 0  # photo files copied to PATH.photos


def sqlite_path(settings: Settings) -> Path:
    return Path(make_engine(settings.resolved_database_url).path)  # type: ignore[attr-defined]


def pg_client_args(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (for the command line) and the environment holding it."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.replace(f":{parts.password}@", "@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts._replace(scheme="postgresql")), env


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise OpsError(f"{name} not found: install PostgreSQL's client tools (Debian: postgresql-client)")
    return found


def backup(settings: Settings, target: Path) -> BackupInfo:
    """Write a consistent backup of the configured database to ``target``."""
    if target.exists() or backup_folder(target).exists():
        raise OpsError(f"{target} (or {backup_folder(target).name}) already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        with backup_running(settings.photos_dir):
            if settings.engine_kind == "sqlite":
                _backup_sqlite(sqlite_path(settings), partial)
            else:
                _backup_postgres(settings.resolved_database_url, partial)
            photos = backup_photos(settings.photos_dir, target)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(engine=settings.engine_kind, path=str(target), bytes=target.stat().st_size,
                      seconds=round(time.perf_counter() - started, 3), photos=photos)


def _backup_sqlite(source: Path, partial: Path) -> None:
    if not source.exists():
        raise OpsError(f"no database at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=-1)  # one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise OpsError(f"the backup copy failed its integrity check: {verdict}")
    except sqlite3.Error as exc:
        raise OpsError(f"SQLite backup failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _backup_postgres(url: str, partial: Path) -> None:
    dsn, env = pg_client_args(url)
    done = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                           f"--file={partial}", f"--dbname={dsn}"],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise OpsError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgres``, from the file's first bytes."""
    if not path.is_file():
        raise OpsError(f"no backup file at {path}")
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgres"
    raise OpsError(f"{path} is neither a SQLite backup nor a pg_dump custom-format archive")
