"""The audit log as people read it: who (a name), what (the action's words), on what (a
unit's code, a ticket's number, a person, an estate) and the details as labelled values,
instead of ids and raw JSON. Names are looked up in the reader's scope only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from server.i18n import translate
from server.store.scoping import scope_where
from server.tables import Building, Estate, Household, StaffUser, Ticket, Unit
from sync.scope import Scope

ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _ids(values: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, str) and ID.match(value):
            found.add(value)
        elif isinstance(value, (list, tuple)):
            found |= _ids(value)
    return found


async def names(entries: Iterable[Any], *, scope: Scope) -> dict[str, str]:
    """A readable name for every id the entries mention (units, households, tickets, staff,
    estates) that the reader may see; an id outside the scope stays unnamed."""
    entries = list(entries)
    ids = _ids([e.user_id for e in entries] + [e.target for e in entries]
               + [v for e in entries for v in e.detail.values()])
    if not ids:
        return {}
    wanted = sorted(ids)
    found: dict[str, str] = {}
    codes = {b["id"]: b["code"] for b in await Building.select(Building.id, Building.code).where(
        Building.id.is_in(wanted) | scope_where(Building, scope))}
    for unit in await Unit.select(Unit.id, Unit.code, Unit.building_id).where(
            Unit.id.is_in(wanted) & scope_where(Unit, scope)):
        found[unit["id"]] = f"{codes.get(unit['building_id'] or '', '')} {unit['code']}".strip()
    for household in await Household.select(Household.id, Household.unit_id).where(
            Household.id.is_in(wanted) & scope_where(Household, scope)):
        unit = await Unit.select(Unit.code).where(Unit.id == household["unit_id"]).first()
        found[household["id"]] = unit["code"] if unit else household["id"][:8]
    for ticket in await Ticket.select(Ticket.id, Ticket.number).where(
            Ticket.id.is_in(wanted) & scope_where(Ticket, scope)):
        found[ticket["id"]] = ticket["number"] or ticket["id"][:8]
    for user in await StaffUser.select(StaffUser.id, StaffUser.display_name, StaffUser.username).where(
            StaffUser.id.is_in(wanted)):
        found[user["id"]] = f"{user['display_name']}（{user['username']}）"
    for estate in await Estate.select(Estate.id, Estate.name).where(Estate.id.is_in(wanted)):
        if estate["id"] in scope.estates:
            found[estate["id"]] = estate["name"]
    return found


def detail_items(lang: str, detail: dict[str, Any], named: dict[str, str]) -> list[tuple[str, str]]:
    """The entry's details as (label, value) in the page's language."""
    items = []
    for key, value in detail.items():
        label = translate(lang, f"audit.detail.{key}")
        if label == f"audit.detail.{key}":
            label = key
        items.append((label, _value(lang, value, named)))
    return items


def _value(lang: str, value: Any, named: dict[str, str]) -> str:
    if isinstance(value, bool):
        return translate(lang, "yes" if value else "no")
    if isinstance(value, str):
        return named.get(value, value[:8] if ID.match(value) else value)
    if isinstance(value, (list, tuple)):
        shown = [_value(lang, v, named) for v in value[:10]]
        more = f" …（{len(value)}）" if len(value) > 10 else ""
        return "、".join(shown) + more
    if isinstance(value, dict):
        return "；".join(f"{k} {_value(lang, v, named)}" for k, v in value.items())
    return str(value)
