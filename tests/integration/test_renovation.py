"""装修 (应会 3, 应知 17; issue 18) on both engines: a case opened at the desk and taken
through every step, the phone's owner-signed test, patrols with a rectification notice the
next patrol checks, 初验 and 复验 with their due days (7 days; 3 months, month ends), the fees
from the estate's own settings, and the steps refusing to go out of order, each refusal
changing nothing."""

from __future__ import annotations

from typing import Any

from server.store.rows import json_value
from server.tables import AuditLog, Renovation, RenovationInspection, Unit
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import jpeg, sha, steward_phone

SIGNATURE = sha(jpeg(b"owner signs"))


async def case_row(case_id: str) -> dict[str, Any]:
    return await Renovation.select().where(Renovation.id == case_id).first()


async def occupancy(unit_id: str) -> str:
    return (await Unit.select(Unit.occupancy).where(Unit.id == unit_id).first())["occupancy"]


async def open_case(client, building_id: str, unit_code: str, **extra: str) -> str:
    answer = await client.post("/desk/renovations", headers=csrf(client), data={
        "building_id": building_id, "unit_code": unit_code, "contractor": "郑州美家装饰",
        "contractor_phone": "13800000000", "applied_on": "2026-09-01", **extra})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


async def step(client, case_id: str, to: str, day: str, **extra: object):
    row = await case_row(case_id)
    return await client.post(f"/desk/renovations/{case_id}/step", headers=csrf(client, True), data={
        "version": row["version"], "base_status": row["status"], "step": to, "day": day, **extra})


