"""The two photo stores (STEWARDSYNC_PHOTO_STORE=files|database) on SQLite and PostgreSQL.

For each engine and store, in one run: N photos of SIZE bytes stored through the upload's
completion path (``server.store.attachments.store_bytes`` in a write transaction: the row,
the bytes put in the store, verified), then read back through the download's path
(``photo_store.read_any``, hash checked), then one ``stewardsync backup`` of the result;
each beside its floor measured in the same run on the same bytes:

- files: a bare write + fsync + rename of each photo into a scratch folder, a bare read;
- database: a bare INSERT of each photo's bytes into a scratch table in its own
  transaction, a bare SELECT.

Usage: .venv/bin/python bench/bench_photo_store.py [--photos N] [--size BYTES] [--engines sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.bench_queue import scratch_postgres
from server import db as database
from server.clock import now_iso
from server.ops.backup import backup
from server.settings import Settings
from server.store import photo_store
from server.store.attachments import store_bytes
from server.store.sync_storage import read_snapshot, write_transaction


def photos(n: int, size: int) -> list[tuple[str, bytes]]:
    made = []
    for i in range(n):
        body = b"\xff\xd8\xff\xe0" + i.to_bytes(8, "big") + os.urandom(size - 14) + b"\xff\xd9"
        made.append((hashlib.sha256(body).hexdigest(), body))
    return made


async def timed(work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def bare_files(folder: Path, shots: list[tuple[str, bytes]]) -> tuple[float, float]:
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for sha, body in shots:
        temp = folder / f".{sha}.tmp"
        with temp.open("wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, folder / sha)
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    for sha, _ in shots:
        (folder / sha).read_bytes()
    return wrote, time.perf_counter() - started


async def bare_database(shots: list[tuple[str, bytes]]) -> tuple[float, float]:
    async with write_transaction() as conn:
        await conn.execute("CREATE TABLE bench_blob (sha256 VARCHAR(64) PRIMARY KEY, content BYTEA NOT NULL)")
    started = time.perf_counter()
    for sha, body in shots:
        async with write_transaction() as conn:
            await conn.execute("INSERT INTO bench_blob (sha256, content) VALUES (?, ?)", sha, body)
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    for sha, _ in shots:
        async with read_snapshot() as conn:
            await conn.fetchrow("SELECT content FROM bench_blob WHERE sha256 = ?", sha)
    read = time.perf_counter() - started
    async with write_transaction() as conn:
        await conn.execute("DROP TABLE bench_blob")
    return wrote, read


async def measure(label: str, settings: Settings, shots: list[tuple[str, bytes]], scratch: Path) -> None:
    engine = await database.connect(settings)
    try:
        if settings.engine_kind == "sqlite":
            await database.migrate()

        async def put_all() -> None:
            for sha, body in shots:
                async with write_transaction() as conn:
                    await store_bytes(conn, sha, body, now_iso())

        async def read_all() -> None:
            for sha, body in shots:
                async with read_snapshot() as conn:
                    assert await photo_store.read_any(conn, sha) == body

        put = await timed(put_all)
        read = await timed(read_all)
        if settings.resolved_photo_store == "files":
            floor_put, floor_read = await asyncio.to_thread(bare_files, scratch / "bare", shots)
        else:
            floor_put, floor_read = await bare_database(shots)
    finally:
        await database.disconnect(engine)
    started = time.perf_counter()
    info = await asyncio.to_thread(backup, settings, scratch / "bench.backup")
    backup_s = time.perf_counter() - started
    n, mb = len(shots), sum(len(b) for _, b in shots) / 1e6
    print(f"{label:<22} store {n / put:7.0f} photos/s ({mb / put:6.1f} MB/s)  floor {n / floor_put:7.0f}/s | "
          f"read {n / read:7.0f}/s  floor {n / floor_read:7.0f}/s | backup {backup_s:5.2f} s "
          f"({info.bytes / 1e6:.1f} MB file, {info.photos} photo files)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    shots = photos(args.photos, args.size)
    print(f"{args.photos} photos of {args.size} bytes")
    for kind in args.engines.split(","):
        for store in ("files", "database"):
            scratch = Path(tempfile.mkdtemp(prefix="ss_photo_bench_"))
            try:
                if kind == "sqlite":
                    settings = Settings(data_dir=scratch, secret_key="bench", log_level="WARNING", photo_store=store)
                    await measure(f"SQLite / {store}", settings, shots, scratch)
                else:
                    async with scratch_postgres("ss_photo_bench") as (_, pg):
                        await measure(f"PostgreSQL / {store}", pg.with_(data_dir=scratch, photo_store=store),
                                      shots, scratch)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
