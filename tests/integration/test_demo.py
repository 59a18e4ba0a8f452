"""The demo estate: deterministic, idempotent, shaped like the handbook's estate, and
versioned like synced records (one change-log row per record, unique versions)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
from collections import Counter, defaultdict
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from schemas.vocab import TICKET_STATUSES, TicketKind, codes
from server import db as database
from server.clock import iso
from server.demo import DEMO_ESTATE_ID, DEMO_LOGINS, build_demo, load_demo
from server.settings import Settings
from server.store import staff
from server.tables import ALL_TABLES, SYNCED_TABLES, ChangeLog, StaffUser, SyncClock
from sync.lifecycle import TICKET
from sync.pricing import SEED_PRICES
from tests.conftest import pg_admin, pg_url_for

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T00:00:00.000Z"  # 08:00 in Asia/Shanghai: the demo's "now"
UNSTABLE_COLUMNS = {"password_hash"}  # argon2 salts differ per load


async def table_digest() -> dict[str, str]:
    """sha256 of every table's rows in primary-key order (password hashes left out)."""
    digests = {}
    for table in ALL_TABLES:
        rows = await table.select().order_by(table._meta.primary_key)
        for row in rows:
            for column in UNSTABLE_COLUMNS & set(row):
                row[column] = None
        text = json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str)
        digests[table._meta.tablename] = hashlib.sha256(text.encode()).hexdigest()
    return digests


async def table_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in ALL_TABLES}