async def test_a_case_goes_through_every_step_in_order(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    unit_id = estate.unit_ids[building][0]  # 1-0101, 洋房, 98.5 m², occupied
    await login(client, "desk")
    steward = await steward_phone(client, [building])

    case_id = await open_case(client, building, "1-0101")
    row = await case_row(case_id)
    assert (row["status"], row["applied_on"], row["unit_type"], row["area_m2"]) == ("applied", "2026-09-01",
                                                                                   "yangfang", 98.5)
    assert row["owner_name"] == "业主11" and await occupancy(unit_id) == "renovating"  # 装修中 while open
    again = await client.post("/desk/renovations", headers=csrf(client), data={
        "building_id": building, "unit_code": "1-0101", "contractor": "x"})
    assert again.status_code == 409 and "该户已有进行中的装修" in again.text
    listing = await client.get("/desk/renovations?day=2026-09-01")
    assert listing.status_code == 200 and "1-0101" in listing.text and "已申报" in listing.text
    assert "Applied" not in listing.text  # a Chinese screen

    # a step out of order is refused with its code and changes nothing
    before = await case_row(case_id)
    skipped = await step(client, case_id, "fees_paid", "2026-09-02", passes=3)
    assert skipped.status_code == 422 and "装修手续须按流程逐步办理" in skipped.text
    assert await case_row(case_id) == before
    assert (await step(client, case_id, "approved", "2026-09-02")).status_code == 200
    # the day of a step may not come before the previous step's
    early = await step(client, case_id, "fees_paid", "2026-09-01", passes=3)
    assert early.status_code == 422 and "这一步的日期不能早于上一步" in early.text
    paid = await step(client, case_id, "fees_paid", "2026-09-03", passes=3)
    assert paid.status_code == 200
    row = await case_row(case_id)
    # 应知 17: 洋房 3000 元, 出入证 10 元 + 押金 50 元 each, 垃圾清运 4 元/㎡ × 98.5
    assert (row["quality_deposit_fen"], row["pass_fee_fen"], row["pass_deposit_fen"], row["rubbish_fen"],
            row["passes_issued"]) == (300_000, 3_000, 15_000, 39_400, 3)
    assert "3000.00" in paid.text and "394.00" in paid.text
    # the test is the phone's (the owner signs there)
    on_desk = await step(client, case_id, "tested", "2026-09-04")
    assert on_desk.status_code == 409 and await case_row(case_id) == row

    await steward.pull()
    assert ("renovation", case_id) in steward.replica
    # a steward may not open a case, nor take the desk's steps
    steward.create("renovation", {"unit_id": unit_id, "unit_type": "yangfang", "applied_on": "2026-09-04"})
    steward.update("renovation", case_id, {"status": "permitted", "permit_on": "2026-09-06"})
    steward.update("renovation", case_id, {"status": "tested", "tested_on": "2026-09-04"})  # no test record
    [created, permit, unproven] = await steward.push()
    assert (created["status"], created["code"]) == ("rejected", "create_not_allowed")
    assert (permit["status"], permit["code"]) == ("rejected", "field_not_writable")
    assert (unproven["status"], unproven["code"]) == ("rejected", "step_inspection_required")
    assert await case_row(case_id) == row

    unsigned = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "test", "inspected_at": "2026-09-04T02:00:00.000Z",
        "inspected_on": "2026-09-04", "passed": True})
    undecided = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "first", "inspected_at": "2026-09-04T02:00:00.000Z",
        "inspected_on": "2026-09-04"})
    signed = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "test", "inspected_at": "2026-09-04T02:00:00.000Z",
        "inspected_on": "2026-09-04", "passed": True, "signature_sha256": SIGNATURE})
    results = await steward.push()
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "inspection_signature_required"), ("rejected", "inspection_result_required"), ("applied", None)]
    await steward.pull()
    steward.update("renovation", case_id, {"status": "tested", "tested_on": "2026-09-04", "test_inspection_id": signed})
    [moved] = await steward.push()
    assert moved["status"] == "applied" and (await case_row(case_id))["tested_on"] == "2026-09-04"
    assert not await RenovationInspection.exists().where(RenovationInspection.id.is_in([unsigned, undecided]))

    # the permit two days after the test at the earliest
    too_soon = await step(client, case_id, "permitted", "2026-09-05")
    assert too_soon.status_code == 422 and "两天后" in too_soon.text
    assert (await case_row(case_id))["status"] == "tested"
    assert (await step(client, case_id, "permitted", "2026-09-06")).status_code == 200

    # the steward photographs a paper: on file (the list only grows), its photo on the case
    await steward.pull()
    steward.update("renovation", case_id, {"papers": ["application", "agreement"]})
    steward.create("attachment", {"sha256": sha(jpeg(b"agreement")), "parent_collection": "renovation",
                                  "parent_id": case_id, "kind": "photo", "mime": "image/jpeg", "size": 20})
    assert [r["status"] for r in await steward.push()] == ["applied", "applied"]
    assert json_value((await case_row(case_id))["papers"]) == ["application", "agreement"]
    assert "data-case-papers" in (await client.get(f"/desk/renovations/{case_id}")).text

    # two patrols: the first issues a rectification notice, the second checks it
    await steward.pull()
    notice = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "patrol", "inspected_at": "2026-09-10T02:00:00.000Z",
        "inspected_on": "2026-09-10", "results": {"structure": "ok", "facade": "ok", "fire": "defect",
                                                  "hours": "ok", "rubbish": "defect"},
        "findings": "楼道堆放装修垃圾，无灭火器", "notice": "三日内清运垃圾并配备灭火器", "notice_due": "2026-09-13"})
    no_result = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "patrol", "inspected_at": "2026-09-13T02:00:00.000Z",
        "inspected_on": "2026-09-13", "checks_notice_id": notice})
    deadline_alone = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "patrol", "inspected_at": "2026-09-13T02:00:00.000Z",
        "inspected_on": "2026-09-13", "notice_due": "2026-09-20"})
    checked = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "patrol", "inspected_at": "2026-09-13T02:00:00.000Z",
        "inspected_on": "2026-09-13", "checks_notice_id": notice, "notice_result": "rectified",
        "results": {k: "ok" for k in ("structure", "facade", "fire", "hours", "rubbish")}})
    results = await steward.push()
    assert [(r["status"], r.get("code")) for r in results] == [
        ("applied", None), ("rejected", "notice_result_required"), ("rejected", "notice_due_without_notice"),
        ("applied", None)]
    steward.update("renovation_inspection", checked, {"notice_result": "not_rectified"})
    [edited] = await steward.push()
    assert (edited["status"], edited["code"]) == ("rejected", "append_only")

    # a neighbour's complaint names the case (a complaint only); the case's page lists it
    complaint = steward.create("ticket", {"kind": "complaint", "title": "1-0101 装修扰民投诉", "unit_id": unit_id,
                                          "description": "晚上十点还在电钻", "renovation_id": case_id})
    steward.create("ticket", {"kind": "repair", "title": "x", "unit_id": unit_id, "renovation_id": case_id})
    results = await steward.push()
    assert [(r["status"], r.get("code")) for r in results] == [("applied", None), ("rejected", "renovation_not_complaint")]
    listed = await client.get(f"/desk/renovations/{case_id}")
    assert "1-0101 装修扰民投诉" in listed.text and f"/desk/tickets/{complaint}" in listed.text

    # completion: 初验 due within seven days
    assert (await step(client, case_id, "completed", "2026-11-23")).status_code == 200
    assert (await case_row(case_id))["first_due"] == "2026-11-30"
    due = await client.get("/desk/renovations?day=2026-11-24")
    assert "data-due-case" in due.text and "初验" in due.text and "2026-11-30" in due.text

    # 初验 on 11-30: 复验 three months on, on the month's last day (2027-02-28)
    await steward.pull()
    first = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "first", "inspected_at": "2026-11-30T02:00:00.000Z",
        "inspected_on": "2026-11-30", "passed": True, "signature_sha256": SIGNATURE,
        "results": {k: "ok" for k in ("structure", "facade", "fire", "hours", "rubbish")}})
    steward.update("renovation", case_id, {"status": "first_passed", "first_on": "2026-11-30",
                                           "first_inspection_id": first})
    assert [r["status"] for r in await steward.push()] == ["applied", "applied"]
    assert (await case_row(case_id))["second_due"] == "2027-02-28"
    # 复验 before the passes are returned: out of order
    await steward.pull()
    steward.update("renovation", case_id, {"status": "second_passed", "second_on": "2027-02-28",
                                           "second_inspection_id": first})
    [early_second] = await steward.push()
    assert (early_second["status"], early_second["code"]) == ("rejected", "renovation_step_order")

    too_many = await step(client, case_id, "passes_returned", "2026-12-01", passes_returned=4)
    assert too_many.status_code == 422 and (await case_row(case_id))["status"] == "first_passed"
    assert (await step(client, case_id, "passes_returned", "2026-12-01", passes_returned=3)).status_code == 200
    row = await case_row(case_id)
    assert (row["passes_returned"], row["pass_deposit_refunded_fen"]) == (3, 15_000)
    # the refund waits for 复验
    refused_refund = await step(client, case_id, "refunded", "2026-12-02")
    assert refused_refund.status_code == 422 and "装修手续须按流程逐步办理" in refused_refund.text
    assert (await case_row(case_id))["status"] == "passes_returned"

    await steward.pull()
    second = steward.create("renovation_inspection", {
        "renovation_id": case_id, "kind": "second", "inspected_at": "2027-02-28T02:00:00.000Z",
        "inspected_on": "2027-02-28", "passed": True, "signature_sha256": SIGNATURE})
    steward.update("renovation", case_id, {"status": "second_passed", "second_on": "2027-02-28",
                                           "second_inspection_id": second})
    assert [r["status"] for r in await steward.push()] == ["applied", "applied"]
    assert (await step(client, case_id, "refunded", "2027-03-01")).status_code == 200
    row = await case_row(case_id)
    assert (row["status"], row["quality_deposit_refunded_fen"], row["refunded_on"]) == ("refunded", 300_000,
                                                                                       "2027-03-01")
    assert await occupancy(unit_id) == "occupied"  # no longer 装修中

    # the case's page and the unit's archive show the whole case
    page = await client.get(f"/desk/renovations/{case_id}")
    assert page.status_code == 200
    for text in ("已退保证金", "三日内清运垃圾并配备灭火器", "已整改", "初验", "复验", "2027-02-28", "打压/闭水试验",
                 "3000.00", "150.00"):
        assert text in page.text, text
    archive = await client.get(f"/desk/archive/units/{unit_id}")
    assert f"/desk/renovations/{case_id}" in archive.text and "已退保证金" in archive.text


