"""Restore a backup into an EMPTY database of the same engine, then start a new epoch.

The backup's photo files (``PATH.photos``, if any) are put back into ``DATA_DIR/photos``,
each checked against its hash; photos the backup kept in the database come with it.

A restored database has forgotten what happened after its backup, but the phones have
not: their pull cursors point at versions the restored server will hand out again for
other changes, and their devices' ``last_seq`` is ahead of the restored one. So after
copying the data, ``restore`` moves the version clock forward by ``RESTORE_GAP`` and sets
the tombstone horizon (``purged_through``) to the new clock: every cursor issued before
the restore is then behind the horizon, and the phone's next pull answers ``reset`` (drop
the cache, resync from scratch), after the phone has pushed its outbox. A phone's push
whose first seq is above the restored ``last_seq`` is answered ``seq_gap`` with the
expected seq; the phone re-sends the mutations it retained from there (docs/operations.md,
"Restoring"), and they apply exactly once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from pathlib import Path

import asyncpg
import msgspec

from server.ops import OpsError
from server.ops.backup import backup_kind, pg_client_args, pg_tool, sqlite_path
from server.ops.photos import restore_photos
from server.settings import Settings

RESTORE_GAP = 1_000_000_000
"""Versions skipped at a restore: more than a server hands out between two backups."""


class RestoreInfo(msgspec.Struct):
    engine: str
    source: str
    clock_before: int
    clock_after: int
    photos: int = 0  # photo files put back into DATA_DIR/photos


def restore(settings: Settings, source: Path) -> RestoreInfo:
    """Copy ``source`` into the configured (empty) database and open a new epoch."""
    kind = backup_kind(source)
    if kind != settings.engine_kind:
        raise OpsError(f"{source} is a {kind} backup but the configured database is {settings.engine_kind}; "
                       "restore into a database of the same engine")
    if kind == "sqlite":
        info = _restore_sqlite(source, sqlite_path(settings))
    else:
        info = _restore_postgres(source, settings.resolved_database_url)
    info.photos = restore_photos(source, settings.photos_dir)
    return info


def _restore_sqlite(source: Path, target: Path) -> RestoreInfo:
    if target.exists():
        with sqlite3.connect(target) as probe:
            tables = probe.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise OpsError(f"{target} is not empty ({tables} tables); restore into a new data folder")
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")
        before, after = _new_epoch_sqlite(dst)
    except sqlite3.Error as exc:
        raise OpsError(f"SQLite restore failed: {exc}") from exc
    finally:
        dst.close()
        src.close()
    return RestoreInfo(engine="sqlite", source=str(source), clock_before=before, clock_after=after)


def _new_epoch_sqlite(conn: sqlite3.Connection) -> tuple[int, int]:
    row = conn.execute("SELECT version FROM sync_clock WHERE id = 1").fetchone()
    before = int(row[0]) if row else 0
    after = before + RESTORE_GAP
    with conn:
        if row:
            conn.execute("UPDATE sync_clock SET version = ?, purged_through = ? WHERE id = 1", (after, after))
        else:
            conn.execute("INSERT INTO sync_clock (id, version, purged_through) VALUES (1, ?, ?)", (after, after))
    return before, after


def _restore_postgres(source: Path, url: str) -> RestoreInfo:
    async def tables() -> int:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await conn.fetchval("SELECT COUNT(*) FROM information_schema.tables "
                                       "WHERE table_schema = 'public'")
        finally:
            await conn.close()

    try:
        count = asyncio.run(tables())
    except (OSError, asyncpg.PostgresError) as exc:
        raise OpsError(f"cannot reach the target database: {exc}") from exc
    if count:
        raise OpsError(f"the target database is not empty ({count} tables); create an empty one first")
    dsn, env = pg_client_args(url)
    done = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                           "--single-transaction", f"--dbname={dsn}", str(source)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise OpsError(f"pg_restore failed: {lines[-1] if lines else done.returncode}")
    before, after = asyncio.run(_new_epoch_postgres(url))
    return RestoreInfo(engine="postgres", source=str(source), clock_before=before, clock_after=after)


async def _new_epoch_postgres(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        async with conn.transaction():
            before = await conn.fetchval("SELECT version FROM sync_clock WHERE id = 1 FOR UPDATE")
            after = int(before or 0) + RESTORE_GAP
            await conn.execute("INSERT INTO sync_clock (id, version, purged_through) VALUES (1, $1, $1) "
                               "ON CONFLICT (id) DO UPDATE SET version = $1, purged_through = $1", after)
        return int(before or 0), after
    finally:
        await conn.close()
