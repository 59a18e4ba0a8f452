"""The manager's KPIs (domain.md) for a month, over the reader's scope (the manager's
estates), optionally one building of it; per building and per steward; over a run of months.

Each KPI is a ratio numerator / denominator with its target; a KPI without a denominator
has no value (shown as "no data", never as 0 % or 100 %).

Every figure is built from ``Counts``: the month's counts of one building, read by a handful
of grouped queries (one per source table, whatever the number of buildings and months:
``GROUP BY month, building_id``). A record's building decides where it counts. The estate's
figure is the sum of its buildings' counts, so the parts add up by construction: every
KPI's numerator and denominator are sums over buildings (an owner is one unit's household,
or a ticket's reporter, so surveyed owners never span two buildings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from server.clock import now_iso
from server.store.scoping import scope_sql
from server.tables import FeeBill, Household, SyncClock, Ticket
from sync.familiarity import QUIZ_FACTS
from sync.scope import Scope

HANDLED = ("done", "called_back", "closed")
SATISFIED = 4  # satisfaction 4 or 5 of 5 counts as satisfied
SURVEYS = ("routine", "complaint_callback", "repair_callback")
"""Visit purposes that ask the owner's satisfaction (a fee reminder does not survey)."""


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


class KpiDef(msgspec.Struct, frozen=True, kw_only=True):
    """A KPI as the manuals define it: which counts divide, and the target."""

    key: str
    numerator: str
    denominator: str
    target: float
    higher_is_better: bool = True


DEFINITIONS: tuple[KpiDef, ...] = (
    # 投诉处理回访率 = complaints called back / complaints handled (done) in the month
    KpiDef(key="complaint_callback_rate", numerator="called_back", denominator="handled", target=0.5),
    # 客户服务满意率 = satisfied owners / owners surveyed (v-company-manual)
    KpiDef(key="satisfaction", numerator="satisfied", denominator="surveyed", target=0.9),
    # 管理费收缴率 = 物业费 collected / 物业费 due (parking, water and power have their own
    # collection rates on the 费用催缴 page)
    KpiDef(key="fee_collection", numerator="paid", denominator="due", target=0.95),
    # 有偿服务满意率 = satisfied / every paid service done
    KpiDef(key="paid_service_satisfaction", numerator="paid_satisfied", denominator="paid_services", target=0.98),
    # 投诉处理率 = complaints of the month handled / complaints received
    KpiDef(key="complaint_handling_rate", numerator="handled_of_received", denominator="received", target=1.0),
    # 住户月有效投诉率 = valid complaints / households
    KpiDef(key="valid_complaint_rate", numerator="valid", denominator="households", target=0.02,
           higher_is_better=False),
    # 业主熟知率 (应会 1.5, the manager's assessment on the 25th) = facts the stewards recited
    # right + owners reached who know their steward's name / facts marked + owners reached,
    # over the month's finished assessments (sync.familiarity.assessment_rates, summed)
    KpiDef(key="owner_familiarity", numerator="familiar", denominator="familiarity_marks", target=0.8),
    # 及时响应率 = tickets first answered within their response limit / tickets received whose
    # limit has passed or that were answered (new-staff-summary: 咨询不超过30分钟, 投诉24小时内
    # 初步响应, 设备故障2小时内初步排查: every one, so the target is all of them)
    KpiDef(key="response_on_time", numerator="responded_on_time", denominator="response_due", target=1.0),
)
BY_KEY: Mapping[str, KpiDef] = {d.key: d for d in DEFINITIONS}

COUNTS = ("handled", "called_back", "received", "handled_of_received", "valid", "paid_services",
          "paid_satisfied", "surveyed", "satisfied", "due", "paid", "households", "familiar",
          "familiarity_marks",
          "response_due", "responded_on_time")
"""The counts every KPI is a ratio of (fees are amounts, the rest numbers of records)."""

Counts = dict[str, float]
Month = tuple[str, str, str]  # (month "2026-11", start, end): ISO UTC bounds of the local month


def kpis_of(counts: Mapping[str, float]) -> list[Kpi]:
    """The KPIs of a set of counts (a building's, a steward's or the estate's)."""
    return [Kpi(key=d.key, numerator=counts.get(d.numerator, 0), denominator=counts.get(d.denominator, 0),
                target=d.target, higher_is_better=d.higher_is_better) for d in DEFINITIONS]


