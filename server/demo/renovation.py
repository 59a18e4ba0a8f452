"""装修 in the demo: a case for each unit the estate shows as 装修中, at different steps (the
test awaited, works with a patrol's open rectification notice, 初验 due, 复验 coming up), the
fees from the handbook's figures (``sync.renovation``), the due days as the merge computes them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from server.clock import iso
from server.demo.context import DemoContext, UnitInfo, stable_id
from sync.renovation import SEED_FEES, STEP_DAY, STEPS, charge, due_days

# each case's step and how many days ago each of its steps was taken (the application first)
PLANS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("fees_paid", (6, 4, 2)),
    ("permitted", (40, 38, 36, 33, 30)),
    ("completed", (75, 73, 71, 68, 66, 3)),
    ("passes_returned", (170, 168, 166, 163, 161, 90, 86, 84)),
    ("permitted", (20, 19, 18, 15, 13)),
    ("approved", (2, 1)),
)
CONTRACTORS = ("郑州美家装饰", "业之峰装饰", "东易日盛", "本地施工队（业主自请）")
CHECKS = ("structure", "facade", "fire", "hours", "rubbish")


def renovations(ctx: DemoContext) -> None:
    """A case per unit under renovation, with its inspections."""
    units = [u for u in ctx.units if u.occupancy == "renovating"]
    for n, (unit, (status, ago)) in enumerate(zip(units, PLANS, strict=False)):
        _case(ctx, n, unit, status, ago)


def _at(ctx: DemoContext, day: date, hour: int) -> datetime:
    return min(ctx.local(day, hour), ctx.now - timedelta(minutes=10))


def _case(ctx: DemoContext, n: int, unit: UnitInfo, status: str, ago: tuple[int, ...]) -> None:
    rng = ctx.rng
    desk = ctx.by_role("desk")[0]
    steward = ctx.steward_of[unit.building_id]
    case_id = stable_id("renovation", unit.code)
    steps = STEPS[: STEPS.index(status) + 1]
    days = {STEP_DAY[s]: ctx.days_ago(d).isoformat() for s, d in zip(steps, ago, strict=True)}
    passes = rng.randrange(2, 6)
    row: dict[str, Any] = {
        "id": case_id, "unit_id": unit.id, "household_id": unit.household_id, "status": status,
        "owner_name": unit.owner_name, "contractor": CONTRACTORS[n % len(CONTRACTORS)],
        "contractor_phone": ctx.fake_phone(), "plan": "厨卫改造、铺地板、刷墙，不动承重墙和外立面",
        "unit_type": unit.unit_type, "area_m2": unit.area_m2,
        "papers": ["agreement", "application", "fire_pledge"] + (["test_form"] if "tested_on" in days else []),
        **{column: None for column in STEP_DAY.values()}, **days,
        "test_inspection_id": None, "first_inspection_id": None, "second_inspection_id": None,
        "quality_deposit_fen": 0, "rubbish_fen": 0, "passes_issued": 0, "pass_fee_fen": 0, "pass_deposit_fen": 0,
        "passes_returned": 0, "pass_deposit_refunded_fen": 0, "quality_deposit_refunded_fen": 0, "notes": "",
    }
    if "fees_paid_on" in days:
        row.update(msgspec.structs.asdict(charge(SEED_FEES, unit.unit_type, unit.area_m2, passes)))
    inspections: list[dict[str, Any]] = []
    for kind, day_column, link in (("test", "tested_on", "test_inspection_id"),
                                   ("first", "first_on", "first_inspection_id")):
        if day_column in days:
            inspection = _inspection(ctx, case_id, unit, kind, days[day_column], passed=True)
            inspections.append(inspection)
            row[link] = inspection["id"]
    if "passes_returned_on" in days:
        row.update(passes_returned=passes, pass_deposit_refunded_fen=row["pass_deposit_fen"])
    if "permit_on" in days:  # a patrol during the works; the latest case's notice is still open
        patrol_day = date.fromisoformat(days["permit_on"]) + timedelta(days=2)
        notice = n == 1 or n == 4
        inspections.append(_inspection(
            ctx, case_id, unit, "patrol", min(patrol_day, ctx.today).isoformat(), passed=None,
            results={c: ("defect" if notice and c == "rubbish" else "ok") for c in CHECKS},
            findings="楼道堆放装修垃圾" if notice else "施工正常", notice="三日内清运楼道装修垃圾" if notice else "",
            notice_due=(min(patrol_day, ctx.today) + timedelta(days=3)).isoformat() if notice else None))
    row.update(due_days(row))
    applied = date.fromisoformat(days["applied_on"])
    last = date.fromisoformat(max(days.values()))
    ctx.add_synced("renovation", row, at=_at(ctx, applied, 10), by=desk.id, building_id=unit.building_id,
                   updated=_at(ctx, last, 16), updated_by=desk.id if status not in ("tested", "first_passed")
                   else steward.id)
    for inspection in inspections:
        day = date.fromisoformat(inspection["inspected_on"])
        ctx.add_synced("renovation_inspection", inspection, at=_at(ctx, day, 11), by=steward.id,
                       building_id=unit.building_id)


def _inspection(ctx: DemoContext, case_id: str, unit: UnitInfo, kind: str, day: str, *, passed: bool | None,
                results: dict[str, str] | None = None, findings: str = "", notice: str = "",
                notice_due: str | None = None) -> dict[str, Any]:
    steward = ctx.steward_of[unit.building_id]
    at = _at(ctx, date.fromisoformat(day), 11)
    return {
        "id": stable_id("renovation_inspection", case_id, kind, day), "renovation_id": case_id, "kind": kind,
        "inspected_at": iso(at),
        "inspected_on": day, "steward_id": steward.id, "results": results or {},
        "findings": findings or ("打压、闭水合格，业主签字确认" if kind == "test" else "验收合格，业主签字确认"),
        "notice": notice, "notice_due": notice_due, "checks_notice_id": None, "notice_result": None,
        "passed": passed, "signature_sha256": None,
    }
