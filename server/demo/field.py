"""Field work: patrol rounds with findings (巡查) and weekly vacant-unit checks (空置房巡检)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from schemas.vocab import REPORTED_FINDINGS, VACANT_CHECKLIST
from server.clock import iso
from server.demo import texts
from server.demo.context import DemoContext, Staff, UnitInfo, stable_id
from server.demo.tickets import TicketSpec, add_ticket

PATROL_DAYS = 14
VACANT_WEEKS = 8
MISSED_CHECK_SHARE = 0.18  # vacant units whose latest weekly check is overdue
DEFECT_CHANCE = 0.025  # per checklist item
FINDINGS_PER_ROUND = ((0, 1, 2, 3), (52, 30, 13, 5))
FINDING_KIND_WEIGHTS = {"safety_hazard": 10, "public_damage": 25, "tool_damage": 5,
                        "staff_off_post": 8, "parking": 25, "release_slip": 7, "other": 20}


def patrol_rounds(ctx: DemoContext) -> None:
    """Two rounds a day per steward (one day off a week) over the last two weeks; this
    morning's round is still open."""
    for steward in ctx.by_role("steward"):
        day_off = ctx.rng.randrange(7)
        for days in range(PATROL_DAYS, -1, -1):
            day = ctx.days_ago(days)
            if day.weekday() == day_off:
                continue
            for hour in (7, 15):
                start = ctx.local(day, hour, 20) + timedelta(minutes=ctx.rng.randrange(25))
                if start < ctx.now:
                    _round(ctx, steward, start, day)


def _round(ctx: DemoContext, steward: Staff, start: datetime, day: date) -> None:
    rng = ctx.rng
    end = start + timedelta(minutes=rng.randrange(40, 75))
    ongoing = end > ctx.now
    covered = steward.building_ids if start.hour < 12 else rng.sample(steward.building_ids, 2)
    round_id = stable_id("patrol_round", steward.username, day.isoformat(), start.hour)
    ctx.add_synced("patrol_round", {
        "id": round_id, "steward_id": steward.id, "started_at": iso(start),
        "ended_at": None if ongoing else iso(end), "status": "open" if ongoing else "ended",
        "covered_building_ids": list(covered), "notes": rng.choice(texts.PATROL_NOTES),
    }, at=start, by=steward.id, building_id=None, updated=min(end, ctx.now))
    count = rng.choices(*FINDINGS_PER_ROUND)[0]
    for n in range(count):
        occurred = start + (min(end, ctx.now) - start) * rng.random()
        _finding(ctx, steward, round_id, f"{round_id}:{n}", occurred, rng.choice(covered))


def _finding(ctx: DemoContext, steward: Staff, round_id: str, key: str, occurred: datetime,
             building_id: str) -> None:
    rng = ctx.rng
    kind = rng.choices(list(FINDING_KIND_WEIGHTS), weights=list(FINDING_KIND_WEIGHTS.values()))[0]
    area, severity_weights, descriptions, raises = texts.FINDINGS[kind]
    severity = rng.choices(("low", "medium", "high", "critical"), weights=severity_weights)[0]
    description = rng.choice(descriptions)
    floor = "B1" if area in ("garage", "fire") else str(rng.randrange(1, 7))
    finding_id = stable_id("finding", key)
    row: dict[str, Any] = {
        "id": finding_id, "round_id": round_id, "floor": floor, "area": area, "unit_id": None,
        "kind": kind, "severity": severity, "description": description, "occurred_at": iso(occurred),
        "ticket_id": None, "steward_id": steward.id,
        "handled": False, "handled_note": "", "handled_by": None, "handled_at": None,
    }
    handled = kind in REPORTED_FINDINGS and occurred < ctx.now - HANDLED_AFTER
    if handled:  # the manager dealt with the older reports; the last two days' still wait
        manager = ctx.by_role("manager")[0]
        row.update(handled=True, handled_note=HANDLING_NOTES[kind], handled_by=manager.id,
                   handled_at=iso(occurred + timedelta(hours=3)))
    ctx.add_synced("finding", row, at=occurred, by=steward.id, building_id=building_id,
                   updated=occurred + timedelta(hours=3) if handled else None,
                   updated_by=row["handled_by"])
    if raises and rng.random() < 0.85:
        created = occurred + timedelta(minutes=rng.randrange(1, 10))
        if created >= ctx.now:
            return
        ticket = add_ticket(ctx, TicketSpec(
            kind="patrol_finding", created=created, title=description,
            priority={"critical": "urgent", "high": "high"}.get(severity, "normal"),
            first_responder=steward, building_id=building_id, channel="patrol",
            place=f"{ctx.building_codes[building_id]} {floor}层", assignee=_team(kind),
            description=f"巡查发现：{description}", sources={"finding": finding_id}))
        row["ticket_id"] = ticket["id"]
        row["updated_at"] = ticket["created_at"]


