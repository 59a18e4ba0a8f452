"""入住办理 (应会 2), 验房 and the key register (应知 19, 23), issue 18, on both engines: the
desk's steps refuse to go out of order and change nothing when refused; the year's fee comes
from the estate's rates; the steward's offline 验房 makes one warranty ticket per defect
however often the phone retries; signing sets the household's move-in date; a key is signed
out and back."""

from __future__ import annotations

import json
import re
from typing import Any

from server.tables import AuditLog, Estate, Household, Ticket
from server.tables.move_in import EstateKey, Handover, KeyLoan, MoveIn
from tests.factories import make_estate
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import steward_phone


async def post(client, path: str, **data: Any):
    return await client.post(path, headers=csrf(client), data=data)


async def move_in_row(move_in_id: str) -> dict[str, Any]:
    return await MoveIn.select().where(MoveIn.id == move_in_id).first()


async def step(client, move_in_id: str, to: str, **data: Any):
    return await post(client, f"/desk/move-ins/{move_in_id}/step", step=to, **data)


def form_record_id(page: str) -> str:
    return re.search(r'name="record_id" value="([0-9a-f-]{36})"', page).group(1)


async def open_move_in(client, unit_code: str) -> str:
    page = await client.get("/desk/move-ins")
    assert page.status_code == 200 and "入住办理" in page.text and "Move-ins" not in page.text
    record_id = form_record_id(page.text)
    form = {"record_id": record_id, "unit_code": unit_code, "owner_name": "王建国", "owner_phone": "13800001111",
            "owner_id_number": "410105198001011234", "work_unit": "郑州一建", "id_checked": "true"}
    for _ in range(2):  # the clerk taps twice: one move-in, one household
        answer = await post(client, "/desk/move-ins", **form)
        assert answer.status_code == 303 and answer.headers["location"] == f"/desk/move-ins/{record_id}"
    return record_id


