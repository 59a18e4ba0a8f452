"""Dispatch (派单) from the engineers' on-duty roster: who a repair goes to.

日常报修处理规程 2-3 and 智能工单自动派单 (new-staff-summary): a repair is recorded with its
system, part and damage, and issued to engineering. Here a new repair goes to the on-duty
engineer of the team that repairs its system (``TEAM_OF_SYSTEM``), from the estate's roster
of the day (``Roster``); the desk may re-dispatch it to another person or team. Pure: the
engine reads each estate's roster under the write lock and passes it in as data
(``sync.storage.Storage.rosters``); nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

TEAM_OF_SYSTEM: Mapping[str, str] = {
    "water": "water_power",  # 给排水 → 水电班
    "power": "water_power",  # 强电 → 水电班
    "lighting": "water_power",  # 照明 → 水电班
    "gas": "water_power",  # 燃气（户内管线）→ 水电班
    "civil": "civil",  # 土建
    "doors_windows": "civil",  # 门窗 → 土建
    "lift": "lift",  # 电梯维保
    "low_voltage": "low_voltage",  # 弱电（监控、门禁、对讲）
    "fire": "low_voltage",  # 消防 → 弱电/消防
}
"""The team (``schemas.vocab.EngineerTeam``) that repairs each system (``TicketSystem``).
``other`` and a repair without a system are left for the desk to dispatch by hand."""

DISPATCHED_KINDS: frozenset[str] = frozenset({"repair", "patrol_finding", "vacant_defect", "warranty"})
"""Tickets that are repair work (工程维修): a repair, and damage found on a patrol or in a
vacant unit, and a defect found at the handover (验房: 工程质量维修单,
the developer's warranty work). Complaints and inquiries are the desk's to hand on."""


class OnDuty(msgspec.Struct, frozen=True, kw_only=True):
    """An engineer as dispatch names them: the id (``ticket.assignee_id``) and the name
    the ticket shows (``ticket.assignee``)."""

    user_id: str
    name: str
    team: str


class Roster(msgspec.Struct, frozen=True, kw_only=True):
    """One estate's on-duty engineers of one day, by team (值班表)."""

    day: str  # YYYY-MM-DD, the estate's calendar day
    teams: dict[str, OnDuty] = {}


def local_day(moment: str, timezone: str) -> str:
    """The calendar day (``YYYY-MM-DD``) a moment (ISO UTC) falls on in the estate."""
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return parsed.astimezone(ZoneInfo(timezone)).date().isoformat()


def team_for(system: str | None) -> str | None:
    """The team that repairs a system (None: the desk dispatches by hand)."""
    return TEAM_OF_SYSTEM.get(system or "")


def on_duty(roster: Roster | None, team: str | None) -> OnDuty | None:
    """The team's engineer on duty that day, if one is rostered."""
    if roster is None or team is None:
        return None
    return roster.teams.get(team)


def assignment(engineer: OnDuty) -> dict[str, Any]:
    """The ticket fields that name who does the work."""
    return {"assignee_id": engineer.user_id, "assignee": engineer.name}


def auto_dispatch(row: dict[str, Any], roster: Roster | None, now: str) -> dict[str, Any]:
    """A new ticket dispatched to the on-duty engineer of its system's team: status
    已派单, ``dispatched_at`` now, the engineer's id and name. Left as it is (received, for
    the desk) when it is not repair work, already names someone, has no system a team
    repairs, or nobody of that team is on duty."""
    if (row.get("kind") not in DISPATCHED_KINDS or row.get("status") != "received"
            or row.get("assignee_id") or row.get("assignee")):
        return row
    engineer = on_duty(roster, team_for(row.get("system")))
    if engineer is None:
        return row
    return {**row, **assignment(engineer), "status": "dispatched", "dispatched_at": now}


def pick(roster: Roster | None, engineers: Mapping[str, OnDuty], *, team: str | None = None,
         user_id: str | None = None) -> OnDuty | None:
    """The desk's dispatch (派单, re-dispatch): a person of the estate's engineers by id, or
    a team, which goes to its on-duty engineer. None: no such person, or nobody on duty."""
    if user_id is not None:
        return engineers.get(user_id)
    return on_duty(roster, team)
