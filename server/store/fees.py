"""Fee reminders (催缴, 应会 7): the estate's fee settings, the bills, the arrears each
steward's phone holds and the contact log, every list limited by a ``Scope``.

The arrears (``arrears``) are a synced collection the server keeps from ``fee_bill``:
``refresh_arrears`` rewrites a unit's record through the sync merge and the change log
whenever its bills change (the ledger import, a payment at the desk, a change of the
estate's calendar), so a phone pulls a unit's new arrears, and a unit that has paid
everything becomes a tombstone that drops off the phone's list at its next pull.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import msgspec

from schemas.fees import ArrearsLine
from schemas.sync import MAX_BATCH, Create, Delete, Update
from server.clock import now_iso
from server.ids import uuid7
from server.store import audit
from server.store.evidence import evidence
from server.store.places import natural
from server.store.scoping import scope_sql
from server.store.sync_storage import Conn, SqlStorage, lock_clock, read_snapshot, write_transaction
from server.store.terms import own_or_seeded
from server.tables import Estate
from sync.engine import apply_batch
from sync.fees import SEED_FEE_TERMS, Bill, FeeTerms, arrears_lines, fen
from sync.scope import Scope
from sync.storage import Actor


class PaymentRefused(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- settings ----------------------------------------------------------------------------


async def of_estate(estate_id: str) -> tuple[FeeTerms, bool]:
    """The estate's fee settings and whether they are its own (False: the seeds')."""
    return await own_or_seeded(estate_id, Estate.fees, FeeTerms, SEED_FEE_TERMS)


async def _terms_in(conn: Conn, estate_id: str) -> FeeTerms:
    row = await conn.fetchrow("SELECT fees FROM estate WHERE id = ?", estate_id)
    return msgspec.json.decode(row[0], type=FeeTerms) if row is not None and row[0] else SEED_FEE_TERMS


async def set_fee_terms(estate_id: str, terms: FeeTerms, *, user_id: str, ip: str) -> None:
    """Keep ``terms`` as the estate's own, rewrite its arrears (they carry the calendar to the
    phones) in the same transaction, and audit the change: before and after."""
    before, _ = await of_estate(estate_id)
    async with write_transaction() as conn:
        await conn.execute("UPDATE estate SET fees = ? WHERE id = ?", msgspec.json.encode(terms).decode(), estate_id)
        await refresh_arrears(conn, estate_id, None, user_id=user_id)
    await audit.record("fees_change", user_id=user_id, target=estate_id, ip=ip,
                       detail={"before": msgspec.to_builtins(before), "after": msgspec.to_builtins(terms)})


# --- arrears (server-kept, synced) -------------------------------------------------------


def _bill(row: Sequence[Any]) -> Bill:
    """``unit_id, building_id, month, item, amount_due, amount_paid`` as a ``Bill``."""
    return Bill(unit_id=row[0], building_id=row[1], month=row[2], item=row[3],
                due_fen=fen(row[4]), paid_fen=fen(row[5] or 0.0))


BILL_COLUMNS = "unit_id, building_id, month, item, amount_due, amount_paid"


def _new_arrears_id(_unit_id: str) -> str:
    return uuid7()


async def refresh_arrears(conn: Conn, estate_id: str, unit_ids: Collection[str] | None, *,
                          user_id: str, now: str | None = None,
                          new_id: Callable[[str], str] = _new_arrears_id) -> int:
    """Make the ``arrears`` records of ``unit_ids`` (None: every unit of the estate) equal
    their bills, inside the caller's write transaction: through the merge as the admin role
    (the only one that writes arrears), so each change is in the change log. Returns how
    many records changed. ``new_id`` names a unit's new record (the demo's are stable)."""
    terms = await _terms_in(conn, estate_id)
    calendar = msgspec.to_builtins(terms.calendar)
    where, params = "estate_id = ?", [estate_id]
    if unit_ids is not None:
        if not unit_ids:
            return 0
        unit_where, unit_params = conn.in_list("unit_id", sorted(unit_ids))
        where, params = f"{where} AND {unit_where}", [*params, *unit_params]
    by_unit: dict[str, list[Bill]] = {u: [] for u in unit_ids or ()}
    for row in await conn.fetch(f"SELECT {BILL_COLUMNS} FROM fee_bill WHERE {where}", *params):
        by_unit.setdefault(row[0], []).append(_bill(row))
    live: dict[str, tuple[str, int, dict[str, Any]]] = {}
    for rid, unit_id, version, lines, amount, oldest, cal in await conn.fetch(
            "SELECT id, unit_id, version, lines, amount_fen, oldest_month, calendar FROM arrears "
            f"WHERE {where} AND NOT deleted", *params):
        decode = lambda v: msgspec.json.decode(v) if isinstance(v, (str, bytes)) else v  # noqa: E731
        live[unit_id] = (rid, int(version), {"lines": decode(lines), "amount_fen": amount,
                                             "oldest_month": oldest, "calendar": decode(cal)})
    known = {r[0] for r in await conn.fetch("SELECT id FROM unit WHERE estate_id = ? AND NOT deleted", estate_id)}
    mutations: list[Create | Update | Delete] = []
    for unit_id in sorted(set(by_unit) | set(live)):
        lines = arrears_lines(by_unit.get(unit_id, ())) if unit_id in known else []
        wanted = _fields(lines, calendar)
        current = live.get(unit_id)
        if current is None and lines:
            mutations.append(Create(seq=0, collection="arrears", id=new_id(unit_id),
                                    fields={"unit_id": unit_id, **wanted}))
        elif current is not None and not lines:
            mutations.append(Delete(seq=0, collection="arrears", id=current[0], base_version=current[1]))
        elif current is not None and current[2] != wanted:
            mutations.append(Update(seq=0, collection="arrears", id=current[0], base_version=current[1],
                                    base=current[2], changes=wanted))
    if not mutations:
        return 0
    actor = Actor(user_id=user_id, role="admin", estate_ids=frozenset({estate_id}))
    for start in range(0, len(mutations), MAX_BATCH):
        chunk = [msgspec.structs.replace(m, seq=i) for i, m in enumerate(mutations[start:start + MAX_BATCH], start=1)]
        outcome = await apply_batch(SqlStorage(conn), actor, chunk, now=now or now_iso())
        refused = [r for r in outcome.results if r.status == "rejected"]
        if refused:
            raise RuntimeError(f"arrears refused by the merge: {refused[0].code} {refused[0].message}")
    return len(mutations)


def _fields(lines: list[ArrearsLine], calendar: dict[str, Any]) -> dict[str, Any]:
    return {"lines": msgspec.to_builtins(lines), "amount_fen": sum(line.owed_fen for line in lines),
            "oldest_month": lines[0].month if lines else "", "calendar": calendar}


# --- payments at the desk ----------------------------------------------------------------


async def record_payment(bill_id: int, paid_fen: int, paid_at: str, *, scope: Scope, user_id: str,
                         ip: str) -> dict[str, Any]:
    """Record what has been paid of one bill (the whole amount paid so far, in fen) and
    rewrite the unit's arrears in the same transaction; audited. A bill outside ``scope``
    is ``PaymentRefused("unknown_bill")``."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None))
    async with write_transaction() as conn:
        await lock_clock(conn)
        row = await conn.fetchrow(f"SELECT id, unit_id, estate_id, amount_due, amount_paid, month, item FROM fee_bill "
                                  f"WHERE id = ? AND {condition}", bill_id, *params)
        if row is None:
            raise PaymentRefused("unknown_bill")
        if paid_fen > fen(row[3]):
            raise PaymentRefused("overpaid")
        await conn.execute("UPDATE fee_bill SET amount_paid = ?, paid_at = ? WHERE id = ?",
                           paid_fen / 100, paid_at if paid_fen else None, bill_id)
        await refresh_arrears(conn, row[2], {row[1]}, user_id=user_id)
    detail = {"bill": bill_id, "unit": row[1], "month": row[5], "item": row[6],
              "before_fen": fen(row[4] or 0.0), "after_fen": paid_fen}
    await audit.record("fee_payment", user_id=user_id, target=str(bill_id), ip=ip, detail=detail)
    return detail


