"""Field work seen from the desk: vacant-unit checks due, the patrol log, stewards' phones,
and findings that look like duplicates. Every list takes the reader's ``Scope``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from schemas.vocab import PATROL_ROUNDS_PER_DAY, REPORTED_FINDINGS
from server.store.scoping import scope_where
from server.store.places import building_codes, buildings, natural
from server.store.rows import json_value
from server.tables import (
    BuildingAssignment, Finding, PatrolRound, StaffEstate, StaffUser, SyncDevice, Unit, VacantCheck,
)
from sync.scope import Scope

CHECK_ITEMS = ("doors_windows", "leaks", "power", "smells", "pests", "cleanliness")


async def vacant_units(this_week: str, last_week: str, building_id: str | None = None, *,
                       scope: Scope) -> list[dict[str, Any]]:
    """Every vacant unit of the scope with its last two checks: due (not checked this week)
    and overdue (not checked last week either), last result and meter use week over week."""
    query = Unit.select(Unit.id, Unit.code, Unit.building_id).where(
        (Unit.occupancy == "vacant") & (Unit.deleted == False) & scope_where(Unit, scope))  # noqa: E712
    if building_id:
        query = query.where(Unit.building_id == building_id)
    units = await query.order_by(Unit.code)
    if not units:
        return []
    checks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in await VacantCheck.select().where(
        VacantCheck.unit_id.is_in([u["id"] for u in units]) & (VacantCheck.deleted == False)  # noqa: E712
        & scope_where(VacantCheck, scope)
    ).order_by(VacantCheck.week, ascending=False):
        if len(checks[c["unit_id"]]) < HISTORY:
            c["results"] = json_value(c["results"]) or {}
            checks[c["unit_id"]].append(c)
    codes = await building_codes(scope=scope)
    rows = [_vacant_row(u, checks.get(u["id"], []), codes, this_week, last_week) for u in units]
    return sorted(rows, key=lambda r: (not r["overdue"], r["checked"], natural(r["building_code"]), natural(r["code"])))



def _vacant_row(unit: dict[str, Any], checks: list[dict[str, Any]], codes: dict[str, str],
                this_week: str, last_week: str) -> dict[str, Any]:
    last = checks[0] if checks else None
    before = checks[1] if len(checks) > 1 else None
    defects = [k for k, v in (last["results"] if last else {}).items() if v == "defect"]
    return {
        **unit, "building_code": codes.get(unit["building_id"] or "", ""), "last": last,
        "checked": bool(last and last["week"] == this_week),
        "overdue": not last or last["week"] < last_week,
        "defects": defects,
        "water_use": _use(last, before, "water_reading"),
        "electric_use": _use(last, before, "electric_reading"),
        "water_flag": reading_flag([c["water_reading"] for c in reversed(checks)], HIGH_USE_FLOOR["water"]),
        "electric_flag": reading_flag([c["electric_reading"] for c in reversed(checks)], HIGH_USE_FLOOR["electric"]),
    }


HISTORY = 9  # checks kept per unit: eight weeks of use to know what is usual
HIGH_USE_FLOOR = {"water": 1.0, "electric": 10.0}  # as the phone's (web/static/app/schedule.js)


def reading_flag(readings: list[float | None], floor: float) -> str | None:
    """What is odd about the latest reading, oldest first (the phone's ``readingWarnings``
    asks the steward the same before saving): ``lower`` than the one before, or a week's
    use ``high`` above 3x the unit's median weekly use (at least ``floor``)."""
    series = [r for r in readings if r is not None]
    if len(series) < 2:
        return None
    last, before = series[-1], series[-2]
    if last < before:
        return "lower"
    uses = sorted(b - a for a, b in zip(series[:-2], series[1:-1]) if b >= a)
    usual = uses[len(uses) // 2] if uses else 0.0
    return "high" if last - before > max(3 * usual, floor) else None


def _use(last: dict[str, Any] | None, before: dict[str, Any] | None, field: str) -> float | None:
    if not last or not before or last[field] is None or before[field] is None:
        return None
    return round(last[field] - before[field], 2)


async def patrol_day(start: str, end: str, *, scope: Scope) -> dict[str, Any]:
    """Rounds started and findings made in [start, end) in the scope, by building; each
    building's rounds that day (``coverage``, the stewards assigned to it named), those
    with fewer than ``PATROL_ROUNDS_PER_DAY`` (``short``), and those no round covered and
    no finding named (``not_patrolled``)."""
    rounds = await PatrolRound.select().where(
        (PatrolRound.started_at >= start) & (PatrolRound.started_at < end)
        & (PatrolRound.deleted == False) & scope_where(PatrolRound, scope)  # noqa: E712
    ).order_by(PatrolRound.started_at)
    findings = await Finding.select().where(
        (Finding.occurred_at >= start) & (Finding.occurred_at < end)
        & (Finding.deleted == False) & scope_where(Finding, scope)  # noqa: E712
    ).order_by(Finding.occurred_at)
    names = await staff_names([r["steward_id"] for r in rounds] + [f["steward_id"] for f in findings])
    in_scope = await buildings(scope=scope)
    codes = {b["id"]: b["code"] for b in in_scope}
    for r in rounds:
        r["covered_building_ids"] = json_value(r["covered_building_ids"]) or []
        r["steward"] = names.get(r["steward_id"], "")
        r["buildings"] = [codes[b] for b in r["covered_building_ids"] if b in codes]
    by_building: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        f["steward"] = names.get(f["steward_id"], "")
        by_building[codes.get(f["building_id"] or "", "—")].append(f)
    per_building = rounds_by_building(rounds, findings)
    found_in = {f["building_id"] for f in findings if f["building_id"]}
    responsible = await _stewards_of([b["id"] for b in in_scope])
    coverage = [{**b, "rounds": [names.get(r["steward_id"], "") for r in per_building.get(b["id"], [])],
                 "times": [r["started_at"] for r in per_building.get(b["id"], [])],
                 "stewards": responsible.get(b["id"], [])} for b in in_scope]
    missing = [b for b in in_scope if b["id"] not in per_building and b["id"] not in found_in]
    return {"rounds": rounds, "findings": dict(sorted(by_building.items(), key=lambda kv: natural(kv[0]))),
            "not_patrolled": missing, "finding_count": len(findings), "coverage": coverage,
            "short": [c for c in coverage if len(c["rounds"]) < PATROL_ROUNDS_PER_DAY],
            "rounds_per_day": PATROL_ROUNDS_PER_DAY}


def rounds_by_building(rounds: list[dict[str, Any]], findings: list[dict[str, Any]]
                       ) -> dict[str, list[dict[str, Any]]]:
    """The rounds that patrolled each building, in the rounds' order: a round patrols a
    building it checked in at (``covered_building_ids``) or where it recorded a finding
    (a phone that has not yet sent its check-in still counts). A building counts once
    per round however many findings it has."""
    found: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if f.get("round_id") and f.get("building_id"):
            found[f["round_id"]].add(f["building_id"])
    patrolled: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rounds:
        for building_id in dict.fromkeys([*(r.get("covered_building_ids") or []), *sorted(found[r["id"]])]):
            patrolled[building_id].append(r)
    return dict(patrolled)


async def _stewards_of(building_ids: list[str]) -> dict[str, list[str]]:
    """The display names of the active stewards assigned to each building (责任管家)."""
    if not building_ids:
        return {}
    assigned = await BuildingAssignment.select(BuildingAssignment.user_id, BuildingAssignment.building_id).where(
        BuildingAssignment.building_id.is_in(building_ids))
    users = {u["id"]: u["display_name"] for u in await StaffUser.select(StaffUser.id, StaffUser.display_name).where(
        (StaffUser.role == "steward") & (StaffUser.active == True)  # noqa: E712
        & StaffUser.id.is_in(sorted({a["user_id"] for a in assigned}) or [""]))}
    names: dict[str, list[str]] = defaultdict(list)
    for a in assigned:
        if a["user_id"] in users:
            names[a["building_id"]].append(users[a["user_id"]])
    return {b: sorted(n) for b, n in names.items()}


async def reported_findings(*, scope: Scope, handled: bool, limit: int = 200) -> list[dict[str, Any]]:
    """Findings of the kinds reported upward (``REPORTED_FINDINGS``: staff off post, release
    slips not followed) in the scope, not yet handled (oldest first: the longest waiting
    on top) or handled (latest handled first), with the steward's, the handler's names and
    the building's code."""
    query = Finding.select().where(
        Finding.kind.is_in(list(REPORTED_FINDINGS)) & (Finding.handled == handled)
        & (Finding.deleted == False) & scope_where(Finding, scope))  # noqa: E712
    rows = await (query.order_by(Finding.handled_at, ascending=False) if handled
                  else query.order_by(Finding.occurred_at)).limit(limit)
    names = await staff_names([f["steward_id"] for f in rows] + [f["handled_by"] for f in rows])
    codes = await building_codes(scope=scope)
    for f in rows:
        f["steward"] = names.get(f["steward_id"], "")
        f["handler"] = names.get(f["handled_by"] or "", "")
        f["building_code"] = codes.get(f["building_id"] or "", "")
    return rows


async def staff_names(user_ids: Iterable[str | None]) -> dict[str, str]:
    """Display names (stewards and desk alike) of the staff named by records already read
    in scope: a look-up by id, never a list of people."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    return {u["id"]: u["display_name"] for u in await StaffUser.select(
        StaffUser.id, StaffUser.display_name).where(StaffUser.id.is_in(ids))}


async def stewards(*, scope: Scope) -> list[dict[str, Any]]:
    """Each steward assigned to a building of the scope, with their phones: last push and
    pull, and the outbox size reported."""
    building_ids = [b["id"] for b in await buildings(scope=scope)]
    if not building_ids:
        return []
    user_ids = sorted({a["user_id"] for a in await BuildingAssignment.select(BuildingAssignment.user_id).where(
        BuildingAssignment.building_id.is_in(building_ids))})
    if not user_ids:
        return []
    users = await StaffUser.select(StaffUser.id, StaffUser.username, StaffUser.display_name,
                                   StaffUser.active).where(
        (StaffUser.role == "steward") & StaffUser.id.is_in(user_ids)).order_by(StaffUser.username)
    devices: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in await SyncDevice.select(
        SyncDevice.id, SyncDevice.user_id, SyncDevice.label, SyncDevice.last_push_at,
        SyncDevice.last_pull_at, SyncDevice.reported_pending, SyncDevice.app_version,
        SyncDevice.revoked_at).where(SyncDevice.user_id.is_in(user_ids)
                                     ).order_by(SyncDevice.last_push_at, ascending=False):
        devices[d["user_id"]].append(d)
    return [{**u, "devices": devices.get(u["id"], [])} for u in users]


async def staff_outside(*, scope: Scope) -> set[str]:
    """The staff placed only outside the scope: stewards assigned to none of its buildings
    and office accounts working in none of its estates, but placed somewhere (an account
    placed nowhere yet is nobody's and everybody's to place)."""
    inside_buildings = [b["id"] for b in await buildings(scope=scope)]
    assigned = await BuildingAssignment.select(BuildingAssignment.user_id, BuildingAssignment.building_id)
    offices = await StaffEstate.select(StaffEstate.user_id, StaffEstate.estate_id)
    placed = {a["user_id"] for a in assigned} | {o["user_id"] for o in offices}
    inside = ({a["user_id"] for a in assigned if a["building_id"] in set(inside_buildings)}
              | {o["user_id"] for o in offices if scope.whole_estates and o["estate_id"] in scope.estates})
    return placed - inside


async def duplicate_groups(since: str, window_hours: float, *, scope: Scope) -> list[list[dict[str, Any]]]:
    """Unlinked findings of the scope about the same place (building and floor or unit) and
    kind, by different stewards within ``window_hours`` of each other, or by one steward
    within ``SAME_STEWARD_MINUTES`` (a capture saved twice): each group a proposed ticket."""
    rows = await Finding.select().where(
        (Finding.occurred_at >= since) & Finding.ticket_id.is_null() & (Finding.deleted == False)  # noqa: E712
        & scope_where(Finding, scope)
    ).order_by(Finding.occurred_at)
    places: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for f in rows:
        places[(f["building_id"], f["unit_id"] or f["floor"] or f["area"], f["kind"])].append(f)
    names = await staff_names(f["steward_id"] for f in rows)
    codes = await building_codes(scope=scope)
    groups = []
    for found in places.values():
        for group in _clusters(found, window_hours):
            if len({f["steward_id"] for f in group}) >= 2 or _within(group, SAME_STEWARD_MINUTES):
                for f in group:
                    f["steward"] = names.get(f["steward_id"], "")
                    f["building_code"] = codes.get(f["building_id"] or "", "")
                groups.append(group)
    return groups


SAME_STEWARD_MINUTES = 10


def _within(group: list[dict[str, Any]], minutes: float) -> bool:
    from server.clock import parse_iso

    first, last = parse_iso(group[0]["occurred_at"]), parse_iso(group[-1]["occurred_at"])
    return (last - first).total_seconds() <= minutes * 60


def _clusters(findings: list[dict[str, Any]], window_hours: float) -> list[list[dict[str, Any]]]:
    """Split time-ordered findings where the gap to the group's first exceeds the window."""
    from server.clock import parse_iso

    clusters: list[list[dict[str, Any]]] = []
    for f in findings:
        if clusters and (parse_iso(f["occurred_at"]) - parse_iso(clusters[-1][0]["occurred_at"])
                         ).total_seconds() <= window_hours * 3600:
            clusters[-1].append(f)
        else:
            clusters.append([f])
    return [c for c in clusters if len(c) > 1]


async def findings_by_id(ids: list[str], *, scope: Scope) -> list[dict[str, Any]]:
    """The findings of ``ids`` that exist and are in ``scope`` (others are left out)."""
    if not ids:
        return []
    return await Finding.select().where(
        Finding.id.is_in(ids) & (Finding.deleted == False) & scope_where(Finding, scope))  # noqa: E712
