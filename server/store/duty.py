"""The engineers of an estate and its on-duty roster (值班表): queries for the desk's roster
page and its dispatch form. The sync engine reads the same table under its write lock
(``SyncStorage.rosters``); dispatch itself is ``sync.dispatch``."""

from __future__ import annotations

from typing import Any

from server.store.sync_storage import lock_clock, write_transaction
from server.tables import DutyRoster, StaffEstate, StaffUser
from sync.dispatch import OnDuty, Roster
from sync.scope import Scope


async def engineers(estate_id: str, *, scope: Scope) -> dict[str, OnDuty]:
    """The active engineers who work in the estate (in scope), by id, in name order."""
    if not scope.admits_estate(estate_id):
        return {}
    links = await StaffEstate.select(StaffEstate.user_id).where(StaffEstate.estate_id == estate_id)
    ids = [r["user_id"] for r in links]
    if not ids:
        return {}
    rows = await StaffUser.select(StaffUser.id, StaffUser.display_name, StaffUser.team).where(
        StaffUser.id.is_in(ids) & (StaffUser.role == "engineer") & (StaffUser.active == True)  # noqa: E712
    ).order_by(StaffUser.display_name)
    return {r["id"]: OnDuty(user_id=r["id"], name=r["display_name"], team=r["team"] or "")
            for r in rows}


async def week(estate_id: str, days: list[str], *, scope: Scope) -> dict[tuple[str, str], str]:
    """Who is on duty: ``{(day, team): user id}`` for the estate's given days."""
    if not scope.admits_estate(estate_id) or not days:
        return {}
    rows = await DutyRoster.select(DutyRoster.day, DutyRoster.team, DutyRoster.user_id).where(
        (DutyRoster.estate_id == estate_id) & DutyRoster.day.is_in(days))
    return {(r["day"], r["team"]): r["user_id"] for r in rows}


async def roster(estate_id: str, day: str, *, scope: Scope) -> Roster:
    """The estate's on-duty engineers of one day, by team (active engineers only)."""
    people = await engineers(estate_id, scope=scope)
    on = await week(estate_id, [day], scope=scope)
    return Roster(day=day, teams={team: people[user_id] for (_, team), user_id in on.items()
                                  if user_id in people})


async def set_week(estate_id: str, cells: dict[tuple[str, str], str | None]) -> list[dict[str, Any]]:
    """Replace the roster's cells (``None``: nobody) in one transaction under the sync write
    lock (a ticket created meanwhile is dispatched from the roster before or after, never
    half of it); returns the cells that changed."""
    days = sorted({day for day, _ in cells})
    async with write_transaction() as conn:
        await lock_clock(conn)
        where, params = conn.in_list("day", days)
        current = {(r[0], r[1]): r[2] for r in await conn.fetch(
            f"SELECT day, team, user_id FROM duty_roster WHERE estate_id = ? AND {where}",
            estate_id, *params)}
        changed = [{"day": d, "team": t, "from": current.get((d, t)), "to": u}
                   for (d, t), u in sorted(cells.items()) if current.get((d, t)) != u]
        for cell in changed:
            await conn.execute("DELETE FROM duty_roster WHERE estate_id = ? AND day = ? AND team = ?",
                               estate_id, cell["day"], cell["team"])
            if cell["to"]:
                await conn.execute(
                    "INSERT INTO duty_roster (estate_id, day, team, user_id) VALUES (?, ?, ?, ?)",
                    estate_id, cell["day"], cell["team"], cell["to"])
    return changed
