"""The conflicts inbox: merge decisions that discarded a value, for the desk to review.
Each conflict carries its record's estate and building; every read takes the reader's
``Scope``. What a person is shown (``inbox_as``) is cut to what their role may read and
masked like the archive (``sync.policy.masked_view``): a conflict can hold a whole
household, ID number included. Only the desk's "take the other" reads the values whole."""

from __future__ import annotations

from typing import Any

from server.store.scoping import scope_where
from server.store.rows import json_value
from server.tables import SYNCED_TABLES, Conflict, Household, StaffUser, SyncDevice, Ticket
from sync import policy
from sync.scope import Scope

CONTEXT = ("kept_by", "lost_by", "ticket_number", "unit_id")
"""What the inbox adds to each conflict: who wrote each value, the ticket's number, the unit."""


async def inbox(*, scope: Scope, include_resolved: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Conflicts of the scope newest first, each with who wrote each value and a link to
    its record; their values whole (what people are shown is ``inbox_as``)."""
    query = Conflict.select().where(scope_where(Conflict, scope)).order_by(
        Conflict.created_at, ascending=False).limit(limit)
    if not include_resolved:
        query = query.where(Conflict.status == "open")
    rows = [conflict_values(r) for r in await query]
    await _add_context(rows)
    return rows


async def inbox_as(role: str, *, scope: Scope, include_resolved: bool = False,
                   limit: int = 200) -> list[dict[str, Any]]:
    """The inbox as ``role`` is shown it: each conflict's values cut to the fields the role
    may read in the record, masked fields masked (none for a role that may not read
    conflicts)."""
    if policy.readable_fields(role, "conflict") is None:
        return []
    rows = await inbox(scope=scope, include_resolved=include_resolved, limit=limit)
    return [{**policy.masked_view(role, "conflict", row), **{k: row[k] for k in CONTEXT}} for row in rows]


async def _add_context(rows: list[dict[str, Any]]) -> None:
    device_ids = {s.split(":", 1)[1].split("#")[0] for r in rows for s in (r["kept_source"], r["lost_source"])
                  if s and s.startswith("device:")}
    owners = {d["id"]: d["user_id"] for d in await SyncDevice.select(SyncDevice.id, SyncDevice.user_id).where(
        SyncDevice.id.is_in(list(device_ids)))} if device_ids else {}
    user_ids = set(owners.values()) | {s.partition(":")[2] for r in rows for s in (r["kept_source"], r["lost_source"])
                                       if s and not s.startswith("device:")}
    names = {u["id"]: u["display_name"] for u in await StaffUser.select(StaffUser.id, StaffUser.display_name).where(
        StaffUser.id.is_in(sorted(user_ids)))} if user_ids else {}
    ticket_ids = [r["record_id"] for r in rows if r["collection"] == "ticket"]
    numbers = {t["id"]: t["number"] for t in await Ticket.select(Ticket.id, Ticket.number).where(
        Ticket.id.is_in(ticket_ids))} if ticket_ids else {}
    household_ids = [r["record_id"] for r in rows if r["collection"] == "household"]
    units = {h["id"]: h["unit_id"] for h in await Household.select(Household.id, Household.unit_id).where(
        Household.id.is_in(household_ids))} if household_ids else {}

    def who(source: str | None) -> dict[str, Any]:
        """The writer's name, and whether it came from a phone (else from the desk)."""
        kind, _, rest = (source or "").partition(":")
        if kind == "device":
            return {"name": names.get(owners.get(rest.split("#")[0], ""), ""), "phone": True}
        return {"name": names.get(rest, ""), "phone": False}

    for r in rows:
        r["kept_by"], r["lost_by"] = who(r["kept_source"]), who(r["lost_source"])
        r["ticket_number"] = numbers.get(r["record_id"])
        r["unit_id"] = units.get(r["record_id"])


async def conflict(conflict_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One conflict; None when missing or outside ``scope``."""
    row = await Conflict.select().where((Conflict.id == conflict_id) & scope_where(Conflict, scope)).first()
    return conflict_values(row) if row else None


async def record(collection: str, record_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """The current row of the record a conflict is about; None when missing or outside ``scope``."""
    table = SYNCED_TABLES.get(collection)
    if table is None:
        return None
    return await table.select().where((table.id == record_id) & scope_where(table, scope)).first()


def conflict_values(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "kept_value": json_value(row["kept_value"]), "lost_value": json_value(row["lost_value"])}
