"""The ledger import and the estate export, over one transaction each: what the command
line (``stewardsync import`` / ``export estate``) and the desk's import page call.

- ``preview``: read the file, plan it against one consistent snapshot; writes nothing.
- ``apply``: plan again inside the write transaction (so the plan is of the state it is
  applied to) and, when there is no error, apply it all or nothing: buildings, units and
  households through the sync merge and the change log, staff and bills as rows.
- ``export_estate``: the estate in the template's shape, each synced row with its hidden
  base, so that importing it back changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from schemas.sync import MAX_BATCH, Create, Update
from server.clock import now_iso, parse_iso
from server.ids import uuid7
from server.ledger.plan import Plan, State, make_plan
from server.ledger.sheets import BILLS, BUILDINGS, HOUSEHOLDS, METERS, STAFF, UNITS, Sheet
from server.ledger.workbook import read_book, write_book
from server.store.fees import refresh_arrears
from server.store.staff import canonical_username
from server.store.sync_storage import (
    Conn,
    SqlStorage,
    columns_of,
    read_snapshot,
    row_from_db,
    write_transaction,
)
from schemas.vocab import FeeItem, codes
from sync.engine import apply_batch
from sync.storage import Actor

FEE_ITEM_ORDER = codes(FeeItem)
NO_PASSWORD = "!"  # never verifies: an imported account logs in once an admin sets a password


class Estate(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    code: str | None
    name: str


class ImportFailed(Exception):
    """The apply stopped (a record the merge refused): nothing was written."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Applied(msgspec.Struct, kw_only=True):
    plan: Plan
    conflicts: int  # fields kept as changed in the field since the export (conflict records)


# --- estates -----------------------------------------------------------------------------


async def estates() -> list[Estate]:
    async with read_snapshot() as conn:
        rows = await conn.fetch("SELECT id, code, name FROM estate ORDER BY code, name")
    return [Estate(id=r[0], code=r[1], name=r[2]) for r in rows]


ESTATE_CODE = re.compile(r"[A-Z0-9]{2,12}")


async def add_estate(code: str, name: str, address: str = "") -> Estate:
    """A new estate; its code (2–12 capital letters or digits) starts its ticket numbers."""
    if not ESTATE_CODE.fullmatch(code):
        raise ValueError("an estate code is 2 to 12 capital letters or digits, e.g. JXHT")
    estate = Estate(id=uuid7(), code=code, name=name)
    async with write_transaction() as conn:
        await conn.execute("INSERT INTO estate (id, code, name, address) VALUES (?, ?, ?, ?)",
                           estate.id, code, name, address)
    return estate


# --- import ------------------------------------------------------------------------------


async def preview(data: bytes, filename: str, estate_id: str, *, tz: ZoneInfo) -> Plan:
    """What importing the file would do; nothing is written (``Unreadable`` for a bad file)."""
    book = read_book(data, filename)
    async with read_snapshot() as conn:
        state = await load_state(conn, estate_id)
    return make_plan(book, state, tz=tz)


async def apply(data: bytes, filename: str, estate_id: str, *, user_id: str, tz: ZoneInfo) -> Applied:
    """Import the file when it has no error, all or nothing. A plan with errors is returned
    unapplied (``Applied.plan.errors``); a refusal midway raises ``ImportFailed``."""
    book = read_book(data, filename)
    actor = Actor(user_id=user_id, role="admin", estate_ids=frozenset({estate_id}))
    conflicts = 0
    async with write_transaction() as conn:
        plan = make_plan(book, await load_state(conn, estate_id), tz=tz)
        if plan.errors:
            return Applied(plan=plan, conflicts=0)
        now = now_iso()
        for chunk in _chunks(plan.mutations, MAX_BATCH):
            numbered = [msgspec.structs.replace(m, seq=i) for i, m in enumerate(chunk, start=1)]
            outcome = await apply_batch(SqlStorage(conn), actor, numbered, now=now)
            for mutation, result in zip(numbered, outcome.results):
                if result.status == "rejected":
                    raise ImportFailed(f"{mutation.collection} {mutation.id}: {result.code} {result.message}")
                conflicts += len(result.conflict_ids or ())
        await _write_staff(conn, plan, now)
        await _write_bills(conn, plan)
        if plan.bills:  # the arrears the phones hold follow the bills, in the same transaction
            await refresh_arrears(conn, plan.estate_id, {b.unit_id for b in plan.bills}, user_id=user_id, now=now)
    return Applied(plan=plan, conflicts=conflicts)


