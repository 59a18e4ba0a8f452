"""Desk actions beyond the ticket page: duplicate findings, conflicts inbox, exports."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from server.tables import AuditLog, ChangeLog, Conflict, Finding, Ticket
from tests.factories import make_estate, make_user, new_id
from tests.integration.test_desk_helpers import HX, ago, csrf, estate_of, login, seed_ticket


async def two_findings(building_id: str) -> list[str]:
    ids = []
    for minutes in (30, 10):
        steward = await make_user("steward", [building_id])
        finding_id = new_id()
        # the row carries its estate, as the merge stamps it (issue 11: the desk sees its estates')
        await Finding.insert(Finding(id=finding_id, version=1, building_id=building_id,
                                     estate_id=await estate_of(building_id), floor="3", kind="safety_hazard",
                                     severity="high", description=f"3楼电井门未锁{minutes}", occurred_at=ago(minutes=minutes),
                                     steward_id=steward, created_at=ago(minutes=minutes)))
        ids.append(finding_id)
    return ids


async def test_duplicates_confirm_makes_one_ticket_with_findings_linked(client) -> None:
    estate = await make_estate(buildings=1)
    ids = await two_findings(estate.building_ids[0])
    await login(client, "desk")
    response = await client.post("/desk/duplicates", headers=csrf(client, True),
                                 data={"finding_ids": ",".join(ids), "decision": "confirm"})
    assert response.status_code == 200 and "没有疑似重复的发现" in response.text
    tickets = await Ticket.select()
    assert len(tickets) == 1 and tickets[0]["kind"] == "patrol_finding" and tickets[0]["priority"] == "high"
    assert tickets[0]["building_id"] == estate.building_ids[0]
    linked = await Finding.select(Finding.ticket_id, Finding.version)
    assert {f["ticket_id"] for f in linked} == {tickets[0]["id"]} and all(f["version"] > 1 for f in linked)
    again = await client.post("/desk/duplicates", headers=csrf(client),
                              data={"finding_ids": ",".join(ids), "decision": "confirm"})
    assert again.status_code == 409 and await Ticket.count() == 1


async def test_duplicates_split_makes_one_ticket_each(client) -> None:
    estate = await make_estate(buildings=1)
    ids = await two_findings(estate.building_ids[0])
    await login(client, "desk")
    response = await client.post("/desk/duplicates", headers=csrf(client),
                                 data={"finding_ids": ",".join(ids), "decision": "split"})
    assert response.status_code == 303
    assert await Ticket.count() == 2
    assert len({f["ticket_id"] for f in await Finding.select(Finding.ticket_id)}) == 2


async def make_conflict(client, estate) -> tuple[str, dict]:
    from tests.integration.test_desk_ticket_flow import intake, post_action, version_of

    ticket_id = await intake(client, estate.unit_ids[estate.building_ids[0]][0])
    shown = await version_of(ticket_id)
    await post_action(client, ticket_id, "assign", True, version=shown, base_assignee="", assignee="工程部")
    await post_action(client, ticket_id, "assign", True, version=shown, base_assignee="", assignee="保洁")
    conflict = await Conflict.select().where(Conflict.record_id == ticket_id).first()
    return ticket_id, conflict


async def test_conflict_take_the_other_goes_through_the_merge(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id, conflict = await make_conflict(client, estate)
    inbox = await client.get("/desk/conflicts")
    assert f'id="c-{conflict["id"]}"' in inbox.text and "first_sync_wins" in inbox.text.replace("-", "_") or "保洁" in inbox.text
    response = await client.post(f"/desk/conflicts/{conflict['id']}", headers=csrf(client, True),
                                 data={"version": conflict["version"], "decision": "take_other"})
    assert response.status_code == 200 and "没有待处理的冲突" in response.text
    assert (await Ticket.select(Ticket.assignee).where(Ticket.id == ticket_id).first())["assignee"] == "保洁"
    resolved = await Conflict.select().where(Conflict.id == conflict["id"]).first()
    assert resolved["status"] == "reversed" and resolved["resolved_by"]
    logged = await ChangeLog.select().where(ChangeLog.record_id == conflict["id"])
    assert logged, "phones pull the conflict's new status"
    twice = await client.post(f"/desk/conflicts/{conflict['id']}", headers=csrf(client),
                              data={"version": resolved["version"], "decision": "keep"})
    assert twice.status_code == 409


async def test_conflict_keep_leaves_the_record(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ticket_id, conflict = await make_conflict(client, estate)
    response = await client.post(f"/desk/conflicts/{conflict['id']}", headers=csrf(client),
                                 data={"version": conflict["version"], "decision": "keep"})
    assert response.status_code == 303
    assert (await Ticket.select(Ticket.assignee).where(Ticket.id == ticket_id).first())["assignee"] == "工程部"
    assert (await Conflict.select(Conflict.status).where(Conflict.id == conflict["id"]).first())["status"] == "kept"
    bad = await client.post(f"/desk/conflicts/{conflict['id']}", headers=csrf(client, True),
                            data={"version": 1, "decision": "maybe"})
    assert bad.status_code == 422


async def test_exports_follow_filters_and_are_audited(client) -> None:
    estate = await make_estate(buildings=2)
    b1, b2 = estate.building_ids
    await seed_ticket(b1, title="一号楼漏水")
    await seed_ticket(b2, title="二号楼停电")
    user_id = await login(client, "desk")
    response = await client.get("/desk/export/tickets.csv", params={"building_id": b1})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "工单号" and len(rows) == 2 and rows[1][1] == "一号楼漏水"
    xlsx = await client.get("/desk/export/tickets.xlsx", headers=HX)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3 and {sheet.cell(r, 2).value for r in (2, 3)} == {"一号楼漏水", "二号楼停电"}
    archive = await client.get("/desk/export/archive.csv", params={"q": "1-"})
    assert "业主" in archive.content.decode("utf-8-sig")
    for name in ("callbacks", "escalations", "vacant", "patrols", "stewards", "conflicts", "duplicates"):
        assert (await client.get(f"/desk/export/{name}.xlsx")).status_code == 200, name
    assert (await client.get("/desk/export/kpi.csv")).status_code == 403  # managers only, as the page
    assert (await client.get("/desk/export/secrets.csv")).status_code == 404
    exports = await AuditLog.select().where((AuditLog.action == "export") & (AuditLog.user_id == user_id))
    assert len(exports) == 10 and {e["target"] for e in exports} >= {"tickets", "archive", "vacant"}


async def test_one_stewards_finding_saved_twice_is_flagged_but_two_hours_apart_is_not(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    steward = await make_user("steward", [building])

    async def finding(minutes: float, floor: str) -> None:
        await Finding.insert(Finding(id=new_id(), version=1, building_id=building, estate_id=await estate_of(building),
                                     floor=floor, kind="public_damage", severity="medium", description="楼道窗户破损",
                                     occurred_at=ago(minutes=minutes), steward_id=steward, created_at=ago(minutes=minutes)))

    await finding(20, "5")
    await finding(19.5, "5")  # a double save, half a minute later
    await finding(200, "7")
    await finding(80, "7")  # the same steward back on 7 two hours later: a new finding
    await login(client, "desk")
    page = await client.get("/desk/duplicates", headers=HX)
    assert page.text.count("楼道窗户破损") == 2
