"""时限设置 (issue 15): the estate's time limits are its own settings, changed by the manager
on a page, audited, and every new ticket of the estate takes its due times from them."""

from __future__ import annotations

import json
from datetime import datetime

from server.tables import AuditLog, Estate, Ticket
from sync.sla import TICKET_RULES
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login


def form(estate_id: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {"estate_id": estate_id, "urgent_response": TICKET_RULES.urgent_response,
                                 "callback_attempts": 3}
    for kind, (response, resolve) in TICKET_RULES.limits.items():
        values |= {f"{kind}_response": response, f"{kind}_resolve": resolve}
    values |= {f"factor_{p}": f for p, f in TICKET_RULES.priority_factor.items()}
    return values | changes


def minutes_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end.replace("Z", "+00:00")) -
            datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds() / 60


async def intake_repair(client) -> dict:
    answer = await client.post("/desk/intake", headers=csrf(client), data={"kind": "repair", "description": "水管漏水"})
    assert answer.status_code in (302, 303), answer.text
    return await Ticket.select().order_by(Ticket.created_at, ascending=False).first()


async def test_the_manager_sets_the_estates_limits_and_new_tickets_follow_them(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    page = await client.get("/desk/settings/time-limits")
    assert page.status_code == 200 and "时限设置" in page.text and 'data-source="seeds"' in page.text
    before = await intake_repair(client)
    assert minutes_between(before["created_at"], before["resolve_due_at"]) == TICKET_RULES.limits["repair"][1]

    saved = await client.post("/desk/settings/time-limits", headers=csrf(client, True),
                              data=form(estate.estate_id, repair_response=60, repair_resolve=240))
    assert saved.status_code == 200 and "时限已保存" in saved.text
    after = await intake_repair(client)
    assert (minutes_between(after["created_at"], after["response_due_at"]),
            minutes_between(after["created_at"], after["resolve_due_at"])) == (60, 240)
    entry = await AuditLog.select().where(AuditLog.action == "terms_change").first()
    detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
    assert entry["target"] == estate.estate_id and detail["after"]["limits"]["repair"] == [60, 240]
    assert detail["before"]["limits"]["repair"] == list(TICKET_RULES.limits["repair"])


async def test_bad_limits_are_refused_and_change_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    for changes, code in (({"repair_resolve": "abc"}, "invalid_form"), ({"factor_high": 0}, "invalid_form"),
                          ({"inquiry_resolve": 99999999}, "invalid_form"),
                          ({"repair_response": 300, "repair_resolve": 200}, "response_after_resolve"),
                          ({"callback_attempts": 0}, "invalid_form"), ({"callback_attempts": ""}, "invalid_form")):
        answer = await client.post("/desk/settings/time-limits", headers=csrf(client),
                                   data=form(estate.estate_id, **changes))
        assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text
    assert (await Estate.select(Estate.terms).where(Estate.id == estate.estate_id).first())["terms"] is None
    assert await AuditLog.count().where(AuditLog.action == "terms_change") == 0


async def test_only_the_manager_changes_time_limits(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    assert (await client.get("/desk/settings/time-limits")).status_code == 403
    answer = await client.post("/desk/settings/time-limits", headers=csrf(client, True), data=form(estate.estate_id))
    assert answer.status_code == 403
