"""The clerk's search: one box on the queue (ticket number, phone, owner, unit code as
people write it) and the intake's owner search find the same units."""

from __future__ import annotations

from server.store.search import ticket_numbers, unit_code_patterns
from server.tables import Household, Ticket, Unit
from tests.factories import make_estate
from tests.integration.test_desk_helpers import HX, login
from tests.integration.test_desk_ticket_flow import intake


def test_unit_codes_as_people_write_them() -> None:
    assert unit_code_patterns("3-1-0502") == ["3-1-0502%"]
    assert unit_code_patterns("3-0502") == ["3-0502%", "3-%-0502"]
    assert unit_code_patterns("3栋1单元502") == ["3栋1单元502%", "3-1-0502"]
    assert unit_code_patterns("3-1-502") == ["3-1-502%", "3-1-0502"]
    assert unit_code_patterns("3栋502室") == ["3栋502室%", "3-%-0502"]
    assert ticket_numbers("gd00000042") == (["GD00000042"], None)
    assert ticket_numbers("ljy - 42") == (["LJY - 42", "LJY-000042"], None)
    assert ticket_numbers("42") == (["42", "GD00000042"], "%-000042")
    assert ticket_numbers("欧阳") == (["欧阳"], None)


async def test_the_queue_finds_a_ticket_by_number_phone_owner_and_unit(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=3)
    await login(client, "desk")
    unit_ids = estate.unit_ids[estate.building_ids[0]]
    await Unit.update({Unit.code: "3-1-0502"}).where(Unit.id == unit_ids[1])
    await Household.update({Household.owner_name: "欧阳娜娜"}).where(Household.unit_id == unit_ids[1])
    mine = await intake(client, unit_ids[1], reporter_phone="13912345678")
    other = await intake(client, unit_ids[0], reporter_phone="13700000000")
    number = (await Ticket.select(Ticket.number).where(Ticket.id == mine).first())["number"]
    code, n = number.split("-")
    for q in (number, n.lstrip("0"), f"{code.lower()}-{n.lstrip('0')}", "13912345678", "欧阳", "3-0502", "3栋1单元502", "3-1-502"):
        page = await client.get("/desk/tickets", params={"q": q}, headers=HX)
        assert page.status_code == 200
        assert mine in page.text and other not in page.text, q
    owners = await client.get("/desk/intake/owners", params={"q": "3-0502"}, headers=HX)
    assert "3-1-0502" in owners.text
    by_name = await client.get("/desk/intake/owners", params={"q": "欧阳娜"}, headers=HX)
    assert "3-1-0502" in by_name.text


async def test_due_first_lists_the_work_to_do_and_the_filters_come_back_with_the_list(client) -> None:
    from tests.integration.test_desk_helpers import ago, seed_ticket

    estate = await make_estate(buildings=1, units_per_building=2)
    building = estate.building_ids[0]
    long_closed = await seed_ticket(building, status="closed", title="早已关闭", created_at=ago(days=300))
    open_one = await seed_ticket(building, status="dispatched", title="待处理", assignee="工程部")
    await login(client, "desk")
    page = await client.get("/desk/tickets", params={"sort": "due"}, headers=HX)
    assert open_one["id"] in page.text and long_closed["id"] not in page.text
    chip = await client.get("/desk/tickets", params={"status": "dispatched"}, headers=HX)
    assert '<option value="dispatched" selected>' in chip.text  # the select says what the chip chose
