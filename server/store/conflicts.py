"""The conflicts inbox: merge decisions that discarded a value, for the desk to review."""

from __future__ import annotations

from typing import Any

from server.store.tickets import conflict_values
from server.tables import SYNCED_TABLES, Conflict


async def inbox(*, include_resolved: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    query = Conflict.select().order_by(Conflict.created_at, ascending=False).limit(limit)
    if not include_resolved:
        query = query.where(Conflict.status == "open")
    return [conflict_values(r) for r in await query]


async def conflict(conflict_id: str) -> dict[str, Any] | None:
    row = await Conflict.select().where(Conflict.id == conflict_id).first()
    return conflict_values(row) if row else None


async def record(collection: str, record_id: str) -> dict[str, Any] | None:
    """The current row of the record a conflict is about."""
    table = SYNCED_TABLES.get(collection)
    if table is None:
        return None
    return await table.select().where(table.id == record_id).first()
