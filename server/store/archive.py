"""The household archive (业户档案) for the desk: search and the unit page.

Personal fields are cut to what the reader's role may see (``sync.policy.redact``); the
route logs every read of personal data to the audit log. Both take the reader's ``Scope``:
a unit outside it is not found, and a search never matches one.

A unit has one *current* household (``ended_on`` empty, ``current_household``); the
households a 过户 or a tenant change ended are its *former* ones: shown on the unit page
with their history, never found by a search for the unit's owner (here, at intake, in the
KPIs and exports: every reader of "the unit's household" filters with ``CURRENT``).
"""

from __future__ import annotations

from typing import Any

from server.store.scoping import scope_where
from server.store.places import codes_of
from server.store.rows import json_value
from server.store.search import contains, starts_with
from server.tables import SYNCED_TABLES, Building, Household, Ticket, Unit, VacantCheck, Visit
from sync import policy
from sync.scope import Scope

HOUSEHOLD_FIELDS = (
    "owner_name", "owner_phone", "owner_id_number", "co_residents", "family_structure",
    "residence", "tenant_name", "tenant_phone", "special_needs", "emergency_contact_name",
    "emergency_contact_phone", "opinions", "notes", "owner_class", "known_by_steward",
    "move_in_date", "key_customer_reason", "spouse_name", "owner_age", "education", "hometown",
    "employer", "work_address", "family_size",
)
CURRENT = Household.ended_on.is_null()
"""The condition of a current household (not ended by a 过户 or a tenant change)."""


MASKED = ("owner_id_number",)
"""Fields shown masked (the last four characters) on pages and in exports; the whole value
is read by an audited reveal (``desk.id_number``) of the roles that may read the field."""


def mask(value: Any) -> Any:
    """``330106198001011234`` → ``**************1234``."""
    if not value:
        return value
    text = str(value)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def readable_whole(role: str, household: dict[str, Any] | None) -> dict[str, Any] | None:
    """The household with only the fields ``role`` may read, nothing masked (a reveal)."""
    if household is None:
        return None
    return policy.redact(role, "household", dict(household))


def readable(role: str, household: dict[str, Any] | None) -> dict[str, Any] | None:
    """The household with only the fields ``role`` may read (hidden ones absent), the
    ``MASKED`` ones masked."""
    if household is None:
        return None
    row = {**household, "co_residents": json_value(household.get("co_residents")) or []}
    row["known_by_steward"] = bool(row.get("known_by_steward"))
    row = policy.redact(role, "household", row)
    for field in MASKED:
        if row.get(field):
            row[field] = mask(row[field])
    return row


async def search(query: str, role: str, limit: int = 30, *, scope: Scope) -> list[dict[str, Any]]:
    """Units whose code starts with the query, or whose household's owner name or phone
    contains it; each with its (redacted) household."""
    query = query.strip()
    if not query:
        return []
    unit_rows = await Unit.select(Unit.id, Unit.code, Unit.building_id, Unit.occupancy).where(
        starts_with(Unit.code, query) & (Unit.deleted == False) & scope_where(Unit, scope)  # noqa: E712
    ).limit(limit)
    matches = await Household.select(Household.unit_id).where(
        (contains(Household.owner_name, query) | contains(Household.owner_phone, query))
        & (Household.deleted == False) & CURRENT & scope_where(Household, scope)).limit(limit)  # noqa: E712
    known = {u["id"] for u in unit_rows}
    extra = [m["unit_id"] for m in matches if m["unit_id"] not in known]
    if extra:
        unit_rows += await Unit.select(Unit.id, Unit.code, Unit.building_id, Unit.occupancy).where(
            Unit.id.is_in(extra) & scope_where(Unit, scope))
    return await _with_households(unit_rows[:limit], role, scope)


async def _with_households(units: list[dict[str, Any]], role: str, scope: Scope) -> list[dict[str, Any]]:
    if not units:
        return []
    households = {h["unit_id"]: h for h in await Household.select().where(
        Household.unit_id.is_in([u["id"] for u in units]) & (Household.deleted == False)  # noqa: E712
        & CURRENT & scope_where(Household, scope)).order_by(Household.created_at)}  # the latest wins
    codes = await codes_of({u["building_id"] for u in units if u["building_id"]})
    return [{**u, "building_code": codes.get(u["building_id"] or "", ""),
             "household": readable(role, households.get(u["id"]))} for u in units]