def total(parts: Iterable[Mapping[str, float]]) -> Counts:
    """The sum of several buildings' counts."""
    summed: Counts = dict.fromkeys(COUNTS, 0)
    for part in parts:
        for name in COUNTS:
            summed[name] += part.get(name, 0)
    return summed


async def month_kpis(start: str, end: str, month: str, building_id: str | None, *,
                     scope: Scope) -> list[Kpi]:
    """All the KPIs for the month [start, end) (ISO UTC bounds of the local month) over
    ``scope``, or one building of it."""
    parts = await counts_by_building([(month, start, end)], building_id, scope=scope)
    return kpis_of(total(parts.get(month, {}).values()))


async def trend(months: Sequence[Month], building_id: str | None, *, scope: Scope) -> list[tuple[str, list[Kpi]]]:
    """Each month's KPIs (oldest first), from the same grouped queries as one month."""
    parts = await counts_by_building(months, building_id, scope=scope)
    return [(month, kpis_of(total(parts.get(month, {}).values()))) for month, _, _ in months]


async def counts_by_building(months: Sequence[Month], building_id: str | None, *,
                             scope: Scope) -> dict[str, dict[str | None, Counts]]:
    """``{month: {building_id: counts}}`` for the given months over ``scope`` (or one
    building): six grouped queries, whatever the number of months and buildings. Records
    without a building (an office's ticket of no place) count under ``None``."""
    out: dict[str, dict[str | None, Counts]] = {m: {} for m, _, _ in months}

    def add(rows: Iterable[dict[str, Any]], names: Sequence[str]) -> None:
        for row in rows:
            if row["month"] not in out:
                continue
            cell = out[row["month"]].setdefault(row["building_id"], dict.fromkeys(COUNTS, 0))
            for name in names:
                cell[name] += float(row[name] or 0) if name in ("due", "paid") else int(row[name] or 0)

    handled = ", ".join(f"'{s}'" for s in HANDLED)
    complaint = f"kind = 'complaint' AND {_in_scope(scope, building_id)}"
    by_done = await _grouped(months, "ticket", "done_at", complaint + f" AND status IN ({handled})",
                             "count(*) AS handled, "
                             "SUM(CASE WHEN called_back_at IS NOT NULL THEN 1 ELSE 0 END) AS called_back",
                             scope, building_id)
    add(by_done, ("handled", "called_back"))
    by_created = await _grouped(months, "ticket", "created_at", complaint,
                                "count(*) AS received, "
                                f"SUM(CASE WHEN status IN ({handled}) THEN 1 ELSE 0 END) AS handled_of_received, "
                                "SUM(CASE WHEN invalid_category IS NULL THEN 1 ELSE 0 END) AS valid",
                                scope, building_id)
    add(by_created, ("received", "handled_of_received", "valid"))
    paid = await _grouped(months, "ticket", "done_at",
                          f"paid_service = true AND status IN ({handled}) AND {_in_scope(scope, building_id)}",
                          f"count(*) AS paid_services, SUM(CASE WHEN satisfaction >= {SATISFIED} THEN 1 ELSE 0 END)"
                          " AS paid_satisfied", scope, building_id)
    add(paid, ("paid_services", "paid_satisfied"))
    responses = await _grouped(months, "ticket", "created_at", f"{answerable(now_iso())} AND {_in_scope(scope, building_id)}",
                               "count(*) AS response_due, SUM(CASE WHEN responded_at IS NOT NULL AND "
                               "responded_at <= response_due_at THEN 1 ELSE 0 END) AS responded_on_time",
                               scope, building_id)
    add(responses, ("response_due", "responded_on_time"))
    add(await _satisfaction(months, building_id, scope=scope), ("surveyed", "satisfied"))
    add(await _fees(months, building_id, scope=scope), ("due", "paid"))
    add(await _familiarity(months, building_id, scope=scope), ("familiar", "familiarity_marks"))
    for cells in out.values():  # households are counted as they stand (not per month)
        cells.setdefault(None, dict.fromkeys(COUNTS, 0))
    for row in await _households(building_id, scope=scope):
        for cells in out.values():
            cell = cells.setdefault(row["building_id"], dict.fromkeys(COUNTS, 0))
            cell["households"] = int(row["households"])
    for cells in out.values():  # drop the empty "no building" cell
        if not any(cells[None].values()):
            del cells[None]
    return out


