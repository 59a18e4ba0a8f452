"""Writing the demo estate: one transaction, bulk statements on the driver's connection.

Every synced record gets the next server version from the ``sync_clock`` row (held locked
for the whole load) and one ``change_log`` row, exactly as if a phone had created it, so a
phone's first pull receives the whole estate. Loading is idempotent: when the demo
estate's fixed id is already there, nothing is written.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from piccolo.columns import JSON, Serial
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from server.auth.passwords import hash_password
from server.demo.build import DEFAULT_SEED, build_demo
from server.clock import iso
from server.demo.context import DAY_STARTS, DEMO_ESTATE_ID, stable_id
from server.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from server.store.fees import refresh_arrears
from server.store.sync_storage import write_transaction
from server.tables import (
    SYNCED_TABLES, BuildingAssignment, ChangeLog, CorrectiveAction, DutyRoster, Estate, FamiliarityAssessment,
    FamiliarityCheck, FeeBill, StaffEstate, StaffUser, SurveyCampaign, Ticket,
)
from sync.specs.tickets import number as ticket_number

log = logging.getLogger("stewardsync.demo")

SYNCED: tuple[type[Table], ...] = tuple(SYNCED_TABLES.values())
"""Synced tables in the order their records take server versions (every synced table;
the demo fills those it has rows for)."""
PLAIN: tuple[type[Table], ...] = (Estate, StaffUser, StaffEstate, BuildingAssignment, FeeBill, DutyRoster,
                                  SurveyCampaign, CorrectiveAction, FamiliarityAssessment, FamiliarityCheck)


class DemoLoad(msgspec.Struct, kw_only=True):
    loaded: bool  # False: the demo estate was already there and nothing was written
    counts: dict[str, int]  # rows written per table
    versions: tuple[int, int] = (0, 0)  # first and last server version handed out
    seconds: float = 0.0


async def load_demo(seed: int = DEFAULT_SEED, today: date | None = None,
                    timezone: str = "Asia/Shanghai") -> DemoLoad:
    """Load the demo estate into the bound database unless it is already there.

    With ``today`` the demo's "now" is 08:00 that day (reproducible); without it, the
    current minute, so that the estate looks live and nothing lies in the future."""
    started = time.perf_counter()
    if today is None:
        now = datetime.now(ZoneInfo(timezone))
        today, day_time = now.date(), now.time().replace(second=0, microsecond=0)
    else:
        day_time = DAY_STARTS
    password_hash = hash_password(DEMO_PASSWORD)
    engine: Engine = Estate._meta.db
    async with _transaction(engine) as conn:
        clock = await conn.lock_clock()
        if await conn.fetch("SELECT id FROM estate WHERE id = ?", DEMO_ESTATE_ID):
            log.info("demo estate already loaded", extra={"estate_id": DEMO_ESTATE_ID})
            return DemoLoad(loaded=False, counts={})
        usernames = [username for username, _role in DEMO_LOGINS]
        marks = ", ".join("?" * len(usernames))
        existing = {r["username"]: r["id"] for r in await conn.fetch(
            f"SELECT username, id FROM staff_user WHERE username IN ({marks})", *usernames)}
        rows = build_demo(seed, today, timezone, clock=day_time, existing_staff=existing,
                          password_hash=password_hash)
        changes = _version(rows, clock)
        rows[ChangeLog._meta.tablename] = changes
        counts = {}
        for table in (*PLAIN, *SYNCED, ChangeLog):
            name = table._meta.tablename
            counts[name] = await conn.insert_many(table, rows.get(name, []))
        last = clock + len(changes)
        await conn.execute("UPDATE sync_clock SET version = ? WHERE id = 1", last)
    async with write_transaction() as sync_conn:  # the arrears, made from the bills as an import makes them
        at = iso(datetime.combine(today, day_time, ZoneInfo(timezone)).astimezone(UTC))
        for estate in rows[Estate._meta.tablename]:
            await refresh_arrears(sync_conn, estate["id"], None, user_id="demo", now=at,
                                  new_id=lambda unit_id: stable_id("arrears", unit_id))
    result = DemoLoad(loaded=True, counts=counts, versions=(clock + 1, last),
                      seconds=round(time.perf_counter() - started, 3))
    log.info("demo estate loaded", extra={"estate_id": DEMO_ESTATE_ID, "rows": sum(counts.values()),
                                          "seconds": result.seconds})
    return result


def _version(rows: dict[str, list[dict[str, Any]]], clock: int) -> list[dict[str, Any]]:
    """Give every synced record the next version and every ticket its estate's next number
    (工单号, as the sync engine numbers them); return the change-log rows."""
    changes = []
    version = clock
    estates = {estate["id"]: estate for estate in rows.get(Estate._meta.tablename, [])}
    for table in SYNCED:
        name = table._meta.tablename
        for row in rows.get(name, []):
            version += 1
            row["version"] = version
            if table is Ticket:
                estate = estates[row["estate_id"]]
                estate["ticket_seq"] = estate.get("ticket_seq", 0) + 1
                row["number"] = ticket_number(estate["code"], estate["ticket_seq"])
            changes.append({"version": version, "collection": name, "record_id": row["id"],
                            "building_id": row["building_id"], "op": "create", "device_id": None,
                            "seq": None, "user_id": row["created_by"], "at": row["updated_at"]})
    return changes


class _Connection:
    """The driver connection of a Piccolo transaction, with ``?`` placeholders on both engines."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    def _sql(self, sql: str) -> str:
        if not self.postgres:
            return sql
        parts = sql.split("?")
        return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if self.postgres:
            return [dict(r) for r in await self.raw.fetch(self._sql(sql), *args)]
        cursor = await self.raw.execute(sql, args)
        return [dict(r) for r in await cursor.fetchall()]

    async def execute(self, sql: str, *args: Any) -> None:
        if self.postgres:
            await self.raw.execute(self._sql(sql), *args)
        else:
            await self.raw.execute(sql, args)

    async def lock_clock(self) -> int:
        """Create the clock row if absent and hold it until commit; its current version."""
        await self.execute("INSERT INTO sync_clock (id, version, purged_through) VALUES (1, 0, 0) "
                           "ON CONFLICT (id) DO NOTHING")
        lock = " FOR UPDATE" if self.postgres else ""
        rows = await self.fetch(f"SELECT version FROM sync_clock WHERE id = 1{lock}")
        return int(rows[0]["version"])

    async def insert_many(self, table: type[Table], rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        columns = [c for c in table._meta.columns if not isinstance(c, Serial)]
        names = [c._meta.db_column_name for c in columns]
        extra, missing = set(rows[0]) - set(names), set(names) - set(rows[0])
        if extra or missing:
            raise ValueError(f"demo rows of {table._meta.tablename}: extra {extra}, missing {missing}")
        json_columns = {c._meta.db_column_name for c in columns if isinstance(c, JSON)}
        quoted = ", ".join(f'"{n}"' for n in names)
        sql = self._sql(f'INSERT INTO "{table._meta.tablename}" ({quoted}) '
                        f"VALUES ({', '.join('?' * len(names))})")
        values = [tuple(_dump(row[n]) if n in json_columns else row[n] for n in names) for row in rows]
        await self.raw.executemany(sql, values)
        return len(rows)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@asynccontextmanager
async def _transaction(engine: Engine) -> AsyncIterator[_Connection]:
    postgres = isinstance(engine, PostgresEngine)
    transaction = engine.transaction() if postgres else engine.transaction(
        transaction_type=TransactionType.immediate)
    async with transaction as tx:
        yield _Connection(tx.connection, postgres)
