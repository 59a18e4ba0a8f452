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
    """Keep ``setting`` as the estate's own in ``column`` (JSON) and audit the change with
    what it was and what it is (settings the merge never reads: no write lock needed)."""
    await Estate.update({column: msgspec.json.encode(setting).decode()}).where(Estate.id == estate_id)
    await audit.record(action, user_id=user_id, target=estate_id, ip=ip, detail={"before": before, "after": after})


async def of_estate(estate_id: str) -> tuple[Terms, bool]:
    """The estate's limits and whether they are its own (False: the seeds')."""
    return await own_or_seeded(estate_id, Estate.terms, Terms, SEED_TERMS)


async def set_terms(estate_id: str, terms: Terms, *, user_id: str, ip: str) -> None:
    """Keep ``terms`` as the estate's own (under the sync write lock, so that no ticket is
    given due times half from the old limits) and audit the change: before and after."""
    before, _ = await of_estate(estate_id)
    async with write_transaction() as conn:
        await lock_clock(conn)
        await conn.execute("UPDATE estate SET terms = ? WHERE id = ?",
                           msgspec.json.encode(terms).decode(), estate_id)
    await audit.record("terms_change", user_id=user_id, target=estate_id, ip=ip,
                       detail={"before": _audited(before), "after": _audited(terms)})


def _audited(terms: Terms) -> dict[str, object]:
    """What a change of the settings page shows in the audit: the ticket limits and the
    callback attempts."""
    return {**msgspec.to_builtins(terms.due["ticket"]), "callback_attempts": terms.callback_attempts}