def _chunks(items: Sequence[Create | Update], size: int) -> list[Sequence[Create | Update]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


async def _write_staff(conn: Conn, plan: Plan, now: str) -> None:
    here = [r[0] for r in await conn.fetch("SELECT id FROM building WHERE estate_id = ?", plan.estate_id)]
    for write in plan.staff:
        if write.new:
            await conn.execute(
                "INSERT INTO staff_user (id, username, display_name, role, phone, password_hash, active, "
                "failed_logins, locked_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)",
                write.user_id, write.username, write.display_name, write.role, write.phone, NO_PASSWORD,
                True, now)
        else:
            was = await conn.fetchrow("SELECT role FROM staff_user WHERE id = ?", write.user_id)
            await conn.execute("UPDATE staff_user SET display_name = ?, role = ?, phone = ? WHERE id = ?",
                               write.display_name, write.role, write.phone, write.user_id)
            if was is not None and was[0] != write.role:  # as staff.set_role: the phone logs in again
                await conn.execute("UPDATE sync_device SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                                   now, write.user_id)
        if write.office:
            await conn.execute("DELETE FROM staff_estate WHERE user_id = ? AND estate_id = ?",
                               write.user_id, plan.estate_id)
            await conn.execute("INSERT INTO staff_estate (user_id, estate_id) VALUES (?, ?)",
                               write.user_id, plan.estate_id)
        if write.building_ids is not None and here:
            where, params = conn.in_list("building_id", here)
            await conn.execute(f"DELETE FROM building_assignment WHERE user_id = ? AND {where}",
                               write.user_id, *params)
            await conn.executemany(
                "INSERT INTO building_assignment (user_id, building_id, assigned_at) VALUES (?, ?, ?)",
                [(write.user_id, b, now) for b in write.building_ids])


async def _write_bills(conn: Conn, plan: Plan) -> None:
    await conn.executemany(
        "INSERT INTO fee_bill (unit_id, building_id, estate_id, month, item, amount_due, amount_paid, paid_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(b.unit_id, b.building_id, plan.estate_id, b.month, b.item, b.amount_due, b.amount_paid, b.paid_at)
         for b in plan.bills if b.id is None])
    await conn.executemany(
        "UPDATE fee_bill SET amount_due = ?, amount_paid = ?, paid_at = ? WHERE id = ?",
        [(b.amount_due, b.amount_paid, b.paid_at, b.id) for b in plan.bills if b.id is not None])


# --- what the estate holds ---------------------------------------------------------------


async def _synced(conn: Conn, collection: str, estate_id: str) -> list[dict[str, Any]]:
    columns = columns_of(collection)
    select = ", ".join(f'"{n}"' for n in columns.names)
    rows = await conn.fetch(f'SELECT {select} FROM "{collection}" WHERE estate_id = ? AND NOT deleted',
                            estate_id)
    return [row_from_db(columns, columns.names, r) for r in rows]


async def load_state(conn: Conn, estate_id: str) -> State:
    buildings = {b["code"]: b for b in await _synced(conn, "building", estate_id)}
    code_of = {b["id"]: code for code, b in buildings.items()}
    units = {(code_of.get(u["building_id"], ""), u["code"]): u for u in await _synced(conn, "unit", estate_id)}
    households: dict[str, dict[str, Any]] = {}
    for household in sorted(await _synced(conn, "household", estate_id), key=lambda h: h["created_at"] or ""):
        if not household.get("ended_on"):  # a former household (过户) stays in the archive only
            households[household["unit_id"]] = household  # the latest is the unit's household
    users: dict[str, dict[str, Any]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for user_id, username, display_name, role, phone in await conn.fetch(
            "SELECT id, username, display_name, role, phone FROM staff_user"):
        user = {"id": user_id, "display_name": display_name, "role": role, "phone": phone,
                "estates": set(), "office_estates": set(), "buildings_here": set()}
        users[canonical_username(username)] = by_id[user_id] = user
    for user_id, estate in await conn.fetch("SELECT user_id, estate_id FROM staff_estate"):
        if user_id in by_id:
            by_id[user_id]["estates"].add(estate)
            by_id[user_id]["office_estates"].add(estate)
    for user_id, building_id, estate in await conn.fetch(
            "SELECT a.user_id, b.id, b.estate_id FROM building_assignment a JOIN building b ON b.id = a.building_id"):
        if user_id in by_id:
            by_id[user_id]["estates"].add(estate)
            if estate == estate_id:
                by_id[user_id]["buildings_here"].add(building_id)
    bills = {(r[1], r[2], r[6]): {"id": r[0], "amount_due": r[3], "amount_paid": r[4], "paid_at": r[5]}
             for r in await conn.fetch("SELECT id, unit_id, month, amount_due, amount_paid, paid_at, item "
                                       "FROM fee_bill WHERE estate_id = ?", estate_id)}
    meters = {(code_of.get(m["building_id"], ""), m["serial"]): m for m in await _synced(conn, "meter", estate_id)}
    return State(estate_id=estate_id, buildings=buildings, units=units, households=households,
                 users=users, bills=bills, meters=meters)


# --- export and template -----------------------------------------------------------------


def template() -> bytes:
    """The empty ledger: one sheet per kind, headers, word lists and an example row."""
    return write_book({}, example=True)


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _cells(sheet: Sheet, values: dict[str, Any]) -> list[Any]:
    return [c.kind.show(values.get(c.field)) for c in sheet.columns]


def _base(sheet: Sheet, record: dict[str, Any]) -> dict[str, Any]:
    fields = {c.field for c in sheet.columns} & record.keys()
    return {"v": record["version"], "f": {f: record[f] for f in sorted(fields)}}


async def export_estate(estate_id: str, *, tz: ZoneInfo) -> bytes:
    """The estate as the template holds it; importing the file back changes nothing."""
    async with read_snapshot() as conn:
        state = await load_state(conn, estate_id)
    code_of = {b["id"]: code for code, b in state.buildings.items()}
    rows: dict[str, list[tuple[list[Any], Any]]] = {s.name: [] for s in (BUILDINGS, UNITS, HOUSEHOLDS, STAFF, BILLS, METERS)}
    for code in sorted(state.buildings, key=_natural):
        building = state.buildings[code]
        rows[BUILDINGS.name].append((_cells(BUILDINGS, building), _base(BUILDINGS, building)))
    units = sorted(state.units.items(), key=lambda kv: (_natural(kv[0][0]), _natural(kv[0][1])))
    unit_key = {u["id"]: key for key, u in units}
    for (building_code, _), unit in units:
        rows[UNITS.name].append((_cells(UNITS, {**unit, "building": building_code}), _base(UNITS, unit)))
    for (building_code, unit_code), unit in units:
        household = state.households.get(unit["id"])
        if household is not None:
            values = {**household, "building": building_code, "unit": unit_code}
            rows[HOUSEHOLDS.name].append((_cells(HOUSEHOLDS, values), _base(HOUSEHOLDS, household)))
    for username, user in sorted(state.users.items()):
        if estate_id in user["office_estates"] or user["buildings_here"]:
            codes = sorted((code_of[b] for b in user["buildings_here"] if b in code_of), key=_natural)
            values = {**user, "username": username, "buildings": codes}
            rows[STAFF.name].append((_cells(STAFF, values), None))
    bills = sorted(((unit_key[u], month, item, bill) for (u, month, item), bill in state.bills.items() if u in unit_key),
                   key=lambda b: (_natural(b[0][0]), _natural(b[0][1]), b[1], FEE_ITEM_ORDER.index(b[2])))
    for (building_code, unit_code), month, item, bill in bills:
        paid_on = parse_iso(bill["paid_at"]).astimezone(tz).date().isoformat() if bill["paid_at"] else None
        values = {**bill, "building": building_code, "unit": unit_code, "month": month, "item": item,
                  "paid_on": paid_on}
        rows[BILLS.name].append((_cells(BILLS, values), None))
    unit_code = {u["id"]: key[1] for key, u in units}
    for (building_code, serial), meter in sorted(state.meters.items(), key=lambda kv: (
            _natural(kv[0][0]), kv[1]["floor"], kv[1]["walk_order"], _natural(kv[0][1]))):
        values = {**meter, "building": building_code, "unit": unit_code.get(meter["unit_id"] or "")}
        rows[METERS.name].append((_cells(METERS, values), _base(METERS, meter)))
    return write_book(rows)
