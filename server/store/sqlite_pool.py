"""SQLite connections kept open for the sync paths, run on worker threads.

Opening a connection per transaction costs a thread and a cold page cache every time: a
push then reads the B-tree pages it touches from the operating system again. Here each
database file has one writer connection (writes are serialized by the writer gate anyway)
and a few idle readers, reused across transactions; a connection is used by one
transaction at a time and its calls run on a small shared thread pool, so the event loop
never blocks on the file. SQLite notices changes made by other connections and processes
itself (WAL index), so a kept connection never reads stale pages.

The writer never checkpoints on commit (SQLite's default stalls the committing push for
tens of milliseconds every few pushes); after each write transaction a PASSIVE checkpoint
runs on a pool thread, off the request's path. Transactions borrow a connection
(``borrowed``); a connection that failed with anything but an
ordinary constraint or lock error is closed rather than given back. ``close(path)`` closes
them all (``server.db.disconnect``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Callable, TypeVar

T = TypeVar("T")
log = logging.getLogger("stewardsync.db")

MAX_IDLE_READERS = 4
_threads = ThreadPoolExecutor(max_workers=MAX_IDLE_READERS + 1, thread_name_prefix="sqlite")


class Connection:
    """One ``sqlite3`` connection (autocommit mode: transactions are explicit) whose calls
    run on the pool's threads, never two at once."""

    def __init__(self, raw: sqlite3.Connection):
        self._raw = raw

    async def _run(self, call: Callable[[], T]) -> T:
        running = asyncio.get_running_loop().run_in_executor(_threads, call)
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            # the call goes on in its thread: let it end before anyone (the rollback) uses
            # this connection again, so that a connection never runs two calls at once
            await asyncio.wait([running])
            raise

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self._run(partial(self._raw.execute, sql, params))

    async def execute_fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return await self._run(lambda: self._raw.execute(sql, params).fetchall())

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._run(partial(self._raw.executemany, sql, rows))

    @property
    def in_transaction(self) -> bool:
        return self._raw.in_transaction

    def close(self) -> None:
        self._raw.close()


class _Pool:
    def __init__(self, path: str, timeout: float):
        self.path, self.timeout = path, timeout
        self.writer: Connection | None = None
        self.readers: list[Connection] = []
        self.lock = threading.Lock()
        self.checkpoint: asyncio.Future[None] | None = None

    def open(self) -> Connection:
        raw = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                              check_same_thread=False)
        return Connection(raw)

    def open_writer(self) -> Connection:
        conn = self.open()
        # the writer's commits never checkpoint (a 30 ms stall every few pushes): the WAL
        # is copied into the database in the background after each write (``_checkpoint``)
        conn._raw.execute("PRAGMA wal_autocheckpoint = 0")
        return conn

    def run_checkpoint(self) -> None:
        """Copy what the WAL holds into the database without blocking readers or the
        writer (PASSIVE: frames still needed by a reader's snapshot wait for the next)."""
        try:
            with contextlib.closing(sqlite3.connect(self.path, timeout=self.timeout)) as raw:
                raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the next write tries again
            log.warning("background checkpoint of %s failed: %s", self.path, exc)


def _checkpoint(pool: _Pool) -> None:
    """After a write: start a background checkpoint unless one is running."""
    if pool.checkpoint is None or pool.checkpoint.done():
        pool.checkpoint = asyncio.get_running_loop().run_in_executor(_threads, pool.run_checkpoint)


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(path: str, timeout: float) -> _Pool:
    with _pools_lock:
        pool = _pools.get(path)
        if pool is None:
            pool = _pools[path] = _Pool(path, timeout)
        return pool


def _reusable(exc: BaseException | None) -> bool:
    """Whether a connection that saw ``exc`` may serve the next transaction."""
    if exc is None:
        return True
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "locked" in text or "busy" in text
    return not isinstance(exc, sqlite3.Error)  # errors of ours (a rejected batch) are fine


async def _take_writer(path: str, timeout: float) -> Connection:
    """The writer connection of ``path`` (the caller holds the writer gate)."""
    pool = _pool(path, timeout)
    with pool.lock:
        conn, pool.writer = pool.writer, None
    return conn or await asyncio.get_running_loop().run_in_executor(_threads, pool.open_writer)


def _give_writer(path: str, conn: Connection, exc: BaseException | None) -> None:
    pool = _pools.get(path)  # None once ``close(path)`` ran
    if pool is not None and _reusable(exc) and not conn.in_transaction:
        with pool.lock:
            if pool.writer is None:
                pool.writer = conn
                return
    conn.close()


async def _take_reader(path: str, timeout: float) -> Connection:
    pool = _pool(path, timeout)
    with pool.lock:
        conn = pool.readers.pop() if pool.readers else None
    return conn or await asyncio.get_running_loop().run_in_executor(_threads, pool.open)


def _give_reader(path: str, conn: Connection, exc: BaseException | None) -> None:
    pool = _pools.get(path)  # None once ``close(path)`` ran
    if pool is not None and _reusable(exc) and not conn.in_transaction:
        with pool.lock:
            if len(pool.readers) < MAX_IDLE_READERS:
                pool.readers.append(conn)
                return
    conn.close()


@asynccontextmanager
async def borrowed(path: str, timeout: float, *, writer: bool) -> AsyncIterator[Connection]:
    """The writer connection of ``path`` (the caller holds the writer gate) or a reader,
    given back afterwards (or closed, after an odd failure)."""
    conn = await (_take_writer if writer else _take_reader)(path, timeout)
    failure: BaseException | None = None
    try:
        yield conn
    except BaseException as exc:
        failure = exc
        raise
    finally:
        (_give_writer if writer else _give_reader)(path, conn, failure)
    if writer and path in _pools:
        _checkpoint(_pools[path])


def close(path: str) -> None:
    """Close every kept connection to ``path`` (connections in use close when given back)."""
    with _pools_lock:
        pool = _pools.pop(path, None)
    if pool is None:
        return
    with pool.lock:
        kept = [*pool.readers, *([pool.writer] if pool.writer else [])]
        pool.readers, pool.writer = [], None
    for conn in kept:
        conn.close()
