"""无效投诉 (must-know-handbook 应会 10 处理无效投诉流程): on a complaint's page the desk or
the manager marks it invalid with one of the handbook's six categories, reading each one's
prescribed handling before choosing, or marks it valid again; the edit goes through the
sync merge like any other, only a complaint may carry it, and 有效投诉率 counts only the
valid ones."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from schemas.vocab import InvalidComplaint, codes
from server.clock import iso
from server.store import kpi
from server.tables import ChangeLog, Ticket, TicketEvent
from sync.scope import Scope
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_desk_ticket_flow import intake, post_action, version_of


async def mark(client, ticket_id: str, category: str, htmx: bool = True, **extra: str):
    row = await Ticket.select(Ticket.invalid_category).where(Ticket.id == ticket_id).first()
    return await post_action(client, ticket_id, "validity", htmx, version=await version_of(ticket_id),
                             base_invalid_category=row["invalid_category"] or "", invalid_category=category,
                             **extra)


async def valid_complaints(estate_id: str) -> float:
    now = datetime.now(UTC)
    scope = Scope(estates=frozenset({estate_id}), buildings=None)
    figures = await kpi.month_kpis(iso(now - timedelta(days=1)), iso(now + timedelta(days=1)),
                                   now.strftime("%Y-%m"), None, scope=scope)
    return next(k for k in figures if k.key == "valid_complaint_rate").numerator


async def test_the_page_of_a_complaint_shows_each_category_with_its_handling_before_choosing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0], kind="complaint",
                             description="业主投诉自来水公司抄表有误")
    page = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "无效投诉认定" in page and page.count('name="invalid_category"') == len(codes(InvalidComplaint)) + 1
    assert "开发商遗留问题" in page and "耐心倾听，与开发商沟通后予以解释或直接转开发商解释。" in page
    assert "查看并保护现场，协助上报相关单位部门，并安抚业主做好解释工作。" in page
    form = re.search(r'<form[^>]*/validity".*?</form>', page, re.S)
    assert form and 'name="_csrf_token"' in form.group(0)  # the form carries the token
    assert 'value="developer_legacy"' in page and "Listen patiently" not in page  # words in Chinese
    english = (await client.get(f"/desk/tickets/{ticket_id}?lang=en")).text
    assert "Listen patiently and give the company&#39;s customer-service hotline." in english


@pytest.mark.parametrize("role", ["desk", "manager"])
async def test_the_office_marks_a_complaint_invalid_through_the_merge_and_valid_again(client, role: str) -> None:
    estate = await make_estate(buildings=1)
    await login(client, role)
    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0], kind="complaint")
    before = await ChangeLog.count().where(ChangeLog.record_id == ticket_id)
    marked = await mark(client, ticket_id, "utility_fault")
    assert marked.status_code == 200 and 'id="ticket"' in marked.text and "<html" not in marked.text
    assert "无效投诉：与水、电、燃气等部门的纠纷" in marked.text and "耐心倾听，告知相关部门客服热线。" in marked.text
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["invalid_category"] == "utility_fault"
    assert await ChangeLog.count().where(ChangeLog.record_id == ticket_id) == before + 1  # phones pull it
    again = await mark(client, ticket_id, "", htmx=False)
    assert again.status_code == 303 and again.headers["location"] == f"/desk/tickets/{ticket_id}"
    assert (await Ticket.select().where(Ticket.id == ticket_id).first())["invalid_category"] is None
    lines = await TicketEvent.select(TicketEvent.type, TicketEvent.body).where(
        (TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "validity")).order_by(TicketEvent.version)
    assert [line["body"] for line in lines] == ["utility_fault", ""]
    page = (await client.get(f"/desk/tickets/{ticket_id}")).text
    assert "投诉认定" in page and "有效投诉" in page


async def test_a_repair_is_never_marked_invalid_and_a_bad_category_is_refused(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    repair = await intake(client, unit_id)
    assert 'name="invalid_category"' not in (await client.get(f"/desk/tickets/{repair}")).text
    version = await version_of(repair)
    refused = await mark(client, repair, "outside_contract", htmx=False)
    assert refused.status_code == 422 and refused.json()["code"] == "not_a_complaint"
    assert "只有投诉工单才能认定为无效投诉" in refused.json()["message"]
    shown = await mark(client, repair, "outside_contract")
    assert shown.status_code == 422 and shown.headers["HX-Retarget"] == "#flash"
    assert "只有投诉工单才能认定为无效投诉" in shown.text and "only a complaint" not in shown.text
    assert await version_of(repair) == version
    assert (await Ticket.select().where(Ticket.id == repair).first())["invalid_category"] is None
    complaint = await intake(client, unit_id, kind="complaint")
    bogus = await mark(client, complaint, "bogus", htmx=False)
    assert bogus.status_code == 422 and bogus.json()["code"] == "invalid_form"
    assert bogus.json()["detail"] == {"field": "invalid_category"}
    no_token = await client.post(f"/desk/tickets/{complaint}/validity",
                                 data={"version": "1", "invalid_category": "personal_loss"})
    assert no_token.status_code == 403
    assert await TicketEvent.count().where(TicketEvent.type == "validity") == 0


async def test_a_complaint_marked_invalid_leaves_the_months_valid_complaints(client) -> None:
    estate = await make_estate(buildings=1)
    units = estate.unit_ids[estate.building_ids[0]]
    await login(client, "desk")
    first = await intake(client, units[0], kind="complaint", description="开发商承诺的会所没有建")
    await intake(client, units[1], kind="complaint", description="楼道堆放杂物")
    assert await valid_complaints(estate.estate_id) == 2
    assert (await mark(client, first, "developer_legacy")).status_code == 200
    assert await valid_complaints(estate.estate_id) == 1


async def test_a_closed_complaint_is_read_only(client) -> None:
    from tests.integration.test_desk_helpers import seed_ticket

    estate = await make_estate(buildings=1)
    closed = await seed_ticket(estate.building_ids[0], kind="complaint", status="closed")
    await login(client, "manager")
    answer = await client.post(f"/desk/tickets/{closed['id']}/validity", headers=csrf(client),
                               data={"version": "1", "invalid_category": "outside_contract"})
    assert answer.status_code == 409 and answer.json()["code"] == "ticket_closed"
