"""PostgreSQL restarted (and crashed) during a sync: the server process recovers on its own
(its connection pool replaces the dead connections; /health answers 503 while the database
is down and 200 after), the phones' retries succeed, and every mutation applies once.
Uses a throwaway cluster (tests/pgcluster.py) so the shared server is never touched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bench.load_phones import ServerProcess, Stats, verify
from server import db as database
from server.settings import Settings
from tests.integration.test_faults_sigkill import env_of, finish, phones_with_backlog
from tests.pgcluster import PgCluster

IN_CI = __import__("os").environ.get("CI", "").lower() == "true"


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    problem = PgCluster.available()
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    with PgCluster.create() as made:
        yield made


@pytest.fixture
async def cluster_db(cluster: PgCluster, tmp_path: Path) -> AsyncIterator[Settings]:
    """A migrated database on the throwaway cluster, bound to the tables."""
    settings = Settings(data_dir=tmp_path, database_url=cluster.createdb("faults"), secret_key="fault-secret")
    engine = await database.connect(settings)
    await database.migrate()
    yield settings
    try:
        await database.disconnect(engine)
    except Exception:  # noqa: BLE001 - its connections may have died with the cluster
        pass


async def rebind(settings: Settings):  # noqa: ANN201 - a Piccolo engine
    """A fresh pool for the test's own checks (its old connections died in the restart)."""
    return await database.connect(settings)


async def health(url: str) -> int:
    async with httpx.AsyncClient() as http:
        return (await http.get(url + "/health", timeout=10)).status_code


@pytest.mark.parametrize("how", ["restart", "crash"])
async def test_postgres_restart_during_sync(cluster: PgCluster, cluster_db: Settings, tmp_path: Path,
                                           how: str) -> None:
    server = ServerProcess(env_of(cluster_db), tmp_path / "server.log")
    await asyncio.to_thread(server.start)
    pid = server.process.pid if server.process else 0
    deadline = time.monotonic() + 120
    stats = Stats()
    try:
        async with httpx.AsyncClient() as http:
            phones = await phones_with_backlog(4, 300, server.url, http, deadline)
            pushes = [asyncio.create_task(p.push(http, stats, deadline, batch=50)) for p in phones]
            while sum(p.acknowledged for p in phones) < 100:
                await asyncio.sleep(0.002)
            if how == "restart":
                await asyncio.to_thread(cluster.restart)
            else:
                await asyncio.to_thread(cluster.kill)
                assert await health(server.url) == 503  # the database is down: not ready
                await asyncio.to_thread(cluster.start)
            await asyncio.gather(*pushes)
            await finish(phones, http, stats, deadline)
            assert await health(server.url) == 200
        assert server.process is not None and server.process.poll() is None
        assert server.process.pid == pid  # the same process recovered: no restart of its own
    finally:
        server.stop()
    print(f"PostgreSQL {how}: the phones saw {stats.errors}, retried {stats.retries} times")
    assert stats.retries > 0, "the restart should have failed some requests"
    engine = await rebind(cluster_db)
    try:
        assert await verify(phones) == []
    finally:
        await database.disconnect(engine)
