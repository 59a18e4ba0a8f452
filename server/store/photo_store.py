"""Where the bytes of photos and signatures live: one small interface, two stores.

The ``attachment_blob`` row is the index of stored bytes whatever the store (its sha256,
mime, size and age: what visibility, the sync merge, the quota and the purge read); a
``PhotoStore`` keeps the bytes themselves:

- ``FileStore``: content-addressed files under ``DATA_DIR/photos`` in fan-out folders
  (``ab/cd/<sha256>``). A file is written to a temporary name in its own folder, fsynced,
  read back and checked against its sha256, then renamed into place (``os.replace``) and
  the folder fsynced: a name that is a sha256 only ever holds those bytes, whole, so a
  half-written file is never served (and ``open`` checks the hash again before serving).
  Files are immutable: written once per hash, deleted only when no row names them.
- ``DatabaseStore``: the row's ``content`` column (today's store, the one several hosts
  sharing nothing but PostgreSQL need). An empty ``content`` means "not in the database"
  (a stored photo is never empty: uploads refuse empty bodies).

``STEWARDSYNC_PHOTO_STORE`` chooses the store new bytes go to (``Settings.resolved_photo_store``);
reads look in the chosen store, then in the other, so a deployment half-way through
``stewardsync photos move`` serves every photo. An object store (S3 and alike) would be a
third class with these six methods; none is built.

Callers serialise writes of one hash (the upload's and the purge's write transactions, the
per-hash advisory lock on PostgreSQL), so ``put`` and ``delete`` need no locks of their own.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from server.settings import Settings
from server.store.sync_storage import Conn, read_snapshot

log = logging.getLogger("stewardsync.photos")

HASH_NAME = re.compile(r"^[0-9a-f]{64}$")
TEMP_SUFFIX = ".tmp"


class PhotoStore(Protocol):
    """The bytes of photos by sha256. ``conn`` is the caller's transaction (the database
    store writes through it; the file store ignores it)."""

    name: str  # "files" or "database"

    async def put(self, conn: Conn, sha256: str, content: bytes) -> bool:
        """Keep ``content`` (whose sha256 the caller verified) under ``sha256``; True when
        written now, False when the store already held those bytes. ``OSError`` when the
        store cannot keep them (nothing is then kept under that hash)."""
        ...

    async def has(self, conn: Conn, sha256: str) -> bool:
        ...

    async def open(self, conn: Conn, sha256: str) -> bytes | None:
        """The bytes, checked against their hash; None when absent (or damaged: logged)."""
        ...

    async def size(self, conn: Conn, sha256: str) -> int | None:
        ...

    async def delete(self, conn: Conn, sha256s: Sequence[str]) -> int:
        """Drop the bytes of ``sha256s`` from this store (no row names them any more, or
        they were moved to the other store); missing ones are skipped. Returns how many went."""
        ...

    def hashes(self, conn: Conn) -> AsyncIterator[str]:
        """Every sha256 this store holds bytes for."""
        ...


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class FileStore:
    """Content-addressed files in a folder (``ab/cd/<sha256>``)."""

    name = "files"

    def __init__(self, root: Path):
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put(self, conn: Conn, sha256: str, content: bytes) -> bool:
        try:
            return await asyncio.to_thread(self.write, sha256, content)
        except OSError as exc:
            log.error("photo %s not written to %s: %s", sha256, self.root, exc)
            raise  # answered as storage trouble (a full disk: 507 storage_full): the phone retries

    def write(self, sha256: str, content: bytes) -> bool:
        """Synchronous ``put`` (also used by the move command and restores)."""
        if sha256_of(content) != sha256:
            raise ValueError(f"content does not match {sha256}")
        final = self.path(sha256)
        if self.read(sha256) is not None:
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{sha256}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            with temp.open("xb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            if sha256_of(temp.read_bytes()) != sha256:
                raise OSError(f"the bytes written to {temp} do not read back as {sha256}")
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)
        _fsync_dir(final.parent)
        return True

    def read(self, sha256: str) -> bytes | None:
        """Synchronous ``open``."""
        try:
            content = self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None
        if sha256_of(content) != sha256:
            log.error("photo file %s is damaged (its bytes do not match its name): not served",
                      self.path(sha256))
            return None
        return content

    async def has(self, conn: Conn, sha256: str) -> bool:
        return await self.size(conn, sha256) is not None

    async def open(self, conn: Conn, sha256: str) -> bytes | None:
        return await asyncio.to_thread(self.read, sha256)

    async def size(self, conn: Conn, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    async def delete(self, conn: Conn, sha256s: Sequence[str]) -> int:
        return await asyncio.to_thread(self.remove, sha256s)

    def remove(self, sha256s: Sequence[str]) -> int:
        gone = 0
        for sha256 in sha256s:
            try:
                self.path(sha256).unlink()
                gone += 1
            except FileNotFoundError:
                pass
        return gone

    async def hashes(self, conn: Conn) -> AsyncIterator[str]:
        for sha256 in await asyncio.to_thread(lambda: list(self.names())):
            yield sha256

    def names(self) -> Iterator[str]:
        """The hashes of the files in the folder (temporary files left out)."""
        for path in self.files():
            if HASH_NAME.match(path.name):
                yield path.name

    def files(self) -> Iterator[Path]:
        """Every file in the fan-out folders (temporary ones included)."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if second.is_dir():
                    yield from sorted(p for p in second.iterdir() if p.is_file())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DatabaseStore:
    """The bytes in ``attachment_blob.content`` (the row itself is the caller's)."""

    name = "database"

    async def put(self, conn: Conn, sha256: str, content: bytes) -> bool:
        if await self.size(conn, sha256) == len(content):
            return False
        await conn.execute("UPDATE attachment_blob SET content = ? WHERE sha256 = ?", content, sha256)
        return True

    async def has(self, conn: Conn, sha256: str) -> bool:
        return await self.size(conn, sha256) is not None

    async def open(self, conn: Conn, sha256: str) -> bytes | None:
        row = await conn.fetchrow("SELECT content FROM attachment_blob WHERE sha256 = ?", sha256)
        if row is None or not row[0]:
            return None
        content = bytes(row[0])
        if sha256_of(content) != sha256:
            log.error("photo %s in the database is damaged (its bytes do not match): not served", sha256)
            return None
        return content

    async def size(self, conn: Conn, sha256: str) -> int | None:
        row = await conn.fetchrow(f"SELECT {length_sql(conn)}(content) FROM attachment_blob WHERE sha256 = ?",
                                  sha256)
        return int(row[0]) if row and row[0] else None

    async def delete(self, conn: Conn, sha256s: Sequence[str]) -> int:
        gone = 0
        for chunk in conn.chunks(list(sha256s)):
            where, params = conn.in_list("sha256", chunk)
            row = await conn.fetchrow(
                f"SELECT COUNT(*) FROM attachment_blob WHERE {where} AND {length_sql(conn)}(content) > 0", *params)
            gone += int(row[0]) if row else 0
            await conn.execute(f"UPDATE attachment_blob SET content = ? WHERE {where}", b"", *params)
        return gone

    async def hashes(self, conn: Conn) -> AsyncIterator[str]:
        for row in await conn.fetch(
                f"SELECT sha256 FROM attachment_blob WHERE {length_sql(conn)}(content) > 0 ORDER BY sha256"):
            yield row[0]


