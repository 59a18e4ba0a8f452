"""The records behind a KPI figure (drill-down, issue 15): the month's complaints, owners
surveyed, paid services, fee bills or households that make a numerator or a denominator.

The lists are read with the same conditions as the figures (``server.store.kpi``), so a
list is as long as the count it explains (fees: the bills whose amounts sum to it). Owners'
names show only to a role that may see personal data (``personal``); the company role gets
unit numbers and ticket numbers, never a name.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec

from server.clock import now_iso
from server.store import places
from server.store.kpi import HANDLED, SATISFIED, SURVEYS
from server.store.scoping import scope_where
from server.tables import FamiliarityAssessment, FamiliarityCheck, FeeBill, Household, Ticket, Unit, Visit
from sync.familiarity import QUIZ_FACTS
from sync.scope import Scope

PARTS = ("numerator", "denominator")

COLUMNS: dict[str, tuple[str, ...]] = {
    "complaints_handled": ("number", "building", "unit", "title", "done_at", "called_back_at", "callback_visit_at",
                           "score"),
    "complaints_received": ("number", "building", "unit", "title", "status", "created_at", "invalid_category"),
    "paid_services": ("number", "building", "unit", "title", "done_at", "score"),
    "owners": ("building", "unit", "owner", "rated_at", "score", "source"),
    "fee_bills": ("building", "unit", "due", "paid"),
    "households": ("building", "unit", "owner"),
    "familiarity_checks": ("building", "unit", "owner", "check", "right", "marks"),
    "responses": ("number", "building", "unit", "title", "created_at", "response_due_at", "responded_at"),
}
"""The columns of each kind of list (labels ``kpi_records.<column>`` in the catalogues)."""

LISTS: dict[tuple[str, str], str] = {
    ("complaint_callback_rate", "numerator"): "complaints_handled",
    ("complaint_callback_rate", "denominator"): "complaints_handled",
    ("satisfaction", "numerator"): "owners",
    ("satisfaction", "denominator"): "owners",
    ("fee_collection", "numerator"): "fee_bills",
    ("fee_collection", "denominator"): "fee_bills",
    ("paid_service_satisfaction", "numerator"): "paid_services",
    ("paid_service_satisfaction", "denominator"): "paid_services",
    ("complaint_handling_rate", "numerator"): "complaints_received",
    ("complaint_handling_rate", "denominator"): "complaints_received",
    ("valid_complaint_rate", "numerator"): "complaints_received",
    ("valid_complaint_rate", "denominator"): "households",
    ("owner_familiarity", "numerator"): "familiarity_checks",
    ("owner_familiarity", "denominator"): "familiarity_checks",
    ("response_on_time", "numerator"): "responses",
    ("response_on_time", "denominator"): "responses",
}
"""Which list explains each KPI's numerator and denominator."""


class Records(msgspec.Struct, kw_only=True):
    kind: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