async def unit_page(unit_id: str, role: str, *, scope: Scope) -> dict[str, Any] | None:
    """Everything the archive knows of one unit, newest first; None when the unit is
    missing or outside ``scope``."""
    unit = await Unit.select().where(
        (Unit.id == unit_id) & (Unit.deleted == False) & scope_where(Unit, scope)).first()  # noqa: E712
    if unit is None:
        return None
    building = await Building.select(Building.code, Building.name).where(
        Building.id == unit["building_id"]).first()
    households = await unit_households(unit_id, scope=scope)
    household = next((h for h in households if not h["ended_on"]), None)
    former = [h for h in households if h["ended_on"]]
    tickets = await Ticket.select(
        Ticket.id, Ticket.number, Ticket.kind, Ticket.status, Ticket.title, Ticket.created_at,
        Ticket.satisfaction).where((Ticket.unit_id == unit_id) & (Ticket.deleted == False)  # noqa: E712
                                   & scope_where(Ticket, scope)
    ).order_by(Ticket.created_at, ascending=False).limit(100)
    visits = await Visit.select().where((Visit.unit_id == unit_id) & (Visit.deleted == False)  # noqa: E712
                                        & scope_where(Visit, scope)
    ).order_by(Visit.visited_at, ascending=False).limit(100)
    checks = await VacantCheck.select().where(
        (VacantCheck.unit_id == unit_id) & (VacantCheck.deleted == False)  # noqa: E712
        & scope_where(VacantCheck, scope)
    ).order_by(VacantCheck.week, ascending=False).limit(104)
    for check in checks:
        check["results"] = json_value(check["results"]) or {}
    owners = {h["id"]: h["owner_name"] for h in households}
    for visit in visits:
        visit["household_owner"] = owners.get(visit["household_id"] or "", "")
    return {"unit": unit, "building": building, "household": readable(role, household),
            "household_id": household["id"] if household else None,
            "household_version": household["version"] if household else None,
            "former": [{**readable(role, h), "id": h["id"],
                        "visits": [v for v in visits if v["household_id"] == h["id"]]} for h in former],
            "tickets": tickets, "visits": visits, "checks": checks}


async def unit_households(unit_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """Every live household of the unit in ``scope``: the current one first, then the
    former ones, most recently ended first."""
    rows = await Household.select().where(
        (Household.unit_id == unit_id) & (Household.deleted == False)  # noqa: E712
        & scope_where(Household, scope)).order_by(Household.created_at, ascending=False)
    current = [h for h in rows if not h["ended_on"]]
    former = sorted((h for h in rows if h["ended_on"]),
                    key=lambda h: (h["ended_on"], h["updated_at"] or ""), reverse=True)
    return current + former


async def current_household(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """The unit's current household (every column, unredacted: for writes), or None."""
    return await Household.select().where(
        (Household.unit_id == unit_id) & (Household.deleted == False) & CURRENT  # noqa: E712
        & scope_where(Household, scope)).order_by(Household.created_at, ascending=False).first()


async def household_id_taken(household_id: str, *, scope: Scope) -> bool:
    """Whether a household (live or deleted) in ``scope`` already has this id."""
    return await Household.exists().where((Household.id == household_id) & scope_where(Household, scope))


async def household(household_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One live household (every column, unredacted: for writes); None outside ``scope``."""
    return await Household.select().where(
        (Household.id == household_id) & (Household.deleted == False)  # noqa: E712
        & scope_where(Household, scope)).first()


async def unit_records(collection: str, unit_id: str, role: str, *, scope: Scope,
                       fields: tuple[str, ...], unit_field: str = "unit_id",
                       order_by: str = "created_at", limit: int = 100) -> list[dict[str, Any]]:
    """Live records of ``collection`` pointing at the unit, newest first: ``id`` and those
    of ``fields`` the role may read, in ``scope`` (a capability's unit-page section)."""
    table = SYNCED_TABLES[collection]
    readable_fields = policy.readable_fields(role, collection) or frozenset()
    columns = [table._meta.get_column_by_name(name)
               for name in ("id", *fields) if name in readable_fields]
    rows = await table.select(*columns).where(
        (table._meta.get_column_by_name(unit_field) == unit_id)
        & (table.deleted == False)  # noqa: E712
        & scope_where(table, scope)
    ).order_by(table._meta.get_column_by_name(order_by), ascending=False).limit(limit)
    return list(rows)