async def test_fees_follow_the_estates_own_settings_audited(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    await login(client, "manager")
    page = await client.get("/desk/settings/renovation-fees")
    assert page.status_code == 200 and "《应知》第17条" in page.text and 'value="3000.00"' in page.text
    bad = await client.post("/desk/settings/renovation-fees", headers=csrf(client), data={
        "estate_id": estate.estate_id, "yangfang": "-1", "diejia": "5000", "lianpai": "10000", "pass_fee": "10",
        "pass_deposit": "50", "rubbish_per_m2": "4"})
    assert bad.status_code == 422 and not await AuditLog.exists().where(AuditLog.action == "renovation_fees_change")
    saved = await client.post("/desk/settings/renovation-fees", headers=csrf(client, True), data={
        "estate_id": estate.estate_id, "yangfang": "3500", "diejia": "5000", "lianpai": "10000", "pass_fee": "12",
        "pass_deposit": "60", "rubbish_per_m2": "4.5"})
    assert saved.status_code == 200 and "本项目自行设置" in saved.text
    assert await AuditLog.exists().where(AuditLog.action == "renovation_fees_change")

    case_id = await open_case(client, building, "1-0201", area_m2="100")
    assert (await step(client, case_id, "approved", "2026-09-02")).status_code == 200
    assert (await step(client, case_id, "fees_paid", "2026-09-02", passes=2)).status_code == 200
    row = await case_row(case_id)
    assert (row["quality_deposit_fen"], row["pass_fee_fen"], row["pass_deposit_fen"], row["rubbish_fen"]) == (
        350_000, 2_400, 12_000, 45_000)


async def test_the_desk_refuses_what_it_cannot_find(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    other = await make_estate(buildings=1, office=False)
    missing = await client.post("/desk/renovations", headers=csrf(client), data={
        "building_id": estate.building_ids[0], "unit_code": "9-9999", "contractor": "x"})
    assert missing.status_code == 404
    outside = await client.post("/desk/renovations", headers=csrf(client), data={
        "building_id": other.building_ids[0], "unit_code": "1-0101", "contractor": "x"})
    assert outside.status_code == 404
    assert not await Renovation.exists()
    assert (await client.get("/desk/renovations/nope")).status_code == 404