async def records(key: str, part: str, start: str, end: str, month: str, buildings: Collection[str] | None,
                  *, scope: Scope, personal: bool) -> Records:
    """The records counted in ``key``'s ``part`` for the month [start, end) over ``scope``,
    limited to ``buildings`` (None: all of the scope)."""
    kind = LISTS[(key, part)]
    where = (lambda table: _in(table, scope, buildings))
    if kind in ("complaints_handled", "paid_services"):
        rows = await _tickets(where(Ticket) & Ticket.status.is_in(list(HANDLED)) & (Ticket.done_at >= start)
                              & (Ticket.done_at < end) & (
                                  (Ticket.kind == "complaint") if kind == "complaints_handled"
                                  else (Ticket.paid_service == True)))  # noqa: E712
        if kind == "complaints_handled":
            await _add_callback_visits(rows)
            counted = [r for r in rows if r["called_back_at"] is not None]
        else:
            counted = [r for r in rows if (r["score"] or 0) >= SATISFIED]
    elif kind == "complaints_received":
        rows = await _tickets(where(Ticket) & (Ticket.kind == "complaint") & (Ticket.created_at >= start)
                              & (Ticket.created_at < end))
        counted = [r for r in rows if (r["status"] in HANDLED if key == "complaint_handling_rate"
                                       else r["invalid_category"] is None)]
    elif kind == "responses":
        rows = await _tickets(where(Ticket) & (Ticket.created_at >= start) & (Ticket.created_at < end)
                              & Ticket.response_due_at.is_not_null() & (
                                  Ticket.responded_at.is_not_null() | (Ticket.response_due_at < now_iso())))
        counted = [r for r in rows if r["responded_at"] and r["responded_at"] <= r["response_due_at"]]
    elif kind == "owners":
        rows = await _owners(start, end, where, _in(FamiliarityCheck, msgspec.structs.replace(scope, own_user=None),
                                                    buildings, deleted=False))
        counted = [r for r in rows if r["score"] >= SATISFIED]
    elif kind == "fee_bills":
        rows = [{"building_id": b["building_id"], "unit_id": b["unit_id"], "due": b["amount_due"],
                 "paid": min(b["amount_paid"], b["amount_due"])} for b in await FeeBill.select().where(
            _in(FeeBill, msgspec.structs.replace(scope, own_user=None), buildings, deleted=False)
            & (FeeBill.month == month) & (FeeBill.item == "property")).order_by(FeeBill.id)]
        counted = [r for r in rows if r["paid"] > 0]
    elif kind == "familiarity_checks":
        rows = await _familiarity_checks(month, _in(FamiliarityCheck, msgspec.structs.replace(scope, own_user=None),
                                                    buildings, deleted=False))
        counted = [r for r in rows if r["right"]]
    else:
        rows = [{"building_id": h["building_id"], "unit_id": h["unit_id"], "owner": h["owner_name"]}
                for h in await Household.select(Household.building_id, Household.unit_id, Household.owner_name).where(
                    where(Household) & Household.ended_on.is_null())]
        counted = rows
    shown = counted if part == "numerator" else rows
    await _add_places(shown, scope)
    if not personal:
        for row in shown:
            row["owner"] = None
    return Records(kind=kind, columns=COLUMNS[kind], rows=sorted(shown, key=_order))


async def _familiarity_checks(month: str, where: Any) -> list[dict[str, Any]]:
    """The checks of the month's finished assessments (应会 1.5): each quiz unit with the facts
    marked and recited right, each owner reached with whether they know the steward's name."""
    done = [a["id"] for a in await FamiliarityAssessment.select(FamiliarityAssessment.id).where(
        (FamiliarityAssessment.month == month) & (FamiliarityAssessment.status == "done"))]
    if not done:
        return []
    checks = await FamiliarityCheck.select().where(where & FamiliarityCheck.assessment_id.is_in(done))
    owners = {h["id"]: h["owner_name"] for h in await Household.select(Household.id, Household.owner_name).where(
        Household.id.is_in(sorted({c["household_id"] for c in checks}) or [""]))}
    rows = []
    for c in checks:
        if c["kind"] == "quiz":
            marked = [c[f] for f in QUIZ_FACTS if c[f] is not None]
            right, marks = sum(1 for v in marked if v), len(marked)
        elif c["reached"]:
            right, marks = int(bool(c["knows_steward"])), 1
        else:
            continue  # an owner not reached counts nowhere
        rows.append({"building_id": c["building_id"], "unit_id": c["unit_id"], "owner": owners.get(c["household_id"]),
                     "check": c["kind"], "right": right, "marks": marks})
    return rows


def _in(table: Any, scope: Scope, buildings: Collection[str] | None, *, deleted: bool = True) -> Any:
    condition = scope_where(table, scope)
    if deleted:
        condition = condition & (table.deleted == False)  # noqa: E712
    if buildings is not None:
        condition = condition & table.building_id.is_in(sorted(buildings) or [""])
    return condition


async def _tickets(where: Any) -> list[dict[str, Any]]:
    rows = await Ticket.select(
        Ticket.id, Ticket.number, Ticket.building_id, Ticket.unit_id, Ticket.title, Ticket.status,
        Ticket.created_at, Ticket.done_at, Ticket.called_back_at, Ticket.satisfaction, Ticket.invalid_category,
        Ticket.reporter_name, Ticket.response_due_at, Ticket.responded_at).where(where)
    return [{**r, "ticket_id": r["id"], "score": r["satisfaction"], "owner": r["reporter_name"]} for r in rows]


async def _add_callback_visits(rows: list[dict[str, Any]]) -> None:
    """The callback visit recorded for each complaint (the last one), if any."""
    ids = [r["id"] for r in rows]
    visits: dict[str, str] = {}
    if ids:
        for v in await Visit.select(Visit.ticket_id, Visit.visited_at).where(
                Visit.ticket_id.is_in(ids) & (Visit.deleted == False) & Visit.visited_at.is_not_null()  # noqa: E712
        ).order_by(Visit.visited_at):
            visits[v["ticket_id"]] = v["visited_at"]
    for row in rows:
        row["callback_visit_at"] = visits.get(row["id"])