# --- what the desk reads -----------------------------------------------------------------


async def bills(month: str, *, scope: Scope) -> list[Bill]:
    """The bills of ``month`` in scope."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None))
    async with read_snapshot() as conn:
        rows = await conn.fetch(f"SELECT {BILL_COLUMNS} FROM fee_bill WHERE {condition} AND month = ? "
                                "ORDER BY building_id, unit_id, item", *params, month)
    return [_bill(r) for r in rows]


async def stewards(*, scope: Scope) -> dict[str, dict[str, Any]]:
    """The stewards of the buildings in scope: id → {name, buildings (in scope)}."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None), alias="b.")
    async with read_snapshot() as conn:
        rows = await conn.fetch(
            "SELECT u.id, u.display_name, b.id FROM building_assignment a JOIN staff_user u ON u.id = a.user_id "
            f"JOIN building b ON b.id = a.building_id WHERE u.role = 'steward' AND NOT b.deleted AND {condition} "
            "ORDER BY u.display_name, u.id", *params)
    out: dict[str, dict[str, Any]] = {}
    for user_id, name, building_id in rows:
        out.setdefault(user_id, {"name": name, "buildings": []})["buildings"].append(building_id)
    return out


async def unit_code(unit_id: str, *, scope: Scope) -> str | None:
    """The unit's code (房号), None when it is not in scope."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None))
    async with read_snapshot() as conn:
        row = await conn.fetchrow(f"SELECT code FROM unit WHERE id = ? AND {condition}", unit_id, *params)
    return row[0] if row else None


async def arrears(*, scope: Scope, unit_ids: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The live arrears records in scope (optionally of some units), each with its unit's
    code, building and current owner, and the unit's latest contact; by building and unit."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None), alias="a.")
    where = f"{condition} AND NOT a.deleted"
    if unit_ids is not None:
        if not unit_ids:
            return []
        marks = ", ".join("?" * len(unit_ids))
        where, params = f"{where} AND a.unit_id IN ({marks})", [*params, *sorted(unit_ids)]
    async with read_snapshot() as conn:
        rows = await conn.fetch(
            "SELECT a.id, a.unit_id, a.building_id, a.estate_id, a.lines, a.amount_fen, a.oldest_month, a.calendar, "
            "u.code, (SELECT h.owner_name FROM household h WHERE h.unit_id = a.unit_id AND NOT h.deleted "
            "AND h.ended_on IS NULL ORDER BY h.created_at DESC LIMIT 1) "
            f"FROM arrears a JOIN unit u ON u.id = a.unit_id WHERE {where}", *params)
        last = await _last_contacts(conn, [r[1] for r in rows])
    decode = lambda v: msgspec.json.decode(v) if isinstance(v, (str, bytes)) else v  # noqa: E731
    out = [{"id": r[0], "unit_id": r[1], "building_id": r[2], "estate_id": r[3],
            "lines": msgspec.convert(decode(r[4]), list[ArrearsLine]), "amount_fen": r[5], "oldest_month": r[6],
            "calendar": decode(r[7]), "unit_code": r[8], "owner_name": r[9] or "", "last_contact": last.get(r[1])}
           for r in rows]
    return sorted(out, key=lambda a: (a["building_id"] or "", natural(a["unit_code"])))


CONTACT_COLUMNS = ("id", "unit_id", "steward_id", "kind", "contacted_at", "reached", "promised_on", "reason",
                   "notice", "note", "amount_fen", "visit_id", "ticket_id")


async def _last_contacts(conn: Conn, unit_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for chunk in conn.chunks(sorted(set(unit_ids))):
        where, params = conn.in_list("unit_id", chunk)
        for row in await conn.fetch(f"SELECT {', '.join(CONTACT_COLUMNS)} FROM fee_contact WHERE {where} "
                                    "AND NOT deleted ORDER BY contacted_at", *params):
            out[row[1]] = _contact(row)
    return out


def _contact(row: Sequence[Any]) -> dict[str, Any]:
    contact = dict(zip(CONTACT_COLUMNS, row))
    contact["reached"] = None if contact["reached"] is None else bool(contact["reached"])
    return contact


async def contacts(unit_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """A unit's 催缴记录 in scope, newest first, with the steward's name and its photos
    (``server.store.evidence``)."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None), alias="c.")
    async with read_snapshot() as conn:
        rows = await conn.fetch(
            f"SELECT {', '.join('c.' + c for c in CONTACT_COLUMNS)}, s.display_name FROM fee_contact c "
            "LEFT JOIN staff_user s ON s.id = c.steward_id "
            f"WHERE c.unit_id = ? AND NOT c.deleted AND {condition} ORDER BY c.contacted_at DESC", unit_id, *params)
    photos = await evidence([("fee_contact", r[0]) for r in rows], scope=scope)
    return [{**_contact(r[:-1]), "steward_name": r[-1] or "", "photos": photos.get(("fee_contact", r[0]), [])}
            for r in rows]


async def unit_bills(unit_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """A unit's bills in scope (for payments at the desk), newest month first."""
    condition, params = scope_sql(msgspec.structs.replace(scope, own_user=None))
    async with read_snapshot() as conn:
        rows = await conn.fetch(f"SELECT id, month, item, amount_due, amount_paid, paid_at FROM fee_bill "
                                f"WHERE unit_id = ? AND {condition} ORDER BY month DESC, item", unit_id, *params)
    return [{"id": r[0], "month": r[1], "item": r[2], "due_fen": fen(r[3]), "paid_fen": fen(r[4] or 0.0),
             "paid_at": r[5]} for r in rows]