HANDLED_AFTER = timedelta(days=2)
HANDLING_NOTES = {"staff_off_post": "已通知秩序部主管，当班人员已回岗并登记",
                  "release_slip": "已与门岗核对放行条，重申放行制度"}


def _team(kind: str) -> str:
    return {"tool_damage": "保洁", "safety_hazard": "秩序部"}.get(kind, "工程部")


def vacant_checks(ctx: DemoContext) -> None:
    """Each vacant unit is checked on its own weekday; meters creep up week by week."""
    rng = ctx.rng
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    for unit in (u for u in ctx.units if u.occupancy == "vacant"):
        weekday = rng.randrange(5)
        water, electric = round(rng.uniform(8, 60), 1), round(rng.uniform(150, 900), 1)
        missed_latest = rng.random() < MISSED_CHECK_SHARE
        days = [monday - timedelta(weeks=w) + timedelta(days=weekday) for w in range(VACANT_WEEKS, -1, -1)]
        days = [d for d in days if d < ctx.today]
        if missed_latest:
            days = days[:-1]
        for day in days:
            water = round(water + rng.uniform(0.0, 0.4), 1)
            electric = round(electric + rng.uniform(0.3, 3.5), 1)
            _check(ctx, unit, day, water, electric)


def _check(ctx: DemoContext, unit: UnitInfo, day: date, water: float, electric: float) -> None:
    rng = ctx.rng
    steward = ctx.steward_of[unit.building_id]
    at = ctx.daytime(day, 9, 17)
    results = {item: ("defect" if rng.random() < DEFECT_CHANCE else "ok") for item in VACANT_CHECKLIST}
    year, week, _ = day.isocalendar()
    check_id = stable_id("vacant_check", unit.code, f"{year}-W{week:02d}")
    defects = [item for item, result in results.items() if result == "defect"]
    row = ctx.add_synced("vacant_check", {
        "id": check_id, "unit_id": unit.id, "week": f"{year}-W{week:02d}", "checked_at": iso(at),
        "steward_id": steward.id, "results": results, "water_reading": water,
        "electric_reading": electric, "notes": "、".join(_DEFECT_WORDS[d] for d in defects),
    }, at=at, by=steward.id, building_id=unit.building_id)
    if defects:
        words = "、".join(_DEFECT_WORDS[d] for d in defects)
        add_ticket(ctx, TicketSpec(
            kind="vacant_defect", created=at + timedelta(minutes=5), title=f"空置房{unit.code}：{words}",
            priority="high" if "leaks" in defects else "normal", first_responder=steward,
            building_id=unit.building_id, channel="vacant_check", place=f"{unit.code} 户内",
            assignee="工程部", unit=unit, description=f"空置房巡检发现：{words}",
            sources={"check": check_id}))
        row["updated_at"] = row["created_at"]


_DEFECT_WORDS = {"doors_windows": "门窗未关好", "leaks": "厨房渗水", "power": "电源异常",
                 "smells": "室内有异味", "pests": "发现虫害", "cleanliness": "室内积灰严重"}
