"""Intake records what the repair procedure asks (日常报修处理规程 2: place, system, part,
damage, phone), the ticket page shows it, and a phone pulls it; a system outside the
vocabulary is refused and saves nothing."""

from __future__ import annotations

from server.tables import Ticket
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_desk_ticket_flow import intake


async def test_intake_stores_and_shows_system_part_and_damage(client) -> None:
    estate = await make_estate(buildings=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    form = (await client.get("/desk/intake")).text
    assert 'name="system"' in form and "给排水（水管、下水）" in form and 'name="part"' in form
    assert 'name="damage"' in form and "Water" not in form  # a Chinese screen, no English
    ticket_id = await intake(client, unit_id, htmx=True, system="water", part="水龙头", damage="漏水",
                             place="厨房")
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert (row["system"], row["part"], row["damage"], row["place"]) == ("water", "水龙头", "漏水", "厨房")
    assert row["reporter_phone"] == "13800001111"
    page = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "维修系统" in page and "给排水（水管、下水）" in page and "水龙头" in page and "漏水" in page
    english = (await client.get(f"/desk/tickets/{ticket_id}?lang=en")).text
    assert "Water and drainage" in english and "给排水" not in english


async def test_intake_without_them_leaves_them_empty(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0], system="", part="  ")
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert (row["system"], row["part"], row["damage"]) == (None, "", "")


async def test_a_system_not_in_the_vocabulary_is_refused_and_saves_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    base = {"kind": "repair", "unit_id": unit_id, "description": "卫生间漏水"}
    bad = await client.post("/desk/intake", headers=csrf(client), data={**base, "system": "plumbing"})
    assert bad.status_code == 422, bad.text
    body = bad.json()
    assert body["code"] == "invalid_form" and body["detail"] == {"field": "system"}
    assert "维修系统" in body["message"]
    long_part = await client.post("/desk/intake", headers=csrf(client, True), data={**base, "part": "件" * 51})
    assert long_part.status_code == 422 and "部件" in long_part.text and "太长了" in long_part.text
    assert await Ticket.count() == 0


async def test_a_phone_pulls_them_and_a_steward_records_them_too(client) -> None:
    from tests.integration.test_sync_support import steward_phone, ticket_fields

    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    unit_id = estate.unit_ids[building][0]
    await login(client, "desk")
    ticket_id = await intake(client, unit_id, system="lift", part="轿厢按钮", damage="失灵")
    phone = await steward_phone(client, [building])
    await phone.pull()
    pulled = phone.live("ticket")[ticket_id]
    assert (pulled["system"], pulled["part"], pulled["damage"]) == ("lift", "轿厢按钮", "失灵")
    own = phone.create("ticket", {**ticket_fields(unit_id), "system": "lighting", "part": "楼道灯",
                                  "damage": "不亮"})
    results = await phone.push()
    assert results[0]["status"] == "applied", results
    row = await Ticket.select().where(Ticket.id == own).first()
    assert (row["system"], row["part"], row["damage"]) == ("lighting", "楼道灯", "不亮")
