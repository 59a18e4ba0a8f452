"""Finding a unit as a clerk types it: a unit code in its usual spellings (3-1-0502,
3-0502, 3-1-502, 3栋1单元502, 3栋502), an owner's name or phone. One place for the queue's
search box and the intake's owner search, so that what one finds the other finds."""

from __future__ import annotations

import re
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ComparisonOperator

from server.store.scoping import scope_where
from server.tables import Household, Unit
from sync.scope import Scope

# --- LIKE with a clerk's text -----------------------------------------------------------
# A clerk's ``%`` and ``_`` are characters, not wildcards (``q=%`` must not list every
# household): they are escaped with a backslash, and every LIKE built here says so with
# ``ESCAPE '\'``, which SQLite and PostgreSQL read alike.

LIKE_ESCAPE = "\\"


class _LikeEscaped(ComparisonOperator):
    template = "{name} LIKE {value} ESCAPE '\\'"


def literal(text: str) -> str:
    """A clerk's text as part of a ``LIKE`` pattern that means exactly that text."""
    return (text.strip().replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))


def like(column: Column, pattern: str) -> Where:
    """``column LIKE pattern ESCAPE '\\'``: ``pattern`` made of ``literal`` parts and wildcards."""
    return Where(column=column, value=pattern, operator=_LikeEscaped)


def contains(column: Column, text: str) -> Where:
    """Rows whose ``column`` holds the clerk's ``text`` anywhere."""
    return like(column, f"%{literal(text)}%")


def starts_with(column: Column, text: str) -> Where:
    """Rows whose ``column`` begins with the clerk's ``text``."""
    return like(column, f"{literal(text)}%")


SPELLED = re.compile(r"(\d+)\s*(?:栋|幢|号楼|-)\s*(?:(\d+)\s*(?:单元|-))?\s*(\d{3,4})\s*(?:室|号)?")


def unit_code_patterns(text: str) -> list[str]:
    """``LIKE`` patterns (for ``like``) of the unit codes (``3-1-0502``) a clerk's spelling
    may mean: what was typed as the code's beginning, and the code it spells."""
    query = text.strip().replace("－", "-").replace(" ", "")
    patterns = [literal(query) + "%"] if query else []
    match = SPELLED.fullmatch(query)
    if match:
        building, entrance, room = match.groups()
        room = room.zfill(4)
        spelled = f"{building}-{entrance}-{room}" if entrance else f"{building}-%-{room}"
        if spelled + "%" not in patterns:
            patterns.append(spelled)
    return patterns


TICKET_NUMBER = re.compile(r"(?:([A-Z0-9]{1,12})\s*-\s*)?(\d{1,8})")


def ticket_numbers(text: str) -> tuple[list[str], str | None]:
    """The ticket numbers a clerk's text may mean, and a ``LIKE`` pattern for a number typed
    without its estate: ``LJY-000042`` as typed, ``ljy-42``, ``42`` (any of the clerk's
    estates' 42nd), or an older ``GD00001234`` and its digits."""
    query = text.strip().upper().replace("－", "-")
    if query.startswith("GD") and query[2:].isdigit() and len(query) <= 10:
        return _unique(query, f"GD{int(query[2:]):08d}"), None
    match = TICKET_NUMBER.fullmatch(query)
    if match is None:
        return [query], None
    code, digits = match.groups()
    if code:
        return _unique(query, f"{code}-{int(digits):06d}"), None
    return _unique(query, f"GD{int(digits):08d}"), f"%-{int(digits):06d}"


def _unique(*numbers: str) -> list[str]:
    return list(dict.fromkeys(numbers))


async def matching_units(text: str, *, scope: Scope, limit: int = 20) -> list[str]:
    """Ids of the units (in scope) whose code, current owner's name or phone the text names."""
    query = text.strip()
    if len(query) < 2:
        return []
    where = None
    for pattern in unit_code_patterns(query):
        condition = like(Unit.code, pattern)
        where = condition if where is None else where | condition
    found: list[str] = []
    if where is not None:
        found = [r["id"] for r in await Unit.select(Unit.id).where(
            where & (Unit.deleted == False) & scope_where(Unit, scope)  # noqa: E712
        ).order_by(Unit.code).limit(limit)]
    owner = contains(Household.owner_name, query)
    if re.fullmatch(r"[\d\-+ ]{4,}", query):
        owner = owner | contains(Household.owner_phone, query)
    for row in await Household.select(Household.unit_id).where(
            owner & (Household.deleted == False) & Household.ended_on.is_null()  # noqa: E712
            & scope_where(Household, scope)).limit(limit):
        if row["unit_id"] not in found:
            found.append(row["unit_id"])
    return found[:limit]


async def units_by_id(ids: list[str], *, scope: Scope) -> list[dict[str, Any]]:
    if not ids:
        return []
    rows = {r["id"]: r for r in await Unit.select(Unit.id, Unit.code, Unit.building_id, Unit.occupancy).where(
        Unit.id.is_in(ids) & scope_where(Unit, scope))}
    return [rows[i] for i in ids if i in rows]
