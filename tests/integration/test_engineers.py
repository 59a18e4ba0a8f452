"""Engineers (维修工) on both engines: what an engineer's phone pulls and may write, the
on-duty roster, dispatch from it (automatic at intake, by hand, re-dispatch), and the
engineer working the order to 已完工 with the owner's signature."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.store.staff import principal_of
from server.tables import DutyRoster, StaffUser, Ticket, TicketEvent, Visit
from tests.factories import enrol, make_estate, make_user, new_id
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_desk_ticket_flow import intake, post_action, version_of
from tests.integration.test_sync_support import Phone, jpeg, sha, steward_phone, table_counts


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


async def engineer_phone(client, team: str = "water_power", estate_ids: list[str] | None = None) -> Phone:
    user_id = await make_user("engineer", team=team, estate_ids=estate_ids)
    principal = await principal_of(user_id)
    assert principal is not None
    return Phone(client, await enrol(client, principal.username), user_id)


async def set_roster(client, estate_id: str, cells: dict[str, str], day: str | None = None) -> None:
    """The desk sets the roster of a day: ``{team: engineer id}``."""
    day = day or today()
    response = await client.post("/desk/roster", headers=csrf(client), data={
        "estate_id": estate_id, **{f"duty.{day}.{team}": user for team, user in cells.items()}})
    assert response.status_code == 303, response.text


def photo_of(phone: Phone, parent: str, parent_id: str, content: bytes, kind: str = "photo") -> str:
    return phone.create("attachment", {"sha256": sha(content), "parent_collection": parent,
                                       "parent_id": parent_id, "kind": kind, "mime": "image/jpeg",
                                       "size": len(content)})


async def test_an_engineers_phone_pulls_its_estates_tickets_and_nothing_of_the_archive(client) -> None:
    estate, other = await make_estate(buildings=1), await make_estate(buildings=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    steward = await steward_phone(client, estate.building_ids)
    ticket_id = steward.create("ticket", {"kind": "repair", "title": "水管漏水", "unit_id": unit,
                                          "reporter_name": "张先生", "reporter_phone": "13800001111"})
    steward.create("visit", {"unit_id": unit, "purpose": "routine", "status": "done",
                             "household_id": estate.household_ids[unit]})
    ticket_photo, household_photo = jpeg(b"leak"), jpeg(b"id card copy")
    photo_of(steward, "ticket", ticket_id, ticket_photo)
    photo_of(steward, "household", estate.household_ids[unit], household_photo)
    assert {r["status"] for r in await steward.push()} == {"applied"}
    for content in (ticket_photo, household_photo):
        put = await client.put(f"/api/v1/attachments/{sha(content)}", content=content, headers=steward.headers)
        assert put.status_code in (200, 201), put.text
    other_steward = await steward_phone(client, other.building_ids)
    other_steward.create("ticket", {"kind": "repair", "title": "别的项目",
                                    "unit_id": other.unit_ids[other.building_ids[0]][0]})
    await other_steward.push()

    engineer = await engineer_phone(client, estate_ids=[estate.estate_id])
    await engineer.pull()
    pulled = {collection for collection, _ in engineer.replica}
    assert pulled == {"building", "unit", "ticket", "ticket_event", "attachment"}
    tickets = engineer.live("ticket")
    assert set(tickets) == {ticket_id}  # not the other estate's
    assert tickets[ticket_id]["reporter_phone"] == "13800001111"  # to reach the owner
    assert [a["parent_collection"] for a in engineer.live("attachment").values()] == ["ticket"]
    got = await client.get(f"/api/v1/attachments/{sha(ticket_photo)}", headers=engineer.headers)
    assert got.status_code == 200 and got.content == ticket_photo
    hidden = await client.get(f"/api/v1/attachments/{sha(household_photo)}", headers=engineer.headers)
    assert hidden.status_code == 404  # a household's papers do not exist for an engineer
    assert "110105" not in str(engineer.replica)  # no owner ID number anywhere


async def test_an_engineer_cannot_write_what_is_not_its_work(client) -> None:
    estate = await make_estate(buildings=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    ticket_id = await intake(client, unit)  # received: nobody rostered
    engineer = await engineer_phone(client, estate_ids=[estate.estate_id])
    await engineer.pull()
    before = await table_counts("ticket", "visit", "finding", "vacant_check", "household", "attachment")
    household = estate.household_ids[unit]
    engineer.create("ticket", {"kind": "repair", "title": "自己开单", "unit_id": unit})
    engineer.create("visit", {"unit_id": unit, "purpose": "routine", "status": "done"})
    engineer.create("finding", {"kind": "public_damage", "unit_id": unit, "occurred_at": "2026-12-01T08:00:00.000Z"})
    engineer.create("vacant_check", {"unit_id": unit, "week": "2026-W49"})
    engineer._queue({"op": "update", "collection": "household", "id": household, "base_version": 0,
                     "base": {"notes": None}, "changes": {"notes": "改档案"}})
    photo_of(engineer, "household", household, jpeg(b"x"))
    engineer.update("ticket", ticket_id, {"status": "closed"})
    engineer.update("ticket", ticket_id, {"assignee": "自己"})
    engineer.create("ticket_event", {"ticket_id": ticket_id, "type": "callback", "body": "回访"})
    results = await engineer.push()
    assert [r["code"] for r in results] == [
        "create_not_allowed", "create_not_allowed", "create_not_allowed", "create_not_allowed",
        "field_not_writable", "parent_not_allowed", "status_not_allowed", "field_not_writable",
        "event_type_not_allowed"], results
    assert await table_counts("ticket", "visit", "finding", "vacant_check", "household", "attachment") == before
    row = await Ticket.select(Ticket.status, Ticket.assignee).where(Ticket.id == ticket_id).first()
    assert row == {"status": "received", "assignee": None}


async def test_the_roster_dispatches_a_desk_intake_and_the_engineer_completes_it(client) -> None:
    estate = await make_estate(buildings=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    engineer = await engineer_phone(client, estate_ids=[estate.estate_id])
    lift = await make_user("engineer", team="lift", estate_ids=[estate.estate_id])
    await set_roster(client, estate.estate_id, {"water_power": engineer.user_id, "lift": lift})
    assert await DutyRoster.count() == 2
    page = (await client.get("/desk/roster")).text
    assert "维修值班表" in page and "水电班" in page and "测试engineer" in page and "Mon" not in page

    ticket_id = await intake(client, unit, system="water", part="水龙头", damage="漏水")
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert (row["status"], row["assignee_id"], row["assignee"]) == ("dispatched", engineer.user_id, "测试engineer")
    assert row["dispatched_at"] is not None
    lines = await TicketEvent.select(TicketEvent.type, TicketEvent.to_status).where(TicketEvent.ticket_id == ticket_id)
    assert {"type": "status", "to_status": "dispatched"} in lines

    await engineer.pull()
    assert engineer.live("ticket")[ticket_id]["assignee_id"] == engineer.user_id  # 我的工单
    engineer.update("ticket", ticket_id, {"status": "in_progress"})  # 接单
    engineer.create("ticket_event", {"ticket_id": ticket_id, "type": "arrived"})  # 到场
    engineer.update("ticket", ticket_id, {"status": "done"})  # no signature yet
    results = await engineer.push()
    assert [r["status"] for r in results[:2]] == ["applied", "applied"]
    assert results[2]["code"] == "owner_signature_required"
    await engineer.pull()
    signature = jpeg(b"owner signature")
    photo_of(engineer, "ticket", ticket_id, signature, kind="signature")
    engineer.update("ticket", ticket_id, {"status": "done", "owner_signed": True})
    assert {r["status"] for r in await engineer.push()} == {"applied"}
    put = await client.put(f"/api/v1/attachments/{sha(signature)}", content=signature, headers=engineer.headers)
    assert put.status_code in (200, 201), put.text
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert (row["status"], row["owner_signed"], row["done_at"] is not None) == ("done", True, True)
    detail = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "到场" in detail and f"/api/v1/attachments/{sha(signature)}" in detail


async def test_what_nobody_is_on_duty_for_waits_and_the_clerk_dispatches_or_redispatches(client) -> None:
    estate = await make_estate(buildings=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    wang = await make_user("engineer", team="water_power", estate_ids=[estate.estate_id])
    zhao = await make_user("engineer", team="civil", estate_ids=[estate.estate_id])
    await set_roster(client, estate.estate_id, {"water_power": wang})
    tomorrow = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).date().isoformat()
    await set_roster(client, estate.estate_id, {"civil": zhao}, day=tomorrow)  # not today
    ticket_id = await intake(client, unit, system="civil")
    row = await Ticket.select(Ticket.status, Ticket.assignee_id).where(Ticket.id == ticket_id).first()
    assert row == {"status": "received", "assignee_id": None}
    page = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "派给维修工" in page and "今日无人值班" in page

    def form(to: str, status: str, assignee_id: str = "") -> dict[str, object]:
        return {"version": 0, "base_status": status, "base_assignee_id": assignee_id, "to": to}

    refused = await post_action(client, ticket_id, "dispatch", False,
                                **{**form("team:civil", "received"), "version": await version_of(ticket_id)})
    assert refused.status_code == 422 and refused.json()["code"] == "nobody_on_duty"
    stranger = await post_action(client, ticket_id, "dispatch", False,
                                 **{**form(f"user:{new_id()}", "received"), "version": await version_of(ticket_id)})
    assert stranger.status_code == 422 and stranger.json()["code"] == "unknown_engineer"
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first())["status"] == "received"

    done = await post_action(client, ticket_id, "dispatch", False,
                             **{**form(f"user:{zhao}", "received"), "version": await version_of(ticket_id)})
    assert done.status_code == 303, done.text
    row = await Ticket.select(Ticket.status, Ticket.assignee_id, Ticket.assignee).where(Ticket.id == ticket_id).first()
    assert row == {"status": "dispatched", "assignee_id": zhao, "assignee": "测试engineer"}
    # 改派 to the water team's engineer on duty
    again = await post_action(client, ticket_id, "dispatch", False,
                              **{**form("team:water_power", "dispatched", zhao), "version": await version_of(ticket_id)})
    assert again.status_code == 303, again.text
    row = await Ticket.select(Ticket.status, Ticket.assignee_id).where(Ticket.id == ticket_id).first()
    assert row == {"status": "dispatched", "assignee_id": wang}
    assigned = await TicketEvent.count().where((TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "assigned"))
    assert assigned == 2
    # handed to a department by name (保洁): the engineer no longer has it
    by_name = await post_action(client, ticket_id, "assign", False, version=await version_of(ticket_id),
                                base_assignee="测试engineer", assignee="保洁")
    assert by_name.status_code == 303, by_name.text
    row = await Ticket.select(Ticket.assignee_id, Ticket.assignee).where(Ticket.id == ticket_id).first()
    assert row == {"assignee_id": None, "assignee": "保洁"}


async def test_a_repair_raised_on_a_phone_is_dispatched_too(client) -> None:
    estate = await make_estate(buildings=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    lift = await make_user("engineer", team="lift", estate_ids=[estate.estate_id])
    await set_roster(client, estate.estate_id, {"lift": lift})
    steward = await steward_phone(client, estate.building_ids)
    ticket_id = steward.create("ticket", {"kind": "repair", "title": "电梯异响", "unit_id": unit, "system": "lift"})
    await steward.push()
    row = await Ticket.select(Ticket.status, Ticket.assignee_id).where(Ticket.id == ticket_id).first()
    assert row == {"status": "dispatched", "assignee_id": lift}


async def test_the_roster_refuses_someone_outside_the_team_and_changes_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    civil = await make_user("engineer", team="civil", estate_ids=[estate.estate_id])
    response = await client.post("/desk/roster", headers=csrf(client), data={
        "estate_id": estate.estate_id, f"duty.{today()}.water_power": civil})
    assert response.status_code == 422 and response.json()["code"] == "not_in_team"
    bad = await client.post("/desk/roster", headers=csrf(client), data={
        "estate_id": estate.estate_id, "duty.tomorrow.water_power": ""})
    assert bad.status_code == 400
    assert await DutyRoster.count() == 0


async def test_the_admin_makes_an_engineer_with_a_team_and_changes_it(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "admin")
    missing = await client.post("/admin/users", headers=csrf(client), data={
        "username": "wang", "display_name": "王师傅", "role": "engineer", "password": "secret-pass-1"})
    assert missing.status_code == 400 and missing.json()["code"] == "team_required"
    made = await client.post("/admin/users", headers=csrf(client), data={
        "username": "wang", "display_name": "王师傅", "role": "engineer", "password": "secret-pass-1",
        "team": "water_power"})
    assert made.status_code == 303, made.text
    user = await StaffUser.select(StaffUser.id, StaffUser.team).where(StaffUser.username == "wang").first()
    assert user["team"] == "water_power"
    principal = await principal_of(user["id"])
    assert principal is not None and principal.estate_ids == {estate.estate_id}  # the admin's estates
    page = (await client.get("/admin/users")).text
    assert "维修工" in page and "水电班" in page
    changed = await client.post(f"/admin/users/{user['id']}/team", headers=csrf(client), data={"team": "lift"})
    assert changed.status_code == 303
    assert (await StaffUser.select(StaffUser.team).where(StaffUser.id == user["id"]).first())["team"] == "lift"
    bad = await client.post(f"/admin/users/{user['id']}/team", headers=csrf(client), data={"team": "plumbers"})
    assert bad.status_code == 400
    assert (await StaffUser.select(StaffUser.team).where(StaffUser.id == user["id"]).first())["team"] == "lift"
    assert await Visit.count() == 0
