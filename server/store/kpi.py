"""The manager's KPIs (domain.md) for one month, over the reader's scope (the manager's
estates), optionally one building of it.

Each KPI is a ratio numerator / denominator with its target; a KPI without a denominator
has no value (shown as "no data", never as 0 % or 100 %).
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.store.scoping import scope_where
from server.tables import FeeBill, Household, SyncClock, Ticket, Visit
from sync.scope import Scope

HANDLED = ("done", "called_back", "closed")
SATISFIED = 4  # satisfaction 4 or 5 of 5 counts as satisfied


class Kpi(msgspec.Struct, kw_only=True):
    key: str
    numerator: float
    denominator: float
    target: float  # a share (0.95 = 95 %)
    higher_is_better: bool = True

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value < self.target


def _scope(table: Any, scope: Scope, building_id: str | None) -> Any:
    condition = (table.deleted == False) & scope_where(table, scope)  # noqa: E712
    return condition & (table.building_id == building_id) if building_id else condition


async def _count(table: Any, where: Any) -> int:
    return await table.count().where(where)


async def month_kpis(start: str, end: str, month: str, building_id: str | None, *,
                     scope: Scope) -> list[Kpi]:
    """All seven KPIs for the month [start, end) (ISO UTC bounds of the local month) over
    ``scope``, or one building of it."""
    complaints = _scope(Ticket, scope, building_id) & (Ticket.kind == "complaint")
    in_month = (Ticket.created_at >= start) & (Ticket.created_at < end)
    handled_in_month = Ticket.status.is_in(list(HANDLED)) & (Ticket.done_at >= start) & (Ticket.done_at < end)
    handled = await _count(Ticket, complaints & handled_in_month)
    called_back = await _count(Ticket, complaints & handled_in_month & Ticket.called_back_at.is_not_null())
    received = await _count(Ticket, complaints & in_month)
    handled_of_received = await _count(Ticket, complaints & in_month & Ticket.status.is_in(list(HANDLED)))
    valid = await _count(Ticket, complaints & in_month & Ticket.invalid_category.is_null())
    current = _scope(Household, scope, building_id) & Household.ended_on.is_null()  # not a former one (过户)
    households = await _count(Household, current)
    known = await _count(Household, current & (Household.known_by_steward == True))  # noqa: E712
    surveyed, satisfied = await _satisfaction(start, end, scope, building_id)
    paid_services, paid_satisfied = await _paid_services(start, end, scope, building_id)
    due, paid = await _fees(month, scope, building_id)
    return [
        Kpi(key="complaint_callback_rate", numerator=called_back, denominator=handled, target=0.5),
        Kpi(key="satisfaction", numerator=satisfied, denominator=surveyed, target=0.9),
        Kpi(key="fee_collection", numerator=paid, denominator=due, target=0.95),
        Kpi(key="paid_service_satisfaction", numerator=paid_satisfied, denominator=paid_services, target=0.98),
        Kpi(key="complaint_handling_rate", numerator=handled_of_received, denominator=received, target=1.0),
        Kpi(key="valid_complaint_rate", numerator=valid, denominator=households, target=0.02,
            higher_is_better=False),
        Kpi(key="owner_familiarity", numerator=known, denominator=households, target=0.8),
    ]


SURVEYS = ("routine", "complaint_callback", "repair_callback")
"""Visit purposes that ask the owner's satisfaction (a fee reminder does not survey)."""


async def _satisfaction(start: str, end: str, scope: Scope, building_id: str | None) -> tuple[int, int]:
    """(owners surveyed, owners satisfied) in the month: satisfied owners / owners surveyed
    (v-company-manual). An owner (a unit's household; a ticket of no unit is its reporter)
    counts once a month, by the last rating given: a callback by phone that rates a ticket
    and the visit that records it are one survey, not two."""
    tickets = await Ticket.select(Ticket.id, Ticket.unit_id, Ticket.called_back_at, Ticket.satisfaction).where(
        _scope(Ticket, scope, building_id) & Ticket.satisfaction.is_not_null()
        & (Ticket.called_back_at >= start) & (Ticket.called_back_at < end))
    visits = await Visit.select(Visit.unit_id, Visit.visited_at, Visit.satisfaction).where(
        _scope(Visit, scope, building_id) & Visit.satisfaction.is_not_null() & Visit.purpose.is_in(list(SURVEYS))
        & (Visit.visited_at >= start) & (Visit.visited_at < end))
    ratings = [(t["unit_id"] or f"ticket:{t['id']}", t["called_back_at"], t["satisfaction"]) for t in tickets]
    ratings += [(v["unit_id"], v["visited_at"], v["satisfaction"]) for v in visits]
    last: dict[str, int] = {}
    for owner, _, score in sorted(ratings, key=lambda r: r[1]):
        last[owner] = score
    return len(last), sum(1 for score in last.values() if score >= SATISFIED)


async def _paid_services(start: str, end: str, scope: Scope, building_id: str | None) -> tuple[int, int]:
    """(paid services, satisfied): every paid special service (有偿特约服务) done in the
    month, rated or not: satisfied / paid services (v-company-manual); an unrated one is not
    a satisfied one."""
    services = _scope(Ticket, scope, building_id) & (Ticket.paid_service == True) & (  # noqa: E712
        Ticket.done_at >= start) & (Ticket.done_at < end) & Ticket.status.is_in(list(HANDLED))
    return (await _count(Ticket, services),
            await _count(Ticket, services & (Ticket.satisfaction >= SATISFIED)))


async def _fees(month: str, scope: Scope, building_id: str | None) -> tuple[float, float]:
    where = (FeeBill.month == month) & scope_where(FeeBill, scope)
    if building_id:
        where = where & (FeeBill.building_id == building_id)
    rows = await FeeBill.select(FeeBill.amount_due, FeeBill.amount_paid).where(where)
    return sum(r["amount_due"] for r in rows), sum(min(r["amount_paid"], r["amount_due"]) for r in rows)


async def clock_version() -> int:
    """The sync clock: the last server version any process committed (one number of the
    deployment, no record: the live endpoint's "something changed", not in any scope)."""
    row = await SyncClock.select(SyncClock.version).first()
    return int(row["version"]) if row else 0
