"""The photo files in operations: copied by backups, put back by restores, checked by the
integrity check, moved between stores (``stewardsync photos move``) and swept of orphans.

Every step verifies each file against its sha256 (its name): damaged bytes are never
copied, restored or moved as if they were good.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import msgspec

from server.ops import OpsError
from server.store import photo_store
from server.store.attachments import UNREFERENCED_DAYS, lock_hash
from server.store.photo_store import TEMP_SUFFIX, DatabaseStore, FileStore, length_sql
from server.store.sync_storage import read_snapshot, write_transaction

MOVE_BATCH = 50


def backup_folder(backup: Path) -> Path:
    """Where a backup at ``backup`` keeps its photo files (beside it: ``NAME.photos``)."""
    return backup.with_name(backup.name + ".photos")


def copy_files(source: FileStore, target: FileStore) -> int:
    """Copy every photo file of ``source`` into ``target`` (same layout), each verified;
    a damaged one stops the copy. Returns the files copied."""
    copied = 0
    for sha256 in source.names():
        content = source.read(sha256)
        if content is None:
            raise OpsError(f"photo file {source.path(sha256)} is damaged (its bytes do not match its name)")
        target.write(sha256, content)
        copied += 1
    return copied


def backup_photos(photos_dir: Path, target: Path) -> int:
    """Copy the photo files into ``target``'s photo folder. Called after the database
    snapshot, under ``photo_store.backup_running``: files are immutable and named by their
    hash, and none is deleted while the lock is held, so every file the snapshot names is
    still there (files uploaded since are copied too: harmless extras no row names)."""
    folder = backup_folder(target)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    source = FileStore(photos_dir)
    if not any(True for _ in source.names()):
        return 0
    try:
        copied = copy_files(source, FileStore(partial))
        partial.replace(folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return copied


def restore_photos(source: Path, photos_dir: Path) -> int:
    """Put the photo files of the backup at ``source`` (if it has any) into ``photos_dir``."""
    folder = backup_folder(source)
    if not folder.is_dir():
        return 0
    return copy_files(FileStore(folder), FileStore(photos_dir))


class Moved(msgspec.Struct):
    to: str
    moved: int  # hashes whose bytes went to the target store in this run
    unreadable: list[str]  # hashes whose bytes are missing or damaged in the source store
    cleaned: int  # leftover copies dropped from the source (an earlier run stopped midway)


async def move_photos(settings_photos_dir: Path, to: str, *, batch: int = MOVE_BATCH) -> Moved:
    """Move every photo's bytes into the ``to`` store (``files`` or ``database``), a batch at
    a time: read and verify each, write it to the target (verified again), commit, then drop
    it from the source. Online (readers look in both stores), idempotent and resumable: a
    run that stops anywhere leaves every photo readable, and the next run goes on."""
    files, database = FileStore(settings_photos_dir), DatabaseStore()
    if to not in ("files", "database"):
        raise OpsError(f"unknown photo store {to!r}: expected files or database")
    moved, unreadable, after = 0, [], ""
    source_sql = "> 0" if to == "files" else "= 0"
    while True:
        async with read_snapshot() as conn:
            shas = [r[0] for r in await conn.fetch(
                f"SELECT sha256 FROM attachment_blob WHERE sha256 > ? AND {length_sql(conn)}(content) {source_sql} "
                "ORDER BY sha256 LIMIT ?", after, batch)]
            if not shas:
                break
            after = shas[-1]
            if to == "files":
                contents = {sha: await database.open(conn, sha) for sha in shas}
        if to == "database":
            contents = {sha: await asyncio.to_thread(files.read, sha) for sha in shas}
        good = {sha: content for sha, content in contents.items() if content is not None}
        unreadable += [sha for sha, content in contents.items() if content is None]
        if to == "files":
            for sha, content in good.items():
                await asyncio.to_thread(files.write, sha, content)
            async with write_transaction() as conn:
                for sha in sorted(good) if conn.postgres else ():
                    await lock_hash(conn, sha)
                await database.delete(conn, sorted(good))
        else:
            async with write_transaction() as conn:
                for sha in sorted(good):
                    if conn.postgres:
                        await lock_hash(conn, sha)
                    await database.put(conn, sha, good[sha])
            with photo_store.no_backup_running(wait=True):
                await asyncio.to_thread(files.remove, sorted(good))
        moved += len(good)
    cleaned = await _drop_leftover_files(files) if to == "database" else 0
    return Moved(to=to, moved=moved, unreadable=unreadable, cleaned=cleaned)


async def _drop_leftover_files(files: FileStore) -> int:
    """Files whose bytes the database holds already (a move stopped after its commit)."""
    names = await asyncio.to_thread(lambda: list(files.names()))
    held: list[str] = []
    async with read_snapshot() as conn:
        for chunk in conn.chunks(names):
            where, params = conn.in_list("sha256", chunk)
            held += [r[0] for r in await conn.fetch(
                f"SELECT sha256 FROM attachment_blob WHERE {where} AND {length_sql(conn)}(content) > 0", *params)]
    with photo_store.no_backup_running(wait=True):
        return await asyncio.to_thread(files.remove, held)


async def sweep_orphan_files(files: FileStore, days: float = UNREFERENCED_DAYS) -> int:
    """Delete photo files no ``attachment_blob`` row names, older than ``days`` (written by
    an upload whose transaction then failed), and temporary files as old. Each hash is
    checked and deleted under the write lock (and its upload lock on PostgreSQL), so an
    upload reusing the file meanwhile keeps it. Skipped while a backup runs."""
    cutoff = time.time() - days * 86400
    old = [p for p in await asyncio.to_thread(lambda: list(files.files())) if p.stat().st_mtime < cutoff]
    temps = [p for p in old if p.name.endswith(TEMP_SUFFIX)]
    candidates = sorted(p.name for p in old if p not in temps and photo_store.HASH_NAME.match(p.name))
    gone = 0
    with photo_store.no_backup_running() as free:
        if not free:
            return 0
        for path in temps:
            path.unlink(missing_ok=True)
            gone += 1
        for start in range(0, len(candidates), MOVE_BATCH):
            chunk = candidates[start:start + MOVE_BATCH]
            async with write_transaction() as conn:
                for sha in chunk if conn.postgres else ():
                    await lock_hash(conn, sha)
                where, params = conn.in_list("sha256", chunk)
                named = {r[0] for r in await conn.fetch(f"SELECT sha256 FROM attachment_blob WHERE {where}", *params)}
                gone += files.remove([sha for sha in chunk if sha not in named])
    return gone

