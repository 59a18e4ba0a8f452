"""费用催缴 (应会 7; issue 16) on both engines: bills imported with their fee items become
each unit's arrears on the phones of its building's steward (scoped, through the change
log); a payment (imported or recorded at the desk) drops a paid unit at the next pull; the
collection rates by steward, building and fee item equal a hand computation from the same
rows; the contact log (催缴记录本) syncs with its photos; bad input is refused and changes
nothing."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from server.ledger import service
from server.ledger.sheets import BILLS
from server.store.sync_storage import read_snapshot
from server.tables import Arrears, AuditLog, Estate, FeeBill, StaffUser
from tests.factories import make_estate, new_id
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import Phone, jpeg, sha, steward_phone, table_counts
from tests.ledger_sample import workbook

TZ = ZoneInfo("Asia/Shanghai")

# 楼栋, 房号, 月份, 应收, 实收, 缴费日期, 收费项目 (the 账单 sheet's columns, in order)
BILL_ROWS: list[list[Any]] = [
    ["1栋", "1-0101", "2026-11", 300, 300, "2026-11-20", "物业费"],
    ["1栋", "1-0201", "2026-11", 250.5, 0, None, "物业费"],
    ["1栋", "1-0201", "2026-11", 100, 0, None, "车位费"],
    ["1栋", "1-0301", "2026-11", 200, 50, "2026-11-28", None],  # no item: 物业费
    ["1栋", "1-0301", "2026-10", 200, 0, None, "物业费"],
    ["1栋", "1-0401", "2026-11", 80.25, 80.25, "2026-11-30", "水电费"],
    ["2栋", "2-0101", "2026-11", 300, 0, None, "物业费"],
    ["2栋", "2-0201", "2026-11", 400, 400, "2026-11-15", "物业费"],
]


def hand_rates(rows: list[list[Any]], month: str, key) -> dict[str, tuple[Decimal, Decimal]]:
    """(due, collected) per key, by hand: collected counts up to what was due."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for row in rows:
        if row[2] != month:
            continue
        due, paid = Decimal(str(row[3])), Decimal(str(row[4] or 0))
        k = key(row)
        was = out.get(k, (Decimal(0), Decimal(0)))
        out[k] = (was[0] + due, was[1] + min(due, paid))
    return out


async def import_bills(estate_id: str, rows: list[list[Any]]) -> None:
    applied = await service.apply(workbook({BILLS.name: rows}), "账单.xlsx", estate_id, user_id="finance", tz=TZ)
    assert not applied.plan.errors, applied.plan.errors


async def rates_csv(client: httpx.AsyncClient, month: str) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    answer = await client.get(f"/desk/export/fee_collection.csv?month={month}")
    assert answer.status_code == 200, answer.text
    lines = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    return {(r[0], r[1]): (Decimal(r[3]), Decimal(r[4])) for r in lines[1:]}


async def setup(client: httpx.AsyncClient) -> tuple[Any, Phone, Phone]:
    estate = await make_estate(buildings=2, units_per_building=4)
    phone_a = await steward_phone(client, [estate.building_ids[0]])
    phone_b = await steward_phone(client, [estate.building_ids[1]])
    await StaffUser.update({StaffUser.display_name: "管家甲"}).where(StaffUser.id == phone_a.user_id)
    await StaffUser.update({StaffUser.display_name: "管家乙"}).where(StaffUser.id == phone_b.user_id)
    return estate, phone_a, phone_b


def owed(phone: Phone) -> dict[str, list[tuple[str, str, int]]]:
    """The phone's arrears by unit code: (month, item, owed fen)."""
    codes = {uid: u["code"] for uid, u in phone.live("unit").items()}
    return {codes[a["unit_id"]]: [(line["month"], line["item"], line["owed_fen"]) for line in a["lines"]]
            for a in phone.live("arrears").values()}


