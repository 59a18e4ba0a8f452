"""The SQLite connections the sync paths keep: reuse, and checkpoints off the commit path."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.store import sqlite_pool


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "pool.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (n INTEGER)")
    yield str(path)
    sqlite_pool.close(str(path))


async def write(path: str, n: int) -> None:
    async with sqlite_pool.borrowed(path, 5, writer=True) as conn:
        await conn.execute("BEGIN IMMEDIATE")
        await conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(n)])
        await conn.execute("COMMIT")


async def test_the_writer_is_kept_and_never_checkpoints_on_commit(database: str) -> None:
    await write(database, 10)
    async with sqlite_pool.borrowed(database, 5, writer=True) as first:
        assert (await first.execute_fetchall("PRAGMA wal_autocheckpoint")) == [(0,)]
    async with sqlite_pool.borrowed(database, 5, writer=True) as again:
        assert again is first


async def test_a_background_checkpoint_moves_each_write_into_the_database_file(
        database: str, tmp_path: Path) -> None:
    pool = sqlite_pool._pool(database, 5)
    for _ in range(5):
        await write(database, 2000)
        assert pool.checkpoint is not None
        await pool.checkpoint  # a write while one runs starts none; the next write will
    await write(database, 1)
    assert pool.checkpoint is not None
    await pool.checkpoint
    # the database file alone, without its WAL, holds every write
    alone = tmp_path / "alone.db"
    shutil.copy(database, alone)
    with sqlite3.connect(alone) as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 10_001


async def test_a_reader_sees_commits_of_other_connections(database: str) -> None:
    async with sqlite_pool.borrowed(database, 5, writer=False) as reader:
        assert (await reader.execute_fetchall("SELECT COUNT(*) FROM t")) == [(0,)]
    with sqlite3.connect(database) as other:  # another process would do the same
        other.execute("INSERT INTO t VALUES (1)")
    async with sqlite_pool.borrowed(database, 5, writer=False) as same:
        assert same is reader
        assert (await same.execute_fetchall("SELECT COUNT(*) FROM t")) == [(1,)]