async def test_the_move_in_steps_go_in_order_and_the_handover_is_signed_offline(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    vacant = estate.unit_ids[building][3]  # 1-0401: vacant, no household yet
    await login(client, "desk")

    refused = await post(client, "/desk/move-ins", unit_code="1-0401", owner_name="王建国")
    assert refused.status_code == 422 and refused.json()["code"] == "identity_not_checked"
    nowhere = await post(client, "/desk/move-ins", unit_code="9-9999", owner_name="王建国", id_checked="true")
    assert nowhere.status_code == 422 and nowhere.json()["code"] == "unknown_unit_code"
    assert await MoveIn.count() == 0 and await Household.count().where(Household.unit_id == vacant) == 0

    move_in_id = await open_move_in(client, "1-0401")
    assert await MoveIn.count() == 1
    [household] = await Household.select().where(Household.unit_id == vacant)
    row = await move_in_row(move_in_id)
    assert (household["owner_name"], row["household_id"], row["step"]) == ("王建国", household["id"], "identity_checked")
    again = await post(client, "/desk/move-ins", unit_code="1-0401", owner_name="李四", id_checked="true")
    assert again.status_code == 409 and again.json()["code"] == "move_in_open"

    # out of order: refused, nothing changes
    for to in ("fee_paid", "handed_over"):
        answer = await step(client, move_in_id, to, fee_receipt="A001")
        assert answer.status_code == 409 and answer.json()["code"] == "step_out_of_order"
    short = await step(client, move_in_id, "agreements_signed", agreements=["covenant", "service"])
    assert short.status_code == 422 and short.json()["code"] == "agreements_missing"
    assert (await move_in_row(move_in_id))["step"] == "identity_checked"
    signed = await step(client, move_in_id, "agreements_signed", agreements=["covenant", "service", "renovation"])
    assert signed.status_code == 303
    no_receipt = await step(client, move_in_id, "fee_paid")
    assert no_receipt.status_code == 422 and no_receipt.json()["code"] == "fee_not_recorded"
    page = await client.get(f"/desk/move-ins/{move_in_id}")
    assert "应交 2103.96 元" in page.text  # 1.78 元/㎡/月 × 98.5 ㎡ × 12 (the handbook's 洋房 rate)
    assert (await step(client, move_in_id, "fee_paid", fee_receipt="A001")).status_code == 303
    row = await move_in_row(move_in_id)
    assert (row["step"], row["fee_fen"], row["fee_receipt"], bool(row["fee_paid_at"])) == ("fee_paid", 210396, "A001", True)
    early = await step(client, move_in_id, "handed_over", keys_handed="3", gifts_handed="true", manuals_handed="true")
    assert early.status_code == 409 and early.json()["code"] == "inspection_not_signed"

    # the steward walks the unit offline: three defects, three warranty tickets, the owner signs
    phone = await steward_phone(client, [building])
    await phone.pull()
    seen = phone.replica[("move_in", move_in_id)]
    assert seen["step"] == "fee_paid" and "owner_id_number" not in seen
    handover_id = phone.create("handover", {"move_in_id": move_in_id, "unit_id": vacant, "steward_id": phone.user_id,
                                            "rooms": {"living": {"walls_ceiling": "defect", "floor": "ok"}}})
    tickets = [phone.create("ticket", {"kind": "warranty", "title": f"工程质量维修 {n}", "unit_id": vacant,
                                       "channel": "handover", "source_handover_id": handover_id, "system": "civil"})
               for n in range(3)]
    outbox = list(phone.outbox)
    results = await phone.push()
    assert {r["status"] for r in results} == {"applied"}
    replay = await phone.post_push(outbox)  # the phone lost the answer and sends it all again
    assert replay.status_code == 200 and [r["status"] for r in replay.json()["results"]] == ["applied"] * 4
    made = await Ticket.select().where(Ticket.source_handover_id == handover_id)
    assert len(made) == 3 == await Ticket.count().where(Ticket.kind == "warranty")
    assert {t["id"] for t in made} == set(tickets) and all(t["unit_id"] == vacant for t in made)
    await phone.pull()
    phone.update("handover", handover_id, {"status": "signed", "owner_signed": True,
                                           "signed_at": "2026-12-04T02:00:00.000Z", "keys_counted": 3})
    phone.update("household", household["id"], {"move_in_date": "2026-12-04"})
    assert {r["status"] for r in await phone.push()} == {"applied"}
    assert (await Household.select(Household.move_in_date).where(Household.id == household["id"]).first()
            )["move_in_date"] == "2026-12-04"

    page = await client.get(f"/desk/move-ins/{move_in_id}")
    assert "已签交接书" in page.text and page.text.count("工程质量维修 ") == 3
    missing = await step(client, move_in_id, "handed_over", keys_handed="3", gifts_handed="true")
    assert missing.status_code == 422 and missing.json()["code"] == "handover_items_missing"
    done = await step(client, move_in_id, "handed_over", keys_handed="3", gifts_handed="true", manuals_handed="true")
    assert done.status_code == 303
    row = await move_in_row(move_in_id)
    assert (row["step"], row["keys_handed"], bool(row["handed_over_at"])) == ("handed_over", 3, True)
    twice = await step(client, move_in_id, "handed_over", keys_handed="3", gifts_handed="true", manuals_handed="true")
    assert twice.status_code == 303 and (await move_in_row(move_in_id))["version"] == row["version"]
    unit_page = await client.get(f"/desk/archive/units/{vacant}")
    assert unit_page.status_code == 200 and "入住手续" in unit_page.text and "验房交接" in unit_page.text


async def test_a_phone_cannot_skip_a_step_or_write_a_move_in(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    await login(client, "desk")
    move_in_id = await open_move_in(client, "1-0401")
    phone = await steward_phone(client, [building])
    await phone.pull()
    phone.update("move_in", move_in_id, {"step": "fee_paid"})
    [result] = await phone.push()
    assert (result["status"], result["code"]) == ("rejected", "field_not_writable")
    assert (await move_in_row(move_in_id))["step"] == "identity_checked"


async def test_a_key_is_signed_out_and_back(client) -> None:
    estate = await make_estate(buildings=1)
    building = estate.building_ids[0]
    vacant = estate.unit_ids[building][3]
    await login(client, "desk")
    page = await client.get("/desk/keys")
    assert page.status_code == 200 and "钥匙登记" in page.text
    assert (await post(client, "/desk/keys", record_id=form_record_id(page.text), kind="unit", label="进户门钥匙",
                       unit_code="1-0401", place="客服前台", keeper="前台")).status_code == 303
    assert (await post(client, "/desk/keys", kind="public", label="水泵房钥匙", place="维修办公室")).status_code == 303
    bad = await post(client, "/desk/keys", kind="unit", label="进户门钥匙", unit_code="9-9999")
    assert bad.status_code == 422 and bad.json()["code"] == "key_unit_required"
    key = await EstateKey.select().where(EstateKey.unit_id == vacant).first()
    assert key["building_id"] == building
    public = await EstateKey.select().where(EstateKey.kind == "public").first()
    assert public["estate_id"] == estate.estate_id and public["building_id"] is None

    nobody = await post(client, f"/desk/keys/{key['id']}/out", borrower="", reason="验房")
    assert nobody.status_code == 422 and nobody.json()["code"] == "borrower_required"
    token = form_record_id((await client.get("/desk/keys")).text)
    for _ in range(2):  # a double click signs it out once
        assert (await post(client, f"/desk/keys/{key['id']}/out", record_id=token, borrower="张楼管",
                           reason="验房")).status_code == 303
    assert await KeyLoan.count() == 1
    twice = await post(client, f"/desk/keys/{key['id']}/out", borrower="李四", reason="看房")
    assert twice.status_code == 409 and twice.json()["code"] == "key_already_out"
    phone = await steward_phone(client, [building])
    await phone.pull()
    assert phone.replica[("estate_key", key["id"])]["holder"] == "张楼管"
    page = await client.get("/desk/keys")
    assert "张楼管 借出" in page.text
    [open_loan] = await KeyLoan.select(KeyLoan.id)
    for _ in range(2):  # a double click brings it back once
        assert (await post(client, f"/desk/keys/{key['id']}/back", loan_id=open_loan["id"])).status_code == 303
    again = await post(client, f"/desk/keys/{key['id']}/back")
    assert again.status_code == 409 and again.json()["code"] == "key_not_out"
    [loan] = await KeyLoan.select().where(KeyLoan.key_id == key["id"])
    assert (loan["borrower"], loan["reason"], bool(loan["out_at"]), bool(loan["back_at"])) == ("张楼管", "验房", True, True)
    await phone.pull()
    assert phone.replica[("estate_key", key["id"])]["holder"] == ""


async def test_the_year_fee_follows_the_estates_own_rates(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    page = await client.get("/desk/settings/property-fees")
    assert page.status_code == 200 and 'value="1.78"' in page.text
    bad = await post(client, "/desk/settings/property-fees", estate_id=estate.estate_id,
                     rate_yangfang="abc", rate_diejia="2.30", rate_lianpai="2.90")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_fee_rate"
    assert (await Estate.select(Estate.property_fees).where(Estate.id == estate.estate_id).first())["property_fees"] is None
    saved = await post(client, "/desk/settings/property-fees", estate_id=estate.estate_id,
                       rate_yangfang="2", rate_diejia="2.30", rate_lianpai="2.90")
    assert saved.status_code == 303
    entry = await AuditLog.select().where(AuditLog.action == "property_fees_change").first()
    detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
    assert detail["before"]["yangfang"] == 178 and detail["after"]["yangfang"] == 200
    move_in_id = await open_move_in(client, "1-0401")
    await step(client, move_in_id, "agreements_signed", agreements=["covenant", "service", "renovation"])
    assert (await step(client, move_in_id, "fee_paid", fee_receipt="B7")).status_code == 303
    assert (await move_in_row(move_in_id))["fee_fen"] == 236400  # 2 元 × 98.5 ㎡ × 12
    assert await Handover.count() == 0
