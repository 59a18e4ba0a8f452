"""导入台账 at the desk: a manager uploads, previews, applies; a clerk may not; another
estate's manager cannot apply someone else's upload; hostile workbooks are refused unread."""

from __future__ import annotations

import io
import re
import zipfile

import httpx

from server.ledger import service
from server.tables import AuditLog, Household
from tests.factories import make_user
from tests.integration.test_auth_session import desk_login
from tests.ledger_sample import sample_rows, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def upload(client: httpx.AsyncClient, content: bytes, name: str = "台账.xlsx",
                 estate: str | None = None) -> httpx.Response:
    data = {"_csrf_token": client.cookies.get("csrftoken")}
    if estate:
        data["estate"] = estate
    return await client.post("/admin/ledger/preview", data=data, files={"file": (name, content, XLSX)},
                             headers={"hx-request": "true"})


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


async def apply(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/admin/ledger/apply", data={"token": token, "_csrf_token": client.cookies.get("csrftoken")},
                             headers={"hx-request": "true"})


async def test_a_manager_previews_then_imports_and_a_double_click_changes_nothing(client: httpx.AsyncClient) -> None:
    estate = await service.add_estate("LY", "绿苑")
    await make_user("manager", username="boss", estate_ids=[estate.id])
    assert (await desk_login(client, "boss")).status_code in (302, 303)
    page = await client.get("/admin/ledger")
    assert page.status_code == 200 and "导入台账" in page.text and "下载台账模板" in page.text
    template = await client.get("/admin/ledger/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"

    rows = sample_rows(50)
    rows["业户"][3][3] = "12345"  # not a phone number
    refused = await upload(client, workbook(rows))
    assert refused.status_code == 200
    assert 'data-ledger-errors="1"' in refused.text and "不是有效的电话号码" in refused.text
    assert 'name="token"' not in refused.text  # nothing to apply
    assert await Household.count() == 0

    preview = await upload(client, workbook(sample_rows(50)))
    assert 'data-ledger-state="preview"' in preview.text and await Household.count() == 0
    token = token_of(preview.text)
    first, second = await apply(client, token), await apply(client, token)  # a double click
    assert 'data-ledger-applied' in first.text and "已导入 154 行" in first.text  # 1 building, 50 units, households, bills, 3 staff
    assert "已导入 0 行" in second.text
    assert await Household.count() == 50
    assert await AuditLog.count().where(AuditLog.action == "ledger_import") == 2

    export = await client.get(f"/admin/ledger/estate.xlsx?estate={estate.id}")
    assert export.status_code == 200
    back = await upload(client, export.content, "导出.xlsx")
    assert "与系统中的数据一致" in back.text


async def test_the_desk_may_not_import_nor_may_another_estates_manager_apply_an_upload(client: httpx.AsyncClient) -> None:
    ours, theirs = await service.add_estate("A1", "甲苑"), await service.add_estate("B1", "乙苑")
    await make_user("desk", username="clerk", estate_ids=[ours.id])
    await make_user("manager", username="boss", estate_ids=[ours.id])
    await make_user("manager", username="other", estate_ids=[theirs.id])
    await desk_login(client, "clerk")
    assert (await client.get("/admin/ledger")).status_code == 403
    client.cookies.clear()
    await desk_login(client, "boss")
    token = token_of((await upload(client, workbook(sample_rows(10)))).text)
    assert (await upload(client, workbook(sample_rows(10)), estate=theirs.id)).status_code == 404
    assert (await client.get(f"/admin/ledger/estate.xlsx?estate={theirs.id}")).status_code == 404
    client.cookies.clear()
    await desk_login(client, "other")
    assert (await apply(client, token)).status_code == 404  # not theirs to apply
    assert (await apply(client, "../../etc/passwd")).status_code == 404
    assert await Household.count() == 0


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (200 * 1024 * 1024) + b"</a>")
    return out.getvalue()


def entity_bomb() -> bytes:
    """A workbook whose shared strings expand an entity a billion times (billion laughs)."""
    book = workbook(sample_rows(1))
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
              + ']>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (laughs + content.decode().split("?>", 1)[-1]).replace("楼栋编号", "&lol9;").encode()
            z.writestr(item, content)
    return out.getvalue()


async def test_hostile_workbooks_are_refused_and_change_nothing(client: httpx.AsyncClient) -> None:
    estate = await service.add_estate("HX", "花溪")
    await make_user("manager", username="boss", estate_ids=[estate.id])
    await desk_login(client, "boss")
    bomb = await upload(client, zip_bomb())
    assert bomb.status_code == 422 and 'data-ledger-refused="xlsx_too_large"' in bomb.text
    laughs = await upload(client, entity_bomb())
    assert laughs.status_code == 422 and 'data-ledger-refused="not_xlsx"' in laughs.text
    junk = await upload(client, b"PK\x03\x04 not really a zip")
    assert junk.status_code == 422 and 'data-ledger-refused="not_xlsx"' in junk.text
    assert await Household.count() == 0
