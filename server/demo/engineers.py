"""The demo's engineers (维修工, 工程部) and their on-duty roster (值班表): one engineer per
team in 锦绣华庭, 王建军 (水电班) also in 翠湖苑; each on duty every day from a week before
the demo's today to two weeks after, so a repair taken in the demo goes to them
(``sync.dispatch``) and ``weixiu1``'s phone lists 我的工单."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from server.clock import iso
from server.demo import texts
from server.demo.context import DEMO_ESTATE_ID, SECOND_ESTATE_ID, DemoContext, Staff, stable_id
from server.demo.estate import HANDOVER

ROSTER_DAYS = range(-7, 14)  # days around the demo's today with someone on duty
BOTH_ESTATES = {"weixiu1"}


def engineers(ctx: DemoContext, existing: dict[str, str], password_hash: str) -> None:
    at = datetime.combine(HANDOVER, time(9, 0), ctx.tz)
    for n, (username, display_name, team) in enumerate(texts.ENGINEERS, start=1):
        # a number of their own (139-0000-000n): the households' numbers stay as they were
        person = Staff(id=existing.get(username) or stable_id("staff", username), username=username,
                       display_name=display_name, role="engineer", phone=f"1390000{n:04d}")
        ctx.staff.append(person)
        estates = [DEMO_ESTATE_ID, SECOND_ESTATE_ID] if username in BOTH_ESTATES else [DEMO_ESTATE_ID]
        for estate_id in estates:
            ctx.add("staff_estate", {"user_id": person.id, "estate_id": estate_id})
            ctx.engineer_of[(estate_id, team)] = person
            for offset in ROSTER_DAYS:
                ctx.add("duty_roster", {"estate_id": estate_id, "team": team, "user_id": person.id,
                                        "day": (ctx.today + timedelta(days=offset)).isoformat()})
        if username not in existing:
            ctx.add("staff_user", {
                "id": person.id, "username": username, "display_name": display_name, "role": "engineer",
                "phone": person.phone, "password_hash": password_hash, "active": True, "team": team,
                "failed_logins": 0, "locked_until": None, "created_at": iso(at),
            })