def length_sql(conn: Conn) -> str:
    return "octet_length" if conn.postgres else "length"


def store_named(name: str, settings: Settings) -> PhotoStore:
    return FileStore(settings.photos_dir) if name == "files" else DatabaseStore()


_chosen: PhotoStore = DatabaseStore()
_other: PhotoStore = FileStore(Path("./data/photos"))
_files = FileStore(Path("./data/photos"))  # the configured folder, whichever store is chosen


def configure(settings: Settings) -> None:
    """Choose the store new bytes go to, from the settings (``server.db.connect`` calls it)."""
    global _chosen, _other, _files
    name = settings.resolved_photo_store
    _chosen = store_named(name, settings)
    _other = store_named("database" if name == "files" else "files", settings)
    _files = FileStore(settings.photos_dir)


def files() -> FileStore:
    """The file store of the configured folder (chosen or not)."""
    return _files


def chosen() -> PhotoStore:
    """The store new bytes go to."""
    return _chosen


def both() -> tuple[PhotoStore, PhotoStore]:
    """The chosen store, then the other one (where reads look second)."""
    return _chosen, _other


async def read_any(conn: Conn, sha256: str) -> bytes | None:
    """The bytes of ``sha256`` from whichever store holds them (the chosen one first)."""
    for store in both():
        content = await store.open(conn, sha256)
        if content is not None:
            return content
    return None


async def stored_bytes(sha256: str) -> bytes | None:
    """The bytes of a stored photo, from whichever store holds them (commands, tests)."""
    async with read_snapshot() as conn:
        return await read_any(conn, sha256)


async def held_anywhere(conn: Conn, sha256: str, size: int) -> bool:
    """Some store holds ``size`` bytes for ``sha256`` (a torn copy does not count)."""
    for store in both():
        if await store.size(conn, sha256) == size:
            return True
    return False


LOCK_NAME = ".backup-lock"
"""A backup holds this file's shared lock (``flock``) from before its database snapshot until
its last photo file is copied; whatever deletes photo files (the purge, the move to the
database, the orphan sweep) takes it exclusively, so no file a snapshot names goes away
before the backup has copied it."""


@contextmanager
def _locked(root: Path, mode: int) -> Iterator[bool]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK_NAME).open("a") as f:
        try:
            fcntl.flock(f, mode)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def backup_running(root: Path) -> AbstractContextManager[bool]:
    """Held by a backup: file deletions wait (or are skipped) meanwhile."""
    return _locked(root, fcntl.LOCK_SH)


def no_backup_running(*, wait: bool = False) -> AbstractContextManager[bool]:
    """Yields True with the right to delete photo files (no backup is copying them);
    False at once when a backup runs and ``wait`` is false."""
    return _locked(_files.root, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