async def _owners(start: str, end: str, where: Any, checks_where: Any) -> list[dict[str, Any]]:
    """Each owner surveyed in the month with the last rating given (the rule of
    ``server.store.kpi._satisfaction``): a unit's household, or a ticket's reporter; rated
    at a ticket's callback, a visit, or an owner call of a 25th assessment finished then."""
    tickets = await _tickets(where(Ticket) & Ticket.satisfaction.is_not_null()
                             & (Ticket.called_back_at >= start) & (Ticket.called_back_at < end))
    visits = await Visit.select(Visit.id, Visit.unit_id, Visit.building_id, Visit.visited_at, Visit.satisfaction,
                                Visit.purpose).where(
        where(Visit) & Visit.satisfaction.is_not_null() & Visit.purpose.is_in(list(SURVEYS))
        & (Visit.visited_at >= start) & (Visit.visited_at < end))
    ratings = [(t["unit_id"] or f"ticket:{t['id']}", t["called_back_at"], 0, t["id"],
                {"building_id": t["building_id"], "unit_id": t["unit_id"], "owner": t["owner"],
                 "rated_at": t["called_back_at"], "score": t["score"], "ticket_id": t["id"], "number": t["number"],
                 "source": "ticket"}) for t in tickets]
    ratings += [(v["unit_id"], v["visited_at"], 1, v["id"],
                 {"building_id": v["building_id"], "unit_id": v["unit_id"], "owner": None,
                  "rated_at": v["visited_at"], "score": v["satisfaction"], "ticket_id": None, "number": None,
                  "source": v["purpose"]}) for v in visits]
    finished = {a["id"]: a["finished_at"] for a in await FamiliarityAssessment.select(
        FamiliarityAssessment.id, FamiliarityAssessment.finished_at).where(
        (FamiliarityAssessment.status == "done") & (FamiliarityAssessment.finished_at >= start)
        & (FamiliarityAssessment.finished_at < end))}
    calls = await FamiliarityCheck.select(FamiliarityCheck.id, FamiliarityCheck.assessment_id, FamiliarityCheck.unit_id,
                                          FamiliarityCheck.building_id, FamiliarityCheck.rating).where(
        checks_where & FamiliarityCheck.assessment_id.is_in(sorted(finished) or [""])
        & (FamiliarityCheck.kind == "call") & (FamiliarityCheck.reached == True)  # noqa: E712
        & FamiliarityCheck.rating.is_not_null())
    ratings += [(c["unit_id"], finished[c["assessment_id"]], 2, c["id"],
                 {"building_id": c["building_id"], "unit_id": c["unit_id"], "owner": None,
                  "rated_at": finished[c["assessment_id"]], "score": c["rating"], "ticket_id": None, "number": None,
                  "source": "assessment"}) for c in calls]
    last: dict[str, dict[str, Any]] = {}
    for owner, _, _, _, row in sorted(ratings, key=lambda r: (r[1], r[2], r[3])):
        last[owner] = row
    unit_ids = sorted({r["unit_id"] for r in last.values() if r["unit_id"]})
    households = Household.select(Household.unit_id, Household.owner_name)
    names = {h["unit_id"]: h["owner_name"] for h in await households.where(
        Household.unit_id.is_in(unit_ids or [""]) & (Household.deleted == False)  # noqa: E712
        & Household.ended_on.is_null())}
    for row in last.values():
        if row["unit_id"]:
            row["owner"] = names.get(row["unit_id"])
    return list(last.values())


async def _add_places(rows: list[dict[str, Any]], scope: Scope) -> None:
    """Building and unit codes for display (units read within the scope)."""
    codes = await places.codes_of({r["building_id"] for r in rows if r.get("building_id")})
    unit_ids = sorted({r["unit_id"] for r in rows if r.get("unit_id")})
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(
        Unit.id.is_in(unit_ids or [""]) & scope_where(Unit, scope))}
    for row in rows:
        row["building"] = codes.get(row.get("building_id") or "", "")
        row["unit"] = units.get(row.get("unit_id") or "", "")


def _order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (places.natural(row["building"]), places.natural(row["unit"]), row.get("number") or "")