def answerable(now: str) -> str:
    """Tickets whose first response can be judged at ``now``: answered, or past the limit
    unanswered (one still inside its limit is neither on time nor late yet). ``now`` is the
    server's clock in ISO form, written into the statement (checked: never user text)."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", now), now
    return f"response_due_at IS NOT NULL AND (responded_at IS NOT NULL OR response_due_at < '{now}')"


def _in_scope(scope: Scope, building_id: str | None) -> str:
    """The scope condition with ``{}`` marks (its parameters come from ``_scope_args``)."""
    condition, _ = scope_sql(scope, mark="{}")
    return f"deleted = false AND {condition}" + (" AND building_id = {}" if building_id else "")


def _scope_args(scope: Scope, building_id: str | None) -> list[Any]:
    _, args = scope_sql(scope, mark="{}")
    return [*args, *([building_id] if building_id else [])]


def _month_case(months: Sequence[Month], column: str) -> tuple[str, list[str]]:
    """``CASE WHEN column in month 1 THEN '2026-01' …``: the local month a UTC timestamp
    falls in (month labels are generated "YYYY-MM", never user text)."""
    whens, args = [], []
    for month, start, end in months:
        assert len(month) == 7 and month[4] == "-" and month.replace("-", "").isdigit(), month
        whens.append(f"WHEN {column} >= {{}} AND {column} < {{}} THEN '{month}'")
        args += [start, end]
    return "CASE " + " ".join(whens) + " END", args


def _span(months: Sequence[Month], column: str) -> tuple[str, list[str]]:
    return f"{column} >= {{}} AND {column} < {{}}", [min(m[1] for m in months), max(m[2] for m in months)]


async def _grouped(months: Sequence[Month], table: str, column: str, where: str, aggregates: str,
                   scope: Scope, building_id: str | None) -> list[dict[str, Any]]:
    case, case_args = _month_case(months, column)
    span, span_args = _span(months, column)
    sql = (f"SELECT month, building_id, {aggregates} FROM (SELECT *, {case} AS month FROM {table} "
           f"WHERE {where} AND {span}) AS t GROUP BY month, building_id")
    return await Ticket.raw(sql, *case_args, *_scope_args(scope, building_id), *span_args)


async def _satisfaction(months: Sequence[Month], building_id: str | None, *, scope: Scope) -> list[dict[str, Any]]:
    """(owners surveyed, owners satisfied) per month and building: satisfied owners / owners
    surveyed (v-company-manual). The ratings: a ticket's callback, a visit that asks, and an
    owner the manager reached and who rated in a finished 25th assessment (应会 1.5). An
    owner (a unit's household; a ticket of no unit is its reporter) counts once a month, by
    the last rating given: a callback by phone that rates a ticket and the visit that
    records it are one survey, not two (at the same moment the visit's rating is kept)."""
    ticket_case, ticket_case_args = _month_case(months, "called_back_at")
    ticket_span, ticket_span_args = _span(months, "called_back_at")
    visit_case, visit_case_args = _month_case(months, "visited_at")
    visit_span, visit_span_args = _span(months, "visited_at")
    call_case, call_case_args = _month_case(months, "finished_at")
    call_span, call_span_args = _span(months, "finished_at")
    checks = msgspec.structs.replace(scope, own_user=None)  # the manager's, not a steward's own
    purposes = ", ".join(f"'{p}'" for p in SURVEYS)
    sql = (
        "SELECT month, building_id, count(*) AS surveyed, "
        f"SUM(CASE WHEN score >= {SATISFIED} THEN 1 ELSE 0 END) AS satisfied FROM ("
        " SELECT month, building_id, score, ROW_NUMBER() OVER ("
        "  PARTITION BY month, owner ORDER BY at DESC, source DESC, id DESC) AS latest FROM ("
        f"  SELECT COALESCE(unit_id, 'ticket:' || id) AS owner, building_id, called_back_at AS at,"
        f"   satisfaction AS score, 0 AS source, id, {ticket_case} AS month FROM ticket"
        f"   WHERE {_in_scope(scope, building_id)} AND satisfaction IS NOT NULL AND {ticket_span}"
        "  UNION ALL"
        f"  SELECT unit_id AS owner, building_id, visited_at AS at, satisfaction AS score, 1 AS source, id,"
        f"   {visit_case} AS month FROM visit"
        f"   WHERE {_in_scope(scope, building_id)} AND satisfaction IS NOT NULL AND purpose IN ({purposes})"
        f"   AND {visit_span}"
        "  UNION ALL"
        f"  SELECT unit_id AS owner, building_id, finished_at AS at, rating AS score, 2 AS source, id,"
        f"   {call_case} AS month FROM (SELECT c.id, c.estate_id, c.building_id, c.unit_id, c.rating,"
        "    a.finished_at, false AS deleted FROM familiarity_check c JOIN familiarity_assessment a"
        "    ON a.id = c.assessment_id WHERE a.status = 'done' AND c.kind = 'call' AND c.reached"
        f"    AND c.rating IS NOT NULL) AS calls WHERE {_in_scope(checks, building_id)} AND {call_span}"
        ") AS ratings) AS ranked WHERE latest = 1 GROUP BY month, building_id")
    args = _scope_args(scope, building_id)
    return await Ticket.raw(sql, *ticket_case_args, *args, *ticket_span_args,
                            *visit_case_args, *args, *visit_span_args,
                            *call_case_args, *_scope_args(checks, building_id), *call_span_args)


async def _fees(months: Sequence[Month], building_id: str | None, *, scope: Scope) -> list[dict[str, Any]]:
    """Fees due and collected (a bill's overpayment is not collection of another's) per month."""
    condition, args = scope_sql(msgspec.structs.replace(scope, own_user=None), mark="{}")  # no created_by
    labels = [m for m, _, _ in months]
    sql = ("SELECT month, building_id, SUM(amount_due) AS due, "
           "SUM(CASE WHEN amount_paid < amount_due THEN amount_paid ELSE amount_due END) AS paid FROM fee_bill "
           f"WHERE {condition} AND item = 'property' AND month IN ({', '.join(['{}'] * len(labels))})"
           + (" AND building_id = {}" if building_id else "") + " GROUP BY month, building_id")
    return await FeeBill.raw(sql, *args, *labels, *([building_id] if building_id else []))


FACT_MARKS = " + ".join(f"CASE WHEN {f} IS NULL THEN 0 ELSE 1 END" for f in QUIZ_FACTS)
FACTS_RIGHT = " + ".join(f"CASE WHEN {f} THEN 1 ELSE 0 END" for f in QUIZ_FACTS)


async def _familiarity(months: Sequence[Month], building_id: str | None, *, scope: Scope) -> list[dict[str, Any]]:
    """业主熟知率's counts per month (the assessment's) and building (the drawn unit's), from
    the checks of finished assessments: a quiz unit's facts marked and recited right, a called
    owner reached and knowing the steward's name."""
    condition, args = scope_sql(msgspec.structs.replace(scope, own_user=None), mark="{}")  # no created_by
    labels = [m for m, _, _ in months]
    sql = ("SELECT month, building_id, "
           f"SUM(CASE WHEN kind = 'quiz' THEN {FACTS_RIGHT} "
           "WHEN reached AND knows_steward THEN 1 ELSE 0 END) AS familiar, "
           f"SUM(CASE WHEN kind = 'quiz' THEN {FACT_MARKS} WHEN reached THEN 1 ELSE 0 END) AS familiarity_marks "
           "FROM (SELECT c.*, a.month FROM familiarity_check c JOIN familiarity_assessment a "
           "ON a.id = c.assessment_id WHERE a.status = 'done') AS checks "
           f"WHERE {condition} AND month IN ({', '.join(['{}'] * len(labels))})"
           + (" AND building_id = {}" if building_id else "") + " GROUP BY month, building_id")
    return await FeeBill.raw(sql, *args, *labels, *([building_id] if building_id else []))


async def _households(building_id: str | None, *, scope: Scope) -> list[dict[str, Any]]:
    """Current households (not a former one, 过户) per building."""
    sql = ("SELECT building_id, count(*) AS households FROM household "
           f"WHERE {_in_scope(scope, building_id)} AND ended_on IS NULL GROUP BY building_id")
    return await Household.raw(sql, *_scope_args(scope, building_id))


async def clock_version() -> int:
    """The sync clock: the last server version any process committed (one number of the
    deployment, no record: the live endpoint's "something changed", not in any scope)."""
    row = await SyncClock.select(SyncClock.version).first()
    return int(row["version"]) if row else 0
