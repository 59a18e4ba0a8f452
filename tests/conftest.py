"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

``engine_kind`` parametrizes every database test over both engines. PostgreSQL is at
``STEWARDSYNC_TEST_PG_URL`` (default postgresql://postgres@127.0.0.1:5432/test); when it
cannot be reached the PostgreSQL cases are skipped locally and fail under ``CI=true``.

Each test gets its own database copied from a migrated template (a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so tests never see each other's rows.

Use ``client`` for tests through HTTP (the app runs on the test's event loop, so the test
body may also call the query layer directly), and ``db`` for tests below the app.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from server import db as database
from server.settings import Settings

# The example capability's files (its own test included) run only inside a copy of the
# tree made by tests/integration/test_adding_a_capability.py, never from here.
collect_ignore = ["capability_example"]

PG_URL = os.environ.get("STEWARDSYNC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
_counter = itertools.count()


def pg_url_for(database_name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path="/" + database_name))


async def pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_reachable() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return f"PostgreSQL at {PG_URL} unreachable: {exc}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database on PostgreSQL (skip, or fail under CI, when absent)."""
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(problem + " (CI=true: PostgreSQL is required)")
        pytest.skip(problem)
    name = f"ss_tmpl_{os.getpid()}"

    async def build() -> None:
        await pg_admin(f"DROP DATABASE IF EXISTS {name}")
        await pg_admin(f"CREATE DATABASE {name}")
        settings = Settings(database_url=pg_url_for(name), secret_key="test")
        engine = await database.connect(settings)
        await database.migrate()
        await database.disconnect(engine)

    asyncio.run(build())
    yield name
    asyncio.run(pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite_template")
    settings = Settings(data_dir=folder, secret_key="test")

    async def build() -> None:
        engine = await database.connect(settings)
        await database.migrate()
        await database.disconnect(engine)

    asyncio.run(build())
    return folder / "stewardsync.db"


@pytest.fixture(params=["sqlite", "postgres"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings for a fresh migrated database of the parametrized engine."""
    if engine_kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "stewardsync.db")
        yield Settings(data_dir=tmp_path, secret_key="test-secret")
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"ss_t_{os.getpid()}_{next(_counter)}"
    asyncio.run(pg_admin(f"CREATE DATABASE {name} TEMPLATE {template_name}"))
    yield Settings(data_dir=tmp_path, database_url=pg_url_for(name), secret_key="test-secret")
    asyncio.run(pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """The fresh database, connected and bound to every table, for tests below the app."""
    engine = await database.connect(settings)
    try:
        yield settings
    finally:
        await database.disconnect(engine)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the app on a fresh database, running on the test's event loop."""
    from server.app import close_database, create_app, open_database

    app = create_app(settings, migrate=False)
    # The lifespan's own steps, run here: an async context manager entered in a fixture's
    # set-up task and left in its tear-down task upsets anyio's cancel scopes.
    await open_database(app, migrate=False)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http
    finally:
        await close_database(app)
