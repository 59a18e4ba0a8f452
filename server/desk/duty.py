"""值班表 and 派单: the engineers' on-duty roster of an estate (a week at a time, set by the
desk or the manager) and the ticket's dispatch to a person or a team of the roster.

A new repair is dispatched by the server as it is created (``sync.dispatch.auto_dispatch``,
from this roster); here the clerk dispatches what was left (no system, nobody on duty) or
re-dispatches (改派). Either way the ticket gets the engineer's id (``assignee_id``: the
engineer's phone lists it under 我的工单) and name (``assignee``), through the same merge
as every edit, with an ``assigned`` line on its timeline.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.vocab import EngineerTeam, codes
from server import writes
from server.desk.common import DeskRequest, after_write, chosen_estate, client_ip, local_today, parse_date, render
from server.desk.forms import form_of
from server.desk.registry import NavEntry, nav_entry
from server.desk.tickets import TICKET_PANELS, change_ticket, open_ticket
from server.errors import ApiError
from server.policy import OFFICE, grant
from server.store import audit, duty
from sync import dispatch
from sync.dispatch import OnDuty

grant({"desk.roster": OFFICE, "desk.roster_save": OFFICE, "desk.ticket_dispatch": OFFICE})

TEAMS = codes(EngineerTeam)


def week_of(day: date) -> list[str]:
    """The seven days (Monday first) of the week ``day`` is in."""
    monday = day - timedelta(days=day.weekday())
    return [(monday + timedelta(days=n)).isoformat() for n in range(7)]


async def _context(request: DeskRequest, estate_id: str, week: str, **extra: Any) -> dict[str, Any]:
    context = await chosen_estate(request, estate_id)
    scope, chosen = request.user.scope, context["estate"]["id"]
    days = week_of(parse_date(week) or local_today(request))
    people = await duty.engineers(chosen, scope=scope)
    by_team = {team: [e for e in people.values() if e.team == team] for team in TEAMS}
    monday = date.fromisoformat(days[0])
    return {**context, "days": days, "teams": TEAMS, "by_team": by_team, "people": people,
            "on": await duty.week(chosen, days, scope=scope), "today": local_today(request).isoformat(),
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(), **extra}


@get("/desk/roster", name="desk.roster", include_in_schema=False)
async def roster_page(request: DeskRequest, estate_id: FromQuery[str] = "", week: FromQuery[str] = "") -> Template:
    return render(request, "roster.html", "_roster.html", await _context(request, estate_id, week))


@post("/desk/roster", name="desk.roster_save", include_in_schema=False)
async def roster_save(request: DeskRequest) -> Template | Redirect:
    """The week's cells (``duty.<day>.<team>`` = an engineer of that team, or empty)."""
    form = await request.form()
    context = await chosen_estate(request, str(form.get("estate_id") or ""))
    estate_id = context["estate"]["id"]
    people = await duty.engineers(estate_id, scope=request.user.scope)
    cells: dict[tuple[str, str], str | None] = {}
    for key in form.keys():
        if not key.startswith("duty."):
            continue
        _, day, team = (key.split(".", 2) + ["", ""])[:3]
        user_id = str(form.get(key) or "") or None
        if parse_date(day) is None or team not in TEAMS:
            raise ApiError(400, "invalid_form", "值班表格式不对 / the roster form is malformed", {"field": key})
        if user_id is not None and (user_id not in people or people[user_id].team != team):
            raise ApiError(422, "not_in_team", "该维修工不在此班组 / this engineer is not in that team",
                           {"field": key})
        cells[(day, team)] = user_id
    changed = await duty.set_week(estate_id, cells)
    if changed:
        await audit.record("roster_change", user_id=request.user.user_id, target=estate_id,
                           detail={"cells": len(changed)}, ip=client_ip(request))
    week = min((day for day, _ in cells), default="")
    redirect = after_write(request, f"/desk/roster?estate_id={estate_id}&week={week}")
    return redirect or render(request, "roster.html", "_roster.html",
                              await _context(request, estate_id, week, saved=True))


async def dispatch_context(request: DeskRequest, ticket: dict[str, Any]) -> dict[str, Any]:
    """What the ticket page's 派单 form offers: the estate's engineers, and each team's
    engineer on duty today."""
    today = local_today(request).isoformat()
    scope = request.user.scope
    people = await duty.engineers(ticket["estate_id"], scope=scope)
    on = await duty.roster(ticket["estate_id"], today, scope=scope)
    return {"engineers": list(people.values()), "on_duty": on.teams, "teams": TEAMS,
            "suggested_team": dispatch.team_for(ticket.get("system"))}


class DispatchForm(msgspec.Struct, kw_only=True):
    version: int
    base_status: str
    base_assignee: str | None = None
    base_assignee_id: str | None = None
    # "user:<id>" (a person) or "team:<code>" (its on-duty engineer)
    to: Annotated[str, msgspec.Meta(pattern=r"^(user|team):[A-Za-z0-9_-]{1,40}$")]


@post("/desk/tickets/{ticket_id:str}/dispatch", name="desk.ticket_dispatch", include_in_schema=False)
async def dispatch_ticket(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    """派单 / 改派 to an engineer of the roster: a received ticket becomes 已派单."""
    form = await form_of(request, DispatchForm)
    ticket = await open_ticket(request, ticket_id)
    if ticket["status"] not in ("received", "dispatched", "in_progress"):
        raise ApiError(409, "not_dispatchable", "只有未完工的工单可以派单 / only unfinished tickets are dispatched")
    kind, _, value = form.to.partition(":")
    people = await duty.engineers(ticket["estate_id"], scope=request.user.scope)
    roster = await duty.roster(ticket["estate_id"], local_today(request).isoformat(), scope=request.user.scope)
    engineer: OnDuty | None = (dispatch.pick(roster, people, user_id=value) if kind == "user"
                               else dispatch.pick(roster, people, team=value))
    if engineer is None:
        if kind == "team":
            raise ApiError(422, "nobody_on_duty", "该班组今天没有值班维修工 / nobody of that team is on duty today")
        raise ApiError(422, "unknown_engineer", "没有这个维修工 / no such engineer in this estate")
    changes: dict[str, Any] = dispatch.assignment(engineer)
    base: dict[str, Any] = {"assignee_id": form.base_assignee_id or None, "assignee": form.base_assignee or None}
    if ticket["status"] == "received":
        changes["status"], base["status"] = "dispatched", form.base_status
    return await change_ticket(request, ticket_id, form.version, base, changes,
                               {"type": "assigned", "body": engineer.name})


TICKET_PANELS.append(dispatch_context)
ROUTES = [roster_page, roster_save, dispatch_ticket]
nav_entry(NavEntry(href="/desk/roster", key="nav.roster", route="desk.roster", order=116))
