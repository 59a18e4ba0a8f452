"""The database engine: built from the settings, bound to every table, migrated.

SQLite runs in WAL mode with a busy timeout; PostgreSQL through an asyncpg pool. Piccolo's
own machinery (migrations, its CLI) finds the engine through ``server.piccolo_conf``, which
asks ``bound_engine()``: this module does not import that one.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.settings import Settings, SettingsError, database_kind, load_settings
from server.store import photo_store, sqlite_pool
from server.tables import ALL_TABLES, VIEWS

os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")

log = logging.getLogger("stewardsync.db")

_engine: Engine | None = None  # the engine bound last (``use_engine``)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message is one line for people."""


PLANNER_SETTINGS = {"random_page_cost": "1.1"}
"""Set on every PostgreSQL session of the app (asyncpg's startup ``server_settings``; they
survive the pool's ``RESET ALL``).

The working set is in RAM or on SSD, where a random page costs about what a sequential one
does. At PostgreSQL's default (4, priced for spinning disks) a fresh deployment went wrong:
after five executions PostgreSQL keeps a generic plan for a prepared statement, and the one
it made for a push's load by ``id = ANY($1)`` while ``finding`` was empty scanned the table
and compared every row with every id (a generic plan cannot hash the array). Kept while
pushes grew the table, it cost 570 ms per 1,000-row push at 20,000 rows, until autovacuum
analyzed the table. At 1.1 that plan reads the primary key (``tests/integration/
test_pg_planning.py``). Forcing a fresh plan per execution (``plan_cache_mode``) cured it
too but costs every statement its planning (HTTP pull 0.85x). docs/performance.md, "Planned
for the index"; docs/operations.md."""


async def _nothing_to_reset(connection: object) -> None:
    """What the pool runs on a connection handed back, after asyncpg has rolled back any
    transaction left open: nothing. The server keeps no session state on its connections (no
    ``SET``: ``PLANNER_SETTINGS`` are startup parameters; advisory locks only per transaction;
    no ``LISTEN``, no cursor outside a transaction), so asyncpg's default reset (``SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) would be one more round trip
    for every transaction, two per push."""


def make_engine(url: str) -> Engine:
    kind = database_kind(url)
    parts = urlsplit(url)
    if kind == "sqlite":
        path = Path(unquote(parts.path.removeprefix("/")) if parts.netloc == "" else parts.netloc + parts.path)
        if url.startswith("sqlite:////"):
            path = Path("/" + unquote(parts.path.lstrip("/")))
        return SQLiteEngine(path=str(path), timeout=30)
    if not parts.hostname or not parts.path.strip("/"):
        raise SettingsError(f"STEWARDSYNC_DATABASE_URL: expected postgresql://USER@HOST:PORT/DB, got {url!r}")
    config = {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "database": unquote(parts.path.strip("/")),
        "user": unquote(parts.username or "postgres"),
        "server_settings": dict(PLANNER_SETTINGS),
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return PostgresEngine(config=config, extensions=())


def use_engine(engine: Engine) -> None:
    """Bind every table (and Piccolo's migration machinery) to ``engine``."""
    global _engine
    _engine = engine
    for table in (*ALL_TABLES, *VIEWS, Migration):
        table._meta.db = engine


def bound_engine() -> Engine:
    """The engine ``use_engine`` bound last; before any, one built once from the settings
    (Piccolo's own CLI, run with ``PICCOLO_CONF=server.piccolo_conf``)."""
    global _engine
    if _engine is None:
        _engine = make_engine(load_settings().resolved_database_url)
    return _engine


async def connect(settings: Settings) -> Engine:
    """Build the engine, bind it, open the pool and check the database answers."""
    engine = make_engine(settings.resolved_database_url)
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
    use_engine(engine)
    photo_store.configure(settings)
    try:
        if isinstance(engine, PostgresEngine):
            await engine.start_connection_pool(min_size=1, max_size=settings.db_pool_size,
                                               reset=_nothing_to_reset)
            await engine.run_ddl("SELECT 1")
        else:
            await engine.run_ddl("PRAGMA journal_mode=WAL")
            await engine.run_ddl("SELECT 1")
    except (OSError, ConnectionError) as exc:
        raise DatabaseUnavailable(f"cannot reach the database {redact(settings.resolved_database_url)}: {exc}") from exc
    except Exception as exc:  # asyncpg / sqlite errors carry no common base class
        raise DatabaseUnavailable(f"cannot open the database {redact(settings.resolved_database_url)}: {exc}") from exc
    return engine


async def disconnect(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SQLiteEngine):
        sqlite_pool.close(str(engine.connection_kwargs["database"]))


async def migrate() -> list[str]:
    """Apply every pending migration; return the ids applied."""
    manager = ForwardsMigrationManager(app_name="server", migration_id="all", fake=False)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = await manager.run()
    log.info("migrations: %s", " | ".join(out.getvalue().split("\n")[-4:]).strip())
    if not result.success:
        raise DatabaseUnavailable(f"migration failed: {result.message}")
    return [line.strip() for line in out.getvalue().splitlines() if "[forwards]" in line]


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