async def test_imported_bills_become_arrears_on_the_stewards_phones_and_a_payment_clears_them(client) -> None:
    estate, phone_a, phone_b = await setup(client)
    await login(client, "desk")
    await import_bills(estate.estate_id, BILL_ROWS)
    await phone_a.pull()
    await phone_b.pull()
    assert owed(phone_a) == {"1-0201": [("2026-11", "parking", 10000), ("2026-11", "property", 25050)],
                             "1-0301": [("2026-10", "property", 20000), ("2026-11", "property", 15000)]}
    assert owed(phone_b) == {"2-0101": [("2026-11", "property", 30000)]}  # each phone its buildings only
    arrears = next(a for a in phone_a.live("arrears").values() if a["amount_fen"] == 35050)
    assert arrears["oldest_month"] == "2026-11" and arrears["calendar"]["third_from"] == 21

    # the rates by steward, building and item equal the hand computation from the same rows
    rates = await rates_csv(client, "2026-11")
    by_steward = hand_rates(BILL_ROWS, "2026-11", lambda r: "管家甲" if r[0] == "1栋" else "管家乙")
    by_building = hand_rates(BILL_ROWS, "2026-11", lambda r: r[0])
    by_item = hand_rates(BILL_ROWS, "2026-11", lambda r: r[6] or "物业费")
    assert {k[1]: v for k, v in rates.items() if k[0] == "按管家"} == by_steward
    assert {k[1]: v for k, v in rates.items() if k[0] == "按楼栋"} == by_building
    assert {k[1]: v for k, v in rates.items() if k[0] == "按收费项目"} == by_item
    page = await client.get("/desk/fees?month=2026-11&day=2026-12-10")
    assert page.status_code == 200 and "Collection rate" not in page.text  # a Chinese page
    due, collected = by_steward["管家甲"]
    assert f'data-rate="{collected / due:.4f}"' in page.text
    stages = dict(re.findall(r'<tr data-unit="([^"]+)" data-stage="([^"]+)"', page.text))
    assert stages == {"1-0201": "phone", "1-0301": "third_notice", "2-0101": "phone"}

    # 1-0201 pays both bills: the import of the ledger clears it from the phone at the next pull
    paid = [r if r[1] != "1-0201" else [*r[:4], r[3], "2026-12-12", r[6]] for r in BILL_ROWS]
    await import_bills(estate.estate_id, paid)
    await phone_a.pull()
    assert set(owed(phone_a)) == {"1-0301"}
    assert [r for k, r in phone_a.replica.items() if k[0] == "arrears" and r["deleted"]]  # a tombstone came
    after = await rates_csv(client, "2026-11")
    by_steward = hand_rates(paid, "2026-11", lambda r: "管家甲" if r[0] == "1栋" else "管家乙")
    assert after[("按管家", "管家甲")] == by_steward["管家甲"] != rates[("按管家", "管家甲")]
    assert after[("按管家", "管家乙")] == rates[("按管家", "管家乙")]

    # the October bill paid at the desk: the unit keeps only November's balance, audited
    bill = await FeeBill.select().where((FeeBill.month == "2026-10")).first()
    answer = await client.post(f"/desk/fees/bills/{bill['id']}/payment", headers=csrf(client),
                               data={"paid": "200", "paid_on": "2026-12-14"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    await phone_a.pull()
    assert owed(phone_a) == {"1-0301": [("2026-11", "property", 15000)]}
    entry = await AuditLog.select().where(AuditLog.action == "fee_payment").first()
    assert entry["target"] == str(bill["id"])
    unit_page = await client.get(answer.headers["location"])
    assert unit_page.status_code == 200 and "2026-10" in unit_page.text and "已缴清" in unit_page.text


async def test_a_bad_payment_is_refused_and_changes_nothing(client) -> None:
    estate, phone_a, _ = await setup(client)
    await login(client, "desk")
    await import_bills(estate.estate_id, BILL_ROWS)
    other = await make_estate(buildings=1, office=False)  # the clerk does not work there
    await import_bills(other.estate_id, [["1栋", "1-0101", "2026-11", 100, 0, None, "物业费"]])
    theirs = await FeeBill.select().where(FeeBill.estate_id == other.estate_id).first()
    ours = await FeeBill.select().where((FeeBill.estate_id == estate.estate_id) & (FeeBill.amount_paid == 0)).first()
    before = await table_counts("change_log", "arrears", "audit_log")
    bills = await FeeBill.select().order_by(FeeBill.id)
    for bill_id, data, status, code in (
            (ours["id"], {"paid": "abc"}, 422, "invalid_money"),
            (ours["id"], {"paid": "-5"}, 422, "invalid_money"),
            (ours["id"], {"paid": str(ours["amount_due"] + 1)}, 422, "overpaid"),
            (ours["id"], {"paid": "10", "paid_on": "2026-13-01"}, 422, "invalid_day"),
            (theirs["id"], {"paid": "100"}, 404, "unknown_bill"),
            (999999, {"paid": "1"}, 404, "unknown_bill")):
        answer = await client.post(f"/desk/fees/bills/{bill_id}/payment", headers={**csrf(client), "accept": "application/json"},
                                   data=data, follow_redirects=False)
        assert answer.status_code == status, (data, answer.text)
        assert code in answer.text and "/" in answer.text  # 中文 / English
    assert await table_counts("change_log", "arrears", "audit_log") == before
    assert await FeeBill.select().order_by(FeeBill.id) == bills


async def test_the_contact_log_syncs_with_its_photo_and_refuses_what_does_not_belong(client) -> None:
    estate, phone_a, phone_b = await setup(client)
    await import_bills(estate.estate_id, BILL_ROWS)
    await phone_a.pull()
    unit_id = next(a["unit_id"] for a in phone_a.live("arrears").values())
    outside = estate.unit_ids[estate.building_ids[1]][0]
    call = phone_a.create("fee_contact", {"unit_id": unit_id, "steward_id": phone_a.user_id, "kind": "call",
                                          "contacted_at": "2026-12-08T02:00:00.000Z", "reached": True,
                                          "promised_on": "2026-12-12", "reason": "quality_dispute",
                                          "note": "说楼上漏水未修", "amount_fen": 35050})
    notice = phone_a.create("fee_contact", {"unit_id": unit_id, "steward_id": phone_a.user_id, "kind": "notice",
                                            "contacted_at": "2026-12-16T02:00:00.000Z", "notice": "second"})
    photo = jpeg(b"notice on the door")
    phone_a.create("attachment", {"parent_collection": "fee_contact", "parent_id": notice, "kind": "photo",
                                  "sha256": sha(photo), "mime": "image/jpeg", "size": len(photo)})
    results = await phone_a.push()
    assert [r["status"] for r in results] == ["applied"] * 3
    # refused, each alone: a field of another kind, outside the steward's buildings, an edit,
    # arrears written by a phone
    for fields, code in (
            ({"unit_id": unit_id, "kind": "call", "notice": "second"}, "not_for_this_contact"),
            ({"unit_id": unit_id, "kind": "notice", "reached": False, "notice": "third"}, "not_for_this_contact"),
            ({"unit_id": outside, "kind": "call", "reached": False}, "out_of_scope")):
        before = await table_counts("fee_contact", "change_log")
        phone_a.create("fee_contact", {"steward_id": phone_a.user_id, "contacted_at": "2026-12-09T02:00:00.000Z",
                                       **fields})
        [result] = await phone_a.push()
        assert (result["status"], result["code"]) == ("rejected", code)
        assert await table_counts("fee_contact", "change_log") == before
    await phone_a.pull()
    phone_a.update("fee_contact", call, {"note": "改写"})
    phone_a.create("arrears", {"unit_id": unit_id, "lines": [], "amount_fen": 0})
    first, second = await phone_a.push()
    assert (first["code"], second["code"]) == ("append_only", "create_not_allowed")
    # the other steward's phone never sees them; the desk shows the log with the photo's place
    await phone_b.pull()
    assert not phone_b.live("fee_contact") and not phone_b.live("arrears").keys() & phone_a.live("arrears").keys()
    assert set(phone_a.live("fee_contact")) == {call, notice}
    await login(client, "desk")
    page = await client.get(f"/desk/fees/units/{unit_id}?day=2026-12-16")
    assert page.status_code == 200
    assert "说楼上漏水未修" in page.text and "二次通知单" in page.text and f'data-contact-evidence="{notice}"' in page.text
    assert "承诺 2026-12-12 缴费" in page.text and "房屋质量争议" in page.text
    listing = await client.get("/desk/fees?month=2026-11&day=2026-12-16")
    assert "张贴通知单" in listing.text  # the unit's last contact
    notices = await client.get(f"/desk/fees/notices?notice=third&day=2026-12-22&unit={unit_id}")
    assert notices.status_code == 200 and "欠费三次通知单" in notices.text and "data-late-fee" in notices.text
    bad = await client.get("/desk/fees/notices?notice=fourth&unit=" + unit_id, headers={"accept": "application/json"})
    assert bad.status_code == 422 and "invalid_notice" in bad.text


async def test_the_manager_sets_the_calendar_and_the_phones_get_it_with_the_arrears(client) -> None:
    estate, phone_a, _ = await setup(client)
    await import_bills(estate.estate_id, BILL_ROWS)
    await phone_a.pull()
    await login(client, "manager")
    form = {"estate_id": estate.estate_id, "list_by": 5, "phone_from": 6, "second_from": 16, "third_from": 21,
            "late_fee_per_10k": 5, "office_target": 95, "steward_target": 98}
    before = await table_counts("change_log")
    for bad, code in (({"second_from": 25}, "invalid_fee_calendar"), ({"late_fee_per_10k": 500}, "invalid_late_fee"),
                      ({"office_target": 0}, "invalid_target")):
        answer = await client.post("/desk/settings/fees", headers={**csrf(client), "accept": "application/json"},
                                   data={**form, **bad})
        assert answer.status_code == 422 and code in answer.text
    assert await table_counts("change_log") == before
    assert (await Estate.select(Estate.fees).where(Estate.id == estate.estate_id).first())["fees"] is None
    saved = await client.post("/desk/settings/fees", headers=csrf(client, True), data=form)
    assert saved.status_code == 200 and "已保存" in saved.text
    await phone_a.pull()
    assert {a["calendar"]["late_fee_per_10k"] for a in phone_a.live("arrears").values()} == {5}
    assert await AuditLog.count().where(AuditLog.action == "fees_change") == 1
    # the third notice carries the late fee: 200 元 since November 1st (52 days to Dec 22) at
    # 5/10,000 a day = 5.20 元, plus nothing yet on November's (its third notice starts the 21st: 22 days)
    unit_id = next(a["unit_id"] for a in phone_a.live("arrears").values() if a["oldest_month"] == "2026-10")
    await login(client, "desk")
    notices = await client.get(f"/desk/fees/notices?notice=third&day=2026-12-22&unit={unit_id}")
    # October: 20000 fen × 5 × 52 / 10000 = 520; November: 15000 × 5 × 22 / 10000 = 165
    assert re.search(r'data-late-fee>6\.85<', notices.text), notices.text
    assert await Arrears.count().where(Arrears.deleted == False) == 3  # noqa: E712
    async with read_snapshot() as conn:
        assert (await conn.fetchrow("SELECT COUNT(*) FROM arrears WHERE estate_id = ?", estate.estate_id))[0] == 3
