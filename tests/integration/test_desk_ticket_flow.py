"""Intake and the whole ticket lifecycle through the desk's HTTP routes and the sync merge."""

from __future__ import annotations

import re
from datetime import date, timedelta

from server.tables import AuditLog, ChangeLog, Conflict, Ticket, TicketEvent
from server.store.rows import json_value
from tests.factories import make_estate, new_id
from tests.integration.test_desk_helpers import HX, csrf, login


async def intake(client, unit_id: str, htmx: bool = False, **extra: str) -> str:
    response = await client.post("/desk/intake", headers=csrf(client, htmx), data={
        "kind": "repair", "priority": "high", "unit_id": unit_id, "description": "卫生间漏水到楼下",
        "reporter_name": "张先生", "reporter_phone": "13800001111", **extra})
    if htmx:
        assert response.status_code == 200, response.text
        location = response.headers["HX-Redirect"]
    else:
        assert response.status_code == 303, response.text
        location = response.headers["location"]
    return location.rsplit("/", 1)[1]


async def post_action(client, ticket_id: str, action: str, htmx: bool, **data: object):
    return await client.post(f"/desk/tickets/{ticket_id}/{action}", headers=csrf(client, htmx),
                             data={k: str(v) for k, v in data.items()})


async def version_of(ticket_id: str) -> int:
    return (await Ticket.select(Ticket.version).where(Ticket.id == ticket_id).first())["version"]


async def test_owner_search_finds_unit_and_phone_and_is_audited(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=3)
    user_id = await login(client, "desk")
    by_unit = await client.get("/desk/intake/owners", params={"q": "1-02"}, headers=HX)
    assert by_unit.status_code == 200 and "1-0201" in by_unit.text and "业主12" in by_unit.text
    by_phone = await client.get("/desk/intake/owners", params={"q": "13800000103"}, headers=HX)
    assert "1-0301" in by_phone.text
    assert "没有找到" in (await client.get("/desk/intake/owners", params={"q": "99-99"})).text
    logged = await AuditLog.select().where((AuditLog.action == "archive_read") & (AuditLog.user_id == user_id))
    assert len(logged) == 2 and estate.unit_ids[estate.building_ids[0]][1] in str(logged[0]["detail"])