@pytest.fixture
def second_settings(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Another fresh migrated database of the same engine."""
    folder = tmp_path / "second"
    folder.mkdir()
    if engine_kind == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), folder / "stewardsync.db")
        yield Settings(data_dir=folder, secret_key="test-secret")
        return
    name = f"ss_demo2_{os.getpid()}"
    asyncio.run(pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    asyncio.run(pg_admin(f"CREATE DATABASE {name} TEMPLATE {request.getfixturevalue('pg_template')}"))
    yield Settings(data_dir=folder, database_url=pg_url_for(name), secret_key="test-secret")
    asyncio.run(pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _load_and_digest(settings: Settings) -> dict[str, str]:
    engine = await database.connect(settings)
    try:
        result = await load_demo(seed=7, today=TODAY)
        assert result.loaded
        return await table_digest()
    finally:
        await database.disconnect(engine)


async def test_two_loads_into_fresh_databases_are_identical(settings, second_settings) -> None:
    first = await _load_and_digest(settings)
    second = await _load_and_digest(second_settings)
    assert first == second


def test_generator_is_deterministic_and_follows_its_seed() -> None:
    one = json.dumps(build_demo(7, TODAY), ensure_ascii=False, sort_keys=True)
    again = json.dumps(build_demo(7, TODAY), ensure_ascii=False, sort_keys=True)
    other = json.dumps(build_demo(8, TODAY), ensure_ascii=False, sort_keys=True)
    assert one == again
    assert one != other


async def test_loading_twice_changes_nothing(db) -> None:
    first = await load_demo(today=TODAY)
    counts = await table_counts()
    clock = await SyncClock.select().first()
    second = await load_demo(today=TODAY)
    assert first.loaded and not second.loaded
    assert await table_counts() == counts
    assert await SyncClock.select().first() == clock


async def test_estate_shape(db) -> None:
    await load_demo(today=TODAY)
    everything = {name: await table.select() for name, table in SYNCED_TABLES.items()}
    # the demo estate; the second, small one (翠湖苑) is checked in test_a_second_small_estate
    rows = {name: [r for r in found if r["estate_id"] == DEMO_ESTATE_ID] for name, found in everything.items()}
    assert len(rows["building"]) == 25
    assert len(rows["unit"]) == len(rows["household"]) == 292
    assert {u["unit_type"] for u in rows["unit"]} == {"yangfang", "diejia", "lianpai"}
    occupancy = Counter(u["occupancy"] for u in rows["unit"])
    assert 0.10 <= occupancy["vacant"] / 292 <= 0.14 and occupancy["renovating"] > 0
    tickets = rows["ticket"]
    assert 250 <= len(tickets) <= 600
    assert {t["status"] for t in tickets} == set(TICKET_STATUSES)
    assert {t["kind"] for t in tickets} == set(codes(TicketKind))
    assert any(t["status"] in ("received", "dispatched", "in_progress") and t["resolve_due_at"] < NOW
               for t in tickets), "some open tickets are overdue"
    assert len({t["number"] for t in tickets}) == len(tickets)
    logins = {u["username"]: u["role"] for u in await StaffUser.select()}
    assert logins == dict(DEMO_LOGINS)
    assert Counter(logins.values())["steward"] >= 5
    assert [c["status"] for c in rows["conflict"]] == ["open", "open"]
    assert {c["collection"] for c in rows["conflict"]} == {"household", "ticket"}
    living_alone = [h for h in rows["household"] if h["family_structure"] == "独居老人"]
    assert living_alone and all(h["emergency_contact_phone"] for h in living_alone)


async def test_every_record_is_versioned_once_in_the_change_log(db) -> None:
    await load_demo(today=TODAY)
    versions = []
    for name, table in SYNCED_TABLES.items():
        versions += [(r["version"], name, r["id"]) for r in await table.select(table.version, table.id)]
    log = await ChangeLog.select(ChangeLog.version, ChangeLog.collection, ChangeLog.record_id, ChangeLog.op)
    assert len(versions) == len(log) == len({v for v, _, _ in versions})
    assert sorted(versions) == sorted((r["version"], r["collection"], r["record_id"]) for r in log)
    assert {r["op"] for r in log} == {"create"}
    clock = await SyncClock.select().first()
    assert clock["version"] == max(v for v, _, _ in versions)


async def test_timelines_agree_with_statuses(db) -> None:
    await load_demo(today=TODAY)
    tickets = await SYNCED_TABLES["ticket"].select()
    events = defaultdict(list)
    for event in await SYNCED_TABLES["ticket_event"].select().order_by(SYNCED_TABLES["ticket_event"].created_at):
        events[event["ticket_id"]].append(event)
    for ticket in tickets:
        stamps = [ticket[c] for c in ("created_at", "dispatched_at", "done_at", "called_back_at", "closed_at")
                  if ticket[c]]
        assert stamps == sorted(stamps) and stamps[-1] <= NOW, ticket["number"]
        moves = [(e["from_status"], e["to_status"]) for e in events[ticket["id"]] if e["type"] == "status"]
        assert all(TICKET.allows(a, b) for a, b in moves), (ticket["number"], moves)
        assert (moves[-1][1] if moves else "received") == ticket["status"], ticket["number"]
        assert all(e["building_id"] == ticket["building_id"] for e in events[ticket["id"]])
        assert ticket["response_due_at"] and ticket["resolve_due_at"] >= ticket["response_due_at"]
    # 有偿特约服务: every paid repair names its item at the handbook's price, paid once done
    paid = [t for t in tickets if t["paid_service"]]
    assert paid and all(t["kind"] == "repair" and t["paid_item"] for t in paid)
    for ticket in paid:
        item = SEED_PRICES.item(ticket["paid_item"])
        assert item is not None and ticket["paid_amount_fen"] == item.member * ticket["paid_quantity"]
        assert (ticket["paid_at"] is not None) == (ticket["done_at"] is not None) == (ticket["paid_method"] is not None)
    assert not any(t["paid_item"] for t in tickets if not t["paid_service"])


async def test_field_work_is_consistent(db) -> None:
    await load_demo(today=TODAY)
    units = {u["id"]: u for u in await SYNCED_TABLES["unit"].select()}
    readings = defaultdict(list)
    for check in await SYNCED_TABLES["vacant_check"].select().order_by(SYNCED_TABLES["vacant_check"].week):
        assert units[check["unit_id"]]["occupancy"] == "vacant"
        assert check["building_id"] == units[check["unit_id"]]["building_id"]
        readings[check["unit_id"]].append((check["water_reading"], check["electric_reading"]))
    for series in readings.values():
        assert series == sorted(series) and len({e for _, e in series}) == len(series)
    last_checks = defaultdict(str)
    for check in await SYNCED_TABLES["vacant_check"].select():
        last_checks[check["unit_id"]] = max(last_checks[check["unit_id"]], check["checked_at"])
    week_ago = "2026-11-16T00:00:00.000Z"
    overdue = [u for u, at in last_checks.items() if at < week_ago]
    assert 0 < len(overdue) < len(last_checks) / 3, "most vacant units are checked weekly, some are overdue"
    rounds = await SYNCED_TABLES["patrol_round"].select()
    assert rounds and all(r["building_id"] is None for r in rounds)
    assert any(r["status"] == "open" for r in rounds)
    findings = await SYNCED_TABLES["finding"].select()
    assert any(f["ticket_id"] for f in findings) and any(not f["ticket_id"] for f in findings)
    visits = await SYNCED_TABLES["visit"].select()
    assert {v["purpose"] for v in visits} == {"routine", "complaint_callback", "repair_callback", "fee_reminder"}
    scores = [v["satisfaction"] for v in visits if v["satisfaction"] is not None]
    assert 0.85 <= sum(s >= 4 for s in scores) / len(scores) <= 0.99


async def test_fee_collection_near_the_target(db) -> None:
    await load_demo(today=TODAY)
    from server.tables import FeeBill

    months = defaultdict(lambda: [0.0, 0.0])
    for bill in await FeeBill.select():
        months[bill["month"]][0] += bill["amount_due"]
        months[bill["month"]][1] += bill["amount_paid"]
    assert len(months) == 6
    closed_months = sorted(months)[:-1]
    rates = [months[m][1] / months[m][0] for m in closed_months]
    assert all(0.9 <= r <= 0.995 for r in rates), rates


async def test_an_account_made_before_the_demo_is_kept_and_used(db) -> None:
    user_id = await staff.add_user("guanjia1", "my-own-password", "自己的账号", "steward")
    result = await load_demo(today=TODAY)
    assert result.loaded
    accounts = await StaffUser.select().where(StaffUser.username == "guanjia1")
    assert len(accounts) == 1 and accounts[0]["id"] == user_id
    rounds = await SYNCED_TABLES["patrol_round"].select().where(SYNCED_TABLES["patrol_round"].steward_id == user_id)
    assert rounds, "the demo's first steward's work points at the existing account"


@pytest.mark.parametrize("clock", [time(0, 5), time(3, 0), time(23, 50)])
def test_a_live_demo_has_nothing_in_the_future(clock: time) -> None:
    """Loaded without a fixed day, the demo's "now" is the current minute: whatever it is,
    no record was made, changed or finished after it."""
    now = iso(datetime.combine(TODAY, clock, ZoneInfo("Asia/Shanghai")))
    rows = build_demo(7, TODAY, clock=clock)
    stamped = ("created_at", "updated_at", "dispatched_at", "done_at", "called_back_at", "closed_at",
               "started_at", "ended_at", "occurred_at", "checked_at", "visited_at", "paid_at")
    for table, table_rows in rows.items():
        for row in table_rows:
            late = {c: row[c] for c in stamped if row.get(c) and row[c] > now}
            assert not late, (table, row["id"] if "id" in row else row, late)


async def test_a_second_small_estate(db) -> None:
    """A company runs several estates: the demo has a second, small one with its own staff,
    building codes like the first's (1栋…), and nothing shared with the first."""
    from server.demo.context import SECOND_ESTATE_ID
    from server.tables import Building, Estate, Household, StaffEstate, Ticket, Unit

    await load_demo(today=TODAY)
    estate = await Estate.select().where(Estate.id == SECOND_ESTATE_ID).first()
    assert (estate["code"], estate["name"]) == ("CHY", "翠湖苑")
    codes = {b["code"] for b in await Building.select().where(Building.estate_id == SECOND_ESTATE_ID)}
    assert codes == {"1栋", "2栋", "3栋"} and codes <= {b["code"] for b in await Building.select().where(
        Building.estate_id == DEMO_ESTATE_ID)}
    assert await Unit.count().where(Unit.estate_id == SECOND_ESTATE_ID) == 36
    assert await Household.count().where(Household.estate_id == SECOND_ESTATE_ID) == 36
    assert 1 <= await Ticket.count().where(Ticket.estate_id == SECOND_ESTATE_ID) <= 10
    clerk = await StaffUser.select().where(StaffUser.username == "qiantai_ch").first()
    assert [r["estate_id"] for r in await StaffEstate.select().where(StaffEstate.user_id == clerk["id"])] == [
        SECOND_ESTATE_ID]
