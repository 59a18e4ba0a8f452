"""An estate's own time limits (时限): ``estate.terms``, read by every write of a ticket
(``SqlStorage.terms``) and set by the manager on the 时限设置 page, each change audited.
An estate without its own keeps the seeds' limits (``sync.sla.SEED_TERMS``)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from piccolo.columns import Column

from server.store import audit
from server.store.sync_storage import lock_clock, write_transaction
from server.tables import Estate
from sync.sla import SEED_TERMS, Terms


T = TypeVar("T")


async def own_or_seeded(estate_id: str, column: Column, kind: type[T], seeded: T) -> tuple[T, bool]:
    """An estate's own setting kept as JSON in ``column`` of its row (time limits, the price
    list), and whether it is its own (False: ``seeded``, the seeds' default)."""
    row = await Estate.select(column.as_alias("setting")).where(Estate.id == estate_id).first()
    if row is None or row["setting"] is None:
        return seeded, False
    return msgspec.json.decode(row["setting"], type=kind), True


async def keep_own(estate_id: str, column: Column, setting: msgspec.Struct, *, action: str, user_id: str,
                   ip: str, before: object, after: object) -> None:
    """Keep ``setting`` as the estate's own, as JSON in ``column`` of its row, and audit the
    change with what it was and what it is. Written under the sync write lock: a push reads
    some settings in that lock (time limits, meter rules), so none is decided half from the
    old and half from the new."""
    async with write_transaction() as conn:
        await lock_clock(conn)
        await conn.execute(f"UPDATE estate SET {column._meta.db_column_name} = ? WHERE id = ?",
                           msgspec.json.encode(setting).decode(), estate_id)
    await audit.record(action, user_id=user_id, target=estate_id, ip=ip, detail={"before": before, "after": after})


async def of_estate(estate_id: str) -> tuple[Terms, bool]:
    """The estate's limits and whether they are its own (False: the seeds')."""
    return await own_or_seeded(estate_id, Estate.terms, Terms, SEED_TERMS)


async def set_terms(estate_id: str, terms: Terms, *, user_id: str, ip: str) -> None:
    """Keep ``terms`` as the estate's own (under the sync write lock, so that no ticket is
    given due times half from the old limits) and audit the change: before and after."""
    before, _ = await of_estate(estate_id)
    await keep_own(estate_id, Estate.terms, terms, action="terms_change", user_id=user_id, ip=ip,
                   before=_audited(before), after=_audited(terms))


def _audited(terms: Terms) -> dict[str, object]:
    """What a change of the settings page shows in the audit: the ticket limits and the
    callback attempts."""
    return {**msgspec.to_builtins(terms.due["ticket"]), "callback_attempts": terms.callback_attempts}
