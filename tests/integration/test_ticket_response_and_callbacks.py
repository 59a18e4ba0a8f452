"""The first response is measured and escalates when it is late; a callback that reaches no
one completes only after the estate's number of attempts; a promised date lifts an
escalation so that the new deadline escalates again (issue 15)."""

from __future__ import annotations

import uuid

from server import escalation
from server.clock import iso, now_iso
from server.tables import Estate, Ticket, TicketEvent
from tests.factories import make_estate
from tests.integration.test_desk_helpers import ago, csrf, login, seed_ticket
from tests.integration.test_desk_ticket_flow import intake, post_action, version_of
from tests.integration.test_time_limits import form


async def row(ticket_id: str) -> dict:
    return await Ticket.select().where(Ticket.id == ticket_id).first()


async def lines(ticket_id: str, kind: str) -> list[dict]:
    return await TicketEvent.select().where((TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == kind))


async def test_the_first_move_out_of_received_is_the_first_response_and_later_moves_keep_it(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    assert (await row(ticket_id))["responded_at"] is None
    page = await client.get(f"/desk/tickets/{ticket_id}")
    assert 'data-response="on_time"' in page.text and "尚未响应" in page.text
    dispatched = await post_action(client, ticket_id, "transition", False, version=await version_of(ticket_id),
                                   base_status="received", to_status="dispatched", assignee="工程部")
    assert dispatched.status_code == 303
    first = await row(ticket_id)
    assert first["responded_at"] == first["dispatched_at"] and first["responded_at"] <= first["response_due_at"]
    await post_action(client, ticket_id, "transition", False, version=await version_of(ticket_id),
                      base_status="dispatched", to_status="in_progress")
    later = await row(ticket_id)
    assert later["status"] == "in_progress" and later["responded_at"] == first["responded_at"]
    page = await client.get(f"/desk/tickets/{ticket_id}")
    assert 'data-response="on_time"' in page.text and "用时 0 分钟 · 按时" in page.text


async def test_a_ticket_left_unanswered_past_its_response_limit_escalates_once_and_an_answered_one_does_not(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    unanswered = await seed_ticket(building, created_at=ago(hours=3), response_due_at=ago(hours=1))
    answered = await seed_ticket(building, created_at=ago(hours=3), response_due_at=ago(hours=1),
                                 status="dispatched", responded_at=ago(hours=2), assignee="工程部")
    waiting = await seed_ticket(building, created_at=ago(minutes=10), response_due_at=iso_in(minutes=110))
    for _ in range(2):  # a second sweep adds nothing
        await escalation.sweep(escalation.SYSTEM, now_iso())
    assert (await row(unanswered["id"]))["escalated"]
    assert not (await row(answered["id"]))["escalated"] and not (await row(waiting["id"]))["escalated"]
    escalations = await lines(unanswered["id"], "escalated")
    assert [e["body"] for e in escalations] == ["response_overdue"]
    await login(client, "manager")
    page = await client.get(f"/desk/tickets/{unanswered['id']}")
    assert "超过响应时限未响应，自动升级" in page.text and 'data-response="late"' in page.text


def iso_in(**delta: float) -> str:
    from datetime import UTC, datetime, timedelta

    return iso(datetime.now(UTC) + timedelta(**delta))


async def done_repair(client, estate) -> str:
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    answer = await post_action(client, ticket_id, "transition", False, version=await version_of(ticket_id),
                               base_status="received", to_status="done", owner_signed="true")
    assert answer.status_code == 303, answer.text
    return ticket_id


async def test_an_unreached_callback_completes_only_after_the_estates_attempts(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await done_repair(client, estate)
    page = await client.get(f"/desk/tickets/{ticket_id}")
    attempt_id = page.text.split('name="attempt_id" value="')[1].split('"')[0]
    uuid.UUID(attempt_id)
    for _ in range(2):  # the same form sent twice (a double click): one attempt
        answer = await post_action(client, ticket_id, "callback", True, version=await version_of(ticket_id),
                                   base_status="done", satisfaction="", note="电话无人接听", attempt_id=attempt_id)
        assert answer.status_code == 200 and 'data-attempts="1"' in answer.text
    assert (await row(ticket_id))["status"] == "done" and len(await lines(ticket_id, "callback_attempt")) == 1
    callbacks = await client.get("/desk/callbacks")
    assert ticket_id in callbacks.text and 'data-attempts="1"' in callbacks.text  # still due, tried once
    refused = await post_action(client, ticket_id, "transition", False, version=await version_of(ticket_id),
                                base_status="done", to_status="closed", note="结案")
    assert refused.status_code == 409  # no callback yet: a repair cannot close
    await post_action(client, ticket_id, "callback", False, version=await version_of(ticket_id),
                      base_status="done", satisfaction="", note="短信未回")
    assert (await row(ticket_id))["status"] == "done"
    third = await post_action(client, ticket_id, "callback", False, version=await version_of(ticket_id),
                              base_status="done", satisfaction="", note="上门无人")
    assert third.status_code == 303
    assert (await row(ticket_id))["status"] == "called_back"
    assert [e["body"] for e in await lines(ticket_id, "callback")] == ["未联系上业主（共尝试 3 次） 上门无人"]
    # a reached owner completes at once, whatever was tried before
    other = await done_repair(client, estate)
    await post_action(client, other, "callback", False, version=await version_of(other), base_status="done",
                      satisfaction="", note="电话无人接听")
    await post_action(client, other, "callback", False, version=await version_of(other), base_status="done",
                      satisfaction="5", note="业主满意")
    assert (await row(other))["status"] == "called_back" and (await row(other))["satisfaction"] == 5


async def test_the_manager_sets_the_number_of_attempts(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    saved = await client.post("/desk/settings/time-limits", headers=csrf(client),
                              data=form(estate.estate_id, callback_attempts=1))
    assert saved.status_code == 303
    assert b'"callback_attempts":1' in (await Estate.select(Estate.terms).where(
        Estate.id == estate.estate_id).first())["terms"].encode()
    ticket_id = await done_repair(client, estate)
    once = await post_action(client, ticket_id, "callback", False, version=await version_of(ticket_id),
                             base_status="done", satisfaction="", note="电话停机")
    assert once.status_code == 303 and (await row(ticket_id))["status"] == "called_back"


async def test_a_promised_date_lifts_the_escalation_and_the_new_deadline_escalates_again(client) -> None:
    estate = await make_estate(buildings=1)
    late = await seed_ticket(estate.building_ids[0], created_at=ago(hours=30), status="dispatched",
                             responded_at=ago(hours=29), assignee="工程部")
    await escalation.sweep(escalation.SYSTEM, now_iso())
    assert (await row(late["id"]))["escalated"]
    await login(client, "desk")
    tomorrow = iso_in(days=1)[:10]
    promised = await post_action(client, late["id"], "promise", False, version=await version_of(late["id"]),
                                 base_promised_date="", promised_date=tomorrow, reason="配件需采购",
                                 owner_told="true")
    assert promised.status_code == 303, promised.text
    after = await row(late["id"])
    assert not after["escalated"] and after["resolve_due_at"] > now_iso()
    await escalation.sweep(escalation.SYSTEM, now_iso())
    assert not (await row(late["id"]))["escalated"]  # the new deadline has not passed
    await escalation.sweep(escalation.SYSTEM, iso_in(days=3))  # it has
    assert (await row(late["id"]))["escalated"]
    assert len(await lines(late["id"], "escalated")) == 2