async def test_intake_to_close_through_the_merge(client) -> None:
    estate = await make_estate(buildings=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    user_id = await login(client, "desk")
    assert "首问责任人" in (await client.get("/desk/intake")).text
    ticket_id = await intake(client, unit_id, htmx=True)
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["first_responder_id"] == user_id and row["building_id"] == estate.building_ids[0]
    assert row["number"] and row["resolve_due_at"] and row["status"] == "received"
    changes = await ChangeLog.select().where(ChangeLog.record_id == ticket_id)
    assert changes, "a desk write goes through the change log so phones pull it"

    page = await client.get(f"/desk/tickets/{ticket_id}")
    assert page.status_code == 200 and "<html" in page.text and row["number"] in page.text
    assert 'value="dispatched"' in page.text and 'value="called_back"' not in page.text

    promised = (date.today() + timedelta(days=3)).isoformat()  # a promise is never in the past
    steps = [("transition", {"base_status": "received", "to_status": "dispatched", "assignee": "工程部"}),
             ("transition", {"base_status": "dispatched", "to_status": "in_progress"}),
             # a repair is done only with the owner's signature (the 维修单 came back signed)
             ("transition", {"base_status": "in_progress", "to_status": "done", "note": "已更换阀门",
                             "owner_signed": "true"}),
             ("promise", {"base_promised_date": "", "promised_date": promised, "reason": "配件需采购",
                          "owner_told": "true"}),
             ("callback", {"base_status": "done", "satisfaction": 5, "note": "业主满意"}),
             ("transition", {"base_status": "called_back", "to_status": "closed", "note": "回访满意，结案"})]
    for i, (action, data) in enumerate(steps):
        htmx = i % 2 == 0
        response = await post_action(client, ticket_id, action, htmx, version=await version_of(ticket_id), **data)
        if htmx:
            assert response.status_code == 200 and 'id="ticket"' in response.text and "<html" not in response.text
        else:
            assert response.status_code == 303 and response.headers["location"] == f"/desk/tickets/{ticket_id}"
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["status"] == "closed" and row["assignee"] == "工程部" and row["satisfaction"] == 5
    assert row["owner_signed"] and row["promised_date"] == promised
    assert row["resolve_due_at"].startswith(promised + "T15:59:59")  # the deadline moved
    lines = await TicketEvent.select(TicketEvent.body).where(
        (TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "promised_date"))
    assert [line["body"] for line in lines] == [f"{promised} · 配件需采购 · 已告知业主"]
    assert row["dispatched_at"] and row["done_at"] and row["called_back_at"] and row["closed_at"]
    types = [e["type"] for e in await TicketEvent.select(TicketEvent.type).where(
        TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.version)]
    assert types.count("status") == 5 and "created" in types and "callback" in types and "note" in types
    final = await client.get(f"/desk/tickets/{ticket_id}")
    assert "已关闭" in final.text and "已更换阀门" in final.text and 'name="to_status"' not in final.text


async def test_refused_transition_shows_its_message_and_changes_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    before = await version_of(ticket_id)
    response = await post_action(client, ticket_id, "transition", True, version=before,
                                 base_status="received", to_status="called_back")
    assert response.status_code == 409 and response.headers["HX-Retarget"] == "#flash"
    assert "不能从“已受理”改为“已回访”" in response.text and "transition_refused" in response.text
    plain = await post_action(client, ticket_id, "transition", False, version=before,
                              base_status="received", to_status="bogus")
    assert plain.status_code == 409
    assert await version_of(ticket_id) == before


async def test_concurrent_edit_becomes_a_visible_conflict(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    shown = await version_of(ticket_id)
    first = await post_action(client, ticket_id, "assign", True, version=shown, base_assignee="", assignee="工程部")
    assert first.status_code == 200
    # a second clerk's form still shows the old assignee: same field changed on both sides
    second = await post_action(client, ticket_id, "assign", True, version=shown, base_assignee="", assignee="保洁")
    assert second.status_code == 200 and "有人先修改了同一项" in second.text
    assert (await Ticket.select(Ticket.assignee).where(Ticket.id == ticket_id).first())["assignee"] == "工程部"
    conflict = await Conflict.select().where(Conflict.record_id == ticket_id).first()
    assert conflict["field"] == "assignee" and json_value(conflict["lost_value"]) == "保洁"
    assert "同步冲突" in (await client.get(f"/desk/tickets/{ticket_id}")).text


async def test_intake_refuses_bad_input_and_csrf(client) -> None:
    await login(client, "desk")
    bad = await client.post("/desk/intake", headers=csrf(client, True), data={"kind": "wish", "description": "x"})
    assert bad.status_code == 422 and "invalid_form" in bad.text
    empty = await client.post("/desk/intake", headers=csrf(client), data={"kind": "repair", "description": ""})
    assert empty.status_code == 422
    no_token = await client.post("/desk/intake", data={"kind": "repair", "description": "x"})
    assert no_token.status_code == 403
    assert await Ticket.count() == 0


async def test_escalation_sweep_flags_overdue_tickets(client) -> None:
    from tests.integration.test_desk_helpers import ago, seed_ticket

    estate = await make_estate(buildings=1)
    late = await seed_ticket(estate.building_ids[0], created_at=ago(hours=30))
    fresh = await seed_ticket(estate.building_ids[0])
    await login(client, "manager")
    page = await client.get("/desk/escalations")
    assert "超时未升级的工单：1 张" in page.text
    response = await client.post("/desk/escalations/sweep", headers=csrf(client, True))
    assert response.status_code == 200 and late["id"] in response.text and fresh["id"] not in response.text
    assert (await Ticket.select(Ticket.escalated).where(Ticket.id == late["id"]).first())["escalated"]
    events = await TicketEvent.select().where((TicketEvent.ticket_id == late["id"]) & (TicketEvent.type == "escalated"))
    assert len(events) == 1
    queue = await client.get("/desk/tickets")
    assert re.search("已升级", queue.text)


async def test_note_and_escalate_with_and_without_htmx(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    plain = await post_action(client, ticket_id, "note", False, note="业主下午三点后在家")
    assert plain.status_code == 303
    part = await post_action(client, ticket_id, "escalate", True, version=await version_of(ticket_id))
    assert part.status_code == 200 and "已升级" in part.text and "业主下午三点后在家" in part.text
    again = await post_action(client, ticket_id, "escalate", False, version=await version_of(ticket_id))
    assert again.status_code == 303  # already escalated: nothing changes, no second line
    lines = await TicketEvent.select(TicketEvent.type).where(TicketEvent.ticket_id == ticket_id)
    assert [e["type"] for e in lines].count("escalated") == 1 and {"note", "created"} <= {e["type"] for e in lines}
    empty = await post_action(client, ticket_id, "note", True, note="")
    assert empty.status_code == 422
    missing = await post_action(client, new_id(), "note", True, note="x")
    assert missing.status_code == 404


async def test_phone_edit_shows_in_the_timeline_as_merged(client) -> None:
    from tests.factories import enrol, make_user

    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    steward_id = await make_user("steward", [building], username="guanjia_merge")
    phone = await enrol(client, "guanjia_merge")
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[building][0])
    push = await client.post("/api/v1/sync/push", headers=phone, json={
        "protocol": 2, "device_id": phone["X-Device-Id"], "pending": 0, "mutations": [{
            "op": "update", "seq": 1, "collection": "ticket", "id": ticket_id,
            "base_version": await version_of(ticket_id), "base": {"promised_date": None},
            "changes": {"promised_date": "2026-12-05"}}]})
    assert push.status_code == 200 and push.json()["results"][0]["status"] == "applied", push.text
    page = await client.get(f"/desk/tickets/{ticket_id}", headers=HX)
    assert "手机端修改已合并" in page.text and "2026-12-05" in page.text and "测试steward" in page.text
    assert steward_id


async def test_overdue_tickets_escalate_by_themselves_once(client) -> None:
    """The timer escalates without anyone clicking; two sweeps racing (two server
    processes) write one timeline line per ticket and no conflict."""
    import asyncio

    from server import escalation
    from tests.integration.test_desk_helpers import ago, seed_ticket

    estate = await make_estate(buildings=1)
    late = await seed_ticket(estate.building_ids[0], created_at=ago(hours=30))
    fresh = await seed_ticket(estate.building_ids[0])
    timer = asyncio.create_task(escalation.every(0.05))
    try:
        for _ in range(200):
            if (await Ticket.select(Ticket.escalated).where(Ticket.id == late["id"]).first())["escalated"]:
                break
            await asyncio.sleep(0.05)
    finally:
        timer.cancel()
    assert (await Ticket.select(Ticket.escalated).where(Ticket.id == late["id"]).first())["escalated"]
    assert not (await Ticket.select(Ticket.escalated).where(Ticket.id == fresh["id"]).first())["escalated"]
    # the same overdue list seen by two sweeps at once
    other = await seed_ticket(estate.building_ids[0], created_at=ago(hours=40))
    from server.clock import now_iso

    await asyncio.gather(escalation.sweep(escalation.SYSTEM, now_iso()),
                         escalation.sweep(escalation.SYSTEM, now_iso()))
    for ticket in (late, other):
        lines = await TicketEvent.select().where(
            (TicketEvent.ticket_id == ticket["id"]) & (TicketEvent.type == "escalated"))
        assert len(lines) == 1 and lines[0]["author_id"] == "system"
    assert await Conflict.count() == 0


async def test_the_same_intake_form_submitted_twice_makes_one_ticket(client) -> None:
    """A double click, or Back and submit again: the form's record id names one ticket."""
    estate = await make_estate(buildings=1, units_per_building=2)
    await login(client, "desk")
    page = await client.get("/desk/intake")
    record_id = re.search(r'name="record_id" value="([0-9a-f-]{36})"', page.text).group(1)
    first = await intake(client, estate.unit_ids[estate.building_ids[0]][0], record_id=record_id)
    second = await intake(client, estate.unit_ids[estate.building_ids[0]][0], htmx=True, record_id=record_id)
    assert first == second == record_id
    assert await Ticket.count() == 1
    assert await TicketEvent.count().where(TicketEvent.ticket_id == record_id) == 1  # one "created" line
    fresh = re.search(r'name="record_id" value="([0-9a-f-]{36})"', (await client.get("/desk/intake")).text).group(1)
    assert fresh != record_id  # a new form is a new ticket


async def test_the_same_note_form_submitted_twice_adds_one_line(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    page = await client.get(f"/desk/tickets/{ticket_id}")
    record_id = re.search(r'name="record_id" value="([0-9a-f-]{36})"', page.text).group(1)
    for headers in (csrf(client, False), {**csrf(client, False), **HX}):  # a double click
        answer = await client.post(f"/desk/tickets/{ticket_id}/note", headers=headers,
                                   data={"note": "业主下午在家", "record_id": record_id})
        assert answer.status_code in (200, 303), answer.text
    notes = await TicketEvent.select().where((TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "note"))
    assert [n["body"] for n in notes] == ["业主下午在家"]


async def test_an_intake_with_only_spaces_is_refused(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    await login(client, "desk")
    response = await client.post("/desk/intake", headers=csrf(client, False), data={
        "kind": "repair", "unit_id": estate.unit_ids[estate.building_ids[0]][0], "description": "   \n  "})
    assert response.status_code == 422
    assert await Ticket.count() == 0


async def test_the_desk_refuses_what_makes_no_sense_and_a_closed_ticket_is_read_only(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])

    async def act(action: str, **data: object):
        return await post_action(client, ticket_id, action, False, version=await version_of(ticket_id), **data)

    no_one = await act("transition", base_status="received", to_status="dispatched")
    assert no_one.status_code == 422 and no_one.json()["code"] == "assignee_required"
    past = await act("promise", base_promised_date="", promised_date="2020-01-01", reason="配件需采购", owner_told="true")
    assert past.status_code == 422 and past.json()["code"] == "promised_in_past"
    later = (date.today() + timedelta(days=3)).isoformat()
    for data, code in (({"reason": " ", "owner_told": "true"}, "promise_reason_required"),
                       ({"reason": "配件需采购"}, "owner_not_told"),
                       ({"reason": "配件需采购", "owner_told": "true", "promised_date": "2030-02-30"}, "invalid_form")):
        refused = await act("promise", **{"base_promised_date": "", "promised_date": later, **data})
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
    assert (await Ticket.select(Ticket.promised_date).where(Ticket.id == ticket_id).first())["promised_date"] is None
    unexplained = await act("transition", base_status="received", to_status="closed")
    assert unexplained.status_code == 422 and unexplained.json()["code"] == "close_reason_required"
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first())["status"] == "received"

    uncalled = await act("transition", base_status="received", to_status="closed", note="业主撤回报修")
    assert uncalled.status_code == 409 and uncalled.json()["code"] == "callback_required"  # a repair: callback first
    assert 'value="closed"' not in (await client.get(f"/desk/tickets/{ticket_id}")).text  # nor offered

    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0], kind="inquiry")
    closed = await act("transition", base_status="received", to_status="closed", note="业主撤回报修")
    assert closed.status_code == 303  # an inquiry answered on the spot closes at once
    page = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert f"/desk/tickets/{ticket_id}/assign" not in page and f"/desk/tickets/{ticket_id}/note" not in page
    events = await TicketEvent.select(TicketEvent.body).where(TicketEvent.ticket_id == ticket_id)
    assert any(e["body"] == "业主撤回报修" for e in events)  # the reason is on the timeline
    for action, data in (("assign", {"base_assignee": "", "assignee": "工程部"}), ("note", {"note": "再补一句"}),
                         ("promise", {"base_promised_date": "", "promised_date": "2030-01-01"}), ("escalate", {})):
        refused = await act(action, **data)
        assert refused.status_code == 409 and refused.json()["code"] == "ticket_closed", action


