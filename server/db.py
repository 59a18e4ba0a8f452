"""The database engine: built from the settings, bound to every table, migrated.

SQLite runs in WAL mode with a busy timeout; PostgreSQL through an asyncpg pool.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.settings import Settings, SettingsError, database_kind
from server.tables import ALL_TABLES

os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")

log = logging.getLogger("stewardsync.db")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message is one line for people."""


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
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return PostgresEngine(config=config, extensions=())


def use_engine(engine: Engine) -> None:
    """Bind every table (and Piccolo's migration machinery) to ``engine``."""
    from server import piccolo_conf

    from piccolo.apps.migrations.tables import Migration

    piccolo_conf.DB = engine
    for table in (*ALL_TABLES, Migration):
        table._meta.db = engine


async def connect(settings: Settings) -> Engine:
    """Build the engine, bind it, open the pool and check the database answers."""
    engine = make_engine(settings.resolved_database_url)
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
    use_engine(engine)
    try:
        if isinstance(engine, PostgresEngine):
            await engine.start_connection_pool(min_size=1, max_size=settings.db_pool_size)
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
        from server.store import sqlite_pool

        sqlite_pool.close(str(engine.connection_kwargs["database"]))


async def migrate() -> list[str]:
    """Apply every pending migration; return the ids applied."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager

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
