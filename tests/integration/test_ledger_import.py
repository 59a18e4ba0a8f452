"""The ledger import (业户台账), tried as a new office would: an empty database, the template,
a generated ledger with planted mistakes, the corrected ledger, a steward's phone, the
same file again, and an export brought back in. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook

from server.ledger import service
from server.ledger.sheets import BILLS, BUILDINGS, HOUSEHOLDS, SHEETS, STAFF, UNITS
from server.ledger.workbook import write_book
from server.store import staff
from server.tables import (
    BuildingAssignment,
    ChangeLog,
    Conflict,
    FeeBill,
    Household,
    StaffEstate,
    StaffUser,
    SyncDevice,
    Unit,
)
from tests.factories import PASSWORD, enrol, make_estate, make_user, new_id
from tests.integration.test_sync_support import Phone
from tests.ledger_sample import sample_rows, workbook

TZ = ZoneInfo("Asia/Shanghai")


def cells(book: bytes, sheet: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(book), read_only=True)[sheet].iter_rows(values_only=True))


async def counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count()
            for t in (Unit, Household, StaffUser, BuildingAssignment, StaffEstate, FeeBill, ChangeLog)}


def plant(rows: dict[str, list[list[Any]]], taken: str) -> set[tuple[str, int, str, str]]:
    """Twelve mistakes an office makes, planted in the generated ledger; returns what the
    preview must say of each: (sheet, row, column, reason). Data starts on row 2."""
    expected = set()

    def put(sheet, index: int, header: str, value: Any, reason: str) -> None:
        column = [c.header for c in sheet.columns].index(header)
        rows[sheet.name][index][column] = value
        expected.add((sheet.name, index + 2, header, reason))

    put(BUILDINGS, 3, "楼层数", "十一", "应为不小于0的整数")
    put(UNITS, 10, "楼栋编号", "99栋", "楼栋不存在：请先在“楼栋”表中填写")
    rows[HOUSEHOLDS.name][10][0] = rows[BILLS.name][10][0] = "99栋"  # the unit's rows say so too
    put(UNITS, 20, "建筑面积(㎡)", -80, "不能为负数")
    put(UNITS, 30, "户型", "别墅", "应为：洋房、叠加、联排")
    put(UNITS, 40, "入住状态", "已售", "应为：已入住、空置、装修中")
    rows[UNITS.name].append(list(rows[UNITS.name][50]))  # the same unit twice
    expected.add((UNITS.name, len(rows[UNITS.name]) + 1, "房号", "与第52行重复"))
    put(HOUSEHOLDS, 60, "业主电话", "1381234567", "不是有效的电话号码")  # a digit short
    put(HOUSEHOLDS, 70, "入住日期", "2026-02-30", "不存在的日期")
    put(HOUSEHOLDS, 80, "身份证号", "12345", "身份证号应为18位（末位可为X）")
    put(HOUSEHOLDS, 90, "房号", "1-1-9999", "房号不存在：请先在“房屋”表中填写")
    put(STAFF, 0, "用户名", taken, "用户名已被其他项目使用")
    put(BILLS, 100, "月份", "2026-13", "不存在的月份")
    return expected


async def test_a_new_office_brings_its_estate_in(client: httpx.AsyncClient) -> None:
    other = await make_estate(buildings=1, office=False)  # another estate of the company
    await make_user("desk", username="zhanglei", estate_ids=[other.estate_id])
    estate = await service.add_estate("LYY", "绿苑")
    # the template: one sheet per kind, Chinese headers, an example row, word lists
    template = service.template()
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == [s.name for s in SHEETS]
    assert [c.value for c in book["房屋"][1]] == ["楼栋编号*", "房号*", "楼层*", "户型*", "建筑面积(㎡)*", "入住状态*"]
    assert book["房屋"]["A2"].value == "示例:1栋"
    assert {v.formula1 for v in book["房屋"].data_validations.dataValidation} == {'"洋房,叠加,联排"', '"已入住,空置,装修中"'}
    assert (await service.preview(template, "t.xlsx", estate.id, tz=TZ)).changes == 0  # the example is skipped

    rows = sample_rows(3000)
    expected = plant(rows, taken="zhanglei")
    before = await counts()
    refused = await service.apply(workbook(rows), "台账.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert {(p.sheet, p.row, p.column, p.reason) for p in refused.plan.errors} == expected
    assert await counts() == before  # nothing written

    corrected = sample_rows(3000)
    applied = await service.apply(workbook(corrected), "台账.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert not applied.plan.errors
    assert {n: (c.new, c.changed) for n, c in applied.plan.counts.items()} == {
        "楼栋": (15, 0), "房屋": (3000, 0), "业户": (3000, 0), "员工": (6, 0), "账单": (3000, 0),
        "表具": (0, 0)}
    assert await Household.count().where(Household.estate_id == estate.id) == 3000
    # a steward's phone pulls exactly its buildings (steward1: 1栋–4栋, 800 units)
    steward = await StaffUser.select().where(StaffUser.username == "steward1").first()
    await staff.reset_password(steward["id"], PASSWORD)
    phone = Phone(client, await enrol(client, "steward1"), steward["id"])
    await phone.pull()
    assert len(phone.live("unit")) == 800 and len(phone.live("household")) == 800
    codes = {r["code"] for r in phone.live("building").values()}
    assert codes == {"1栋", "2栋", "3栋", "4栋"}
    assert {r["estate_id"] for r in phone.live("unit").values()} == {estate.id}

    # the same file again changes nothing; nor does the estate exported and brought back
    again = await service.apply(workbook(corrected), "台账.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert again.plan.changes == 0 and not again.plan.mutations
    exported = await service.export_estate(estate.id, tz=TZ)
    back = await service.apply(exported, "导出.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert back.plan.changes == 0 and not back.plan.errors
    assert {n: c.unchanged for n, c in back.plan.counts.items()} == {
        "楼栋": 15, "房屋": 3000, "业户": 3000, "员工": 6, "账单": 3000, "表具": 0}
    await phone.pull()
    assert len(phone.live("household")) == 800


async def test_a_corrected_row_updates_by_its_natural_key_and_phones_pull_it(client: httpx.AsyncClient) -> None:
    estate = await service.add_estate("HY", "和园")
    rows = sample_rows(40)
    await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    log_before = await ChangeLog.count()
    rows[HOUSEHOLDS.name][0][3] = "13900001111"  # a new phone for 1-1-0101's owner
    rows[UNITS.name][0][5] = "装修中"
    rows[BILLS.name][0][4] = rows[BILLS.name][0][3]  # paid
    rows[BILLS.name][0][5] = "2026-11-20"
    applied = await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert {n: c.changed for n, c in applied.plan.counts.items()} == {
        "楼栋": 0, "房屋": 1, "业户": 1, "员工": 0, "账单": 1, "表具": 0}
    assert await ChangeLog.count() == log_before + 2  # through the change log, as phones pull
    household = await Household.select().where(Household.owner_phone == "13900001111").first()
    assert household is not None and household["version"] > 1
    bill = await FeeBill.select().where(FeeBill.month == "2026-11").order_by(FeeBill.id).first()
    assert bill["amount_paid"] == bill["amount_due"] and bill["paid_at"].startswith("2026-11-19T16:00")


async def test_a_field_changed_in_the_field_since_the_export_becomes_a_conflict(client: httpx.AsyncClient) -> None:
    estate = await service.add_estate("QS", "清水湾")
    await service.apply(workbook(sample_rows(20)), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    exported = await service.export_estate(estate.id, tz=TZ)
    unit = await Unit.select().where(Unit.code == "1-1-0101").first()
    household = await Household.select().where(Household.unit_id == unit["id"]).first()
    steward = await make_user("steward", [unit["building_id"]])
    phone = Phone(client, await enrol(client, (await StaffUser.select(StaffUser.username)
                                                .where(StaffUser.id == steward).first())["username"]), steward)
    await phone.pull()
    phone.update("household", household["id"], {"tenant_name": "现场租户", "notes": "管家记：门禁卡已换"})
    await phone.push()
    # meanwhile the office edits the exported ledger: the same household's notes and its phone
    book = load_workbook(io.BytesIO(exported))
    sheet = book["业户"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "1-1-0101")
    row[headers.index("备注")].value = "台账：业主要求走访前电话预约"
    row[headers.index("业主电话")].value = "13911112222"
    out = io.BytesIO()
    book.save(out)
    preview = await service.preview(out.getvalue(), "a.xlsx", estate.id, tz=TZ)
    assert [(w.column, w.reason) for w in preview.warnings if "现场" in w.reason] == [
        ("备注", "导出后已在现场改为“管家记：门禁卡已换”：将记为冲突，保留现场的修改")]
    applied = await service.apply(out.getvalue(), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert applied.conflicts == 1
    now = await Household.select().where(Household.id == household["id"]).first()
    assert now["notes"] == "管家记：门禁卡已换"  # the field's change stands
    assert now["tenant_name"] == "现场租户"  # untouched by the ledger (left as exported)
    assert now["owner_phone"] == "13911112222"  # the office's own change applied
    conflict = await Conflict.select().where(Conflict.record_id == household["id"]).first()
    lost = conflict["lost_value"]
    assert conflict["field"] == "notes"
    assert (json.loads(lost) if isinstance(lost, str) else lost) == "台账：业主要求走访前电话预约"


async def test_an_apply_that_fails_midway_writes_nothing(client: httpx.AsyncClient,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    estate = await service.add_estate("ZL", "紫林")
    before = await counts()

    async def broken(conn, plan) -> None:
        raise RuntimeError("the disk filled up writing the bills")

    monkeypatch.setattr(service, "_write_bills", broken)
    with pytest.raises(RuntimeError):
        await service.apply(workbook(sample_rows(1200)), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert await counts() == before  # buildings, units, households and staff rolled back too


async def test_a_username_of_this_estate_is_updated_not_refused(client: httpx.AsyncClient) -> None:
    estate = await service.add_estate("YH", "云河")
    rows = sample_rows(10)
    await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    rows[STAFF.name][0][1] = "管家小王"
    rows[STAFF.name][0][4] = None  # no buildings any more
    applied = await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert applied.plan.counts["员工"].changed == 1
    user = await StaffUser.select().where(StaffUser.username == "steward1").first()
    assert user["display_name"] == "管家小王" and user["password_hash"] == service.NO_PASSWORD
    assert await BuildingAssignment.count().where(BuildingAssignment.user_id == user["id"]) == 0
    desk = await StaffUser.select().where(StaffUser.username == "desk1").first()
    assert await StaffEstate.count().where(StaffEstate.user_id == desk["id"]) == 1


async def test_a_role_changed_by_the_ledger_ends_the_phones_enrolled_under_the_old_one(
        client: httpx.AsyncClient) -> None:
    """As a role changed on the admin page (issue 14): the phone must log in again."""
    estate = await service.add_estate("YH", "云河")
    rows = sample_rows(10)
    await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    user = await StaffUser.select().where(StaffUser.username == "steward1").first()
    await staff.enrol_device(user["id"], new_id(), "phone", 60)
    await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)  # unchanged
    assert await SyncDevice.count().where(SyncDevice.revoked_at.is_null()) == 1
    rows[STAFF.name][0][2] = "前台"
    await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert await SyncDevice.count().where(SyncDevice.revoked_at.is_null()) == 0


def test_the_sheets_round_trip_their_own_values() -> None:
    """Every example value reads back to itself through show (what export relies on)."""
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.example is None:
                continue
            value = column.kind.read(column.example)
            assert column.kind.read(column.kind.show(value)) == value, (sheet.name, column.header)


def test_exported_text_never_becomes_a_formula() -> None:
    book = write_book({"业户": [(["1栋", "1-1-0101", "=HYPERLINK(\"http://x\")", "+8613800000000", None,
                                  None, "@SUM(A1)", None, None, "-1", None, "a\u0007b"], None)]})
    sheet = load_workbook(io.BytesIO(book))["业户"]
    row = sheet[2]
    assert row[2].data_type == "s" and row[2].value == '=HYPERLINK("http://x")' and row[2].quotePrefix
    assert row[3].quotePrefix and row[6].quotePrefix and row[9].quotePrefix
    assert row[11].value == "ab"  # a control character XML cannot hold is dropped


def test_a_formula_is_never_evaluated_and_a_gbk_csv_is_read() -> None:
    from openpyxl import Workbook

    from server.ledger.workbook import read_book

    book = Workbook()
    sheet = book.active
    sheet.title = "楼栋"
    sheet.append(["楼栋编号", "楼栋名称", "楼层数"])
    sheet.append(["1栋", '=HYPERLINK("http://evil.example","1号楼")', "=5+6"])
    out = io.BytesIO()
    book.save(out)
    rows = read_book(out.getvalue(), "a.xlsx").sheets[0].rows
    assert rows[0][1][1:] in (("", ""), (None, None))  # no saved value: nothing, not run
    csv_text = "楼栋编号,楼栋名称,楼层数\r\n5栋,五号楼,18\r\n".encode("gb18030")  # Excel's CSV in Chinese
    raw = read_book(csv_text, "楼栋.csv").sheets[0]
    assert raw.sheet.name == "楼栋" and raw.rows == [(2, ("5栋", "五号楼", "18"))]


async def test_another_owner_in_the_ledger_is_a_change_of_owner(client: httpx.AsyncClient) -> None:
    """过户 in the ledger: the unit's household ends, the next one starts, the former stays."""
    estate = await service.add_estate("GH", "桂花园")
    rows = sample_rows(5)
    await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    unit = await Unit.select().where(Unit.code == "1-1-0101").first()
    former = await Household.select().where(Household.unit_id == unit["id"]).first()
    rows[HOUSEHOLDS.name][0][2] = "新业主李娜"
    rows[HOUSEHOLDS.name][0][10] = "2026-11-28"
    applied = await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert applied.plan.counts["业户"].changed == 1
    assert any("按过户处理" in w.reason for w in applied.plan.warnings)
    both = await Household.select().where(Household.unit_id == unit["id"]).order_by(Household.created_at)
    assert [(h["owner_name"], h["end_reason"]) for h in both] == [(former["owner_name"], "transfer"), ("新业主李娜", None)]
    assert both[1]["move_in_date"] == "2026-11-28"
    again = await service.apply(workbook(rows), "a.xlsx", estate.id, user_id="clerk", tz=TZ)
    assert again.plan.changes == 0  # the same ledger again: the new owner is the unit's household