async def test_a_callback_that_reaches_no_one_says_why_and_then_the_repair_may_close(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])

    async def act(action: str, **data: object):
        return await post_action(client, ticket_id, action, False, version=await version_of(ticket_id), **data)

    unsigned = await act("transition", base_status="received", to_status="done")
    assert unsigned.status_code == 409 and unsigned.json()["code"] == "owner_signature_required"
    assert (await act("transition", base_status="received", to_status="done", owner_signed="true")).status_code == 303
    silent = await act("callback", base_status="done", satisfaction="")
    assert silent.status_code == 422 and silent.json()["code"] == "callback_reason_required"
    for attempt in ("上午电话未接", "下午电话未接"):  # the estate's 3 attempts: the first two keep it due
        assert (await act("callback", base_status="done", satisfaction="", note=attempt)).status_code == 303
        assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first())["status"] == "done"
    reached_no_one = await act("callback", base_status="done", satisfaction="", note="三次电话未接，已留言")
    assert reached_no_one.status_code == 303
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["status"] == "called_back" and row["satisfaction"] is None and row["owner_signed"]
    lines = await TicketEvent.select(TicketEvent.body).where(
        (TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "callback"))
    assert [line["body"] for line in lines] == ["未联系上业主（共尝试 3 次） 三次电话未接，已留言"]
    assert (await act("transition", base_status="called_back", to_status="closed", note="回访未接通，结案")).status_code == 303
