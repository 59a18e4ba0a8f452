"""Every desk page, full and as an HTMX partial, on seeded field work; roles; audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.clock import iso, now_iso
from server.tables import AuditLog, FeeBill, Finding, Household, PatrolRound, SyncDevice, Ticket, VacantCheck, Visit
from tests.factories import make_estate, make_user, new_id
from tests.integration.test_desk_helpers import HX, ago, ago_today, login, seed_ticket

PAGES = [
    ("/desk/tickets", "queue"), ("/desk/intake", "intake"), ("/desk/callbacks", "callbacks"),
    ("/desk/duplicates", "duplicates"), ("/desk/archive?q=1-", "archive-results"),
    ("/desk/vacant", "vacant"), ("/desk/patrols", "patrols"), ("/desk/stewards", "stewards"),
    ("/desk/conflicts", "conflicts"), ("/desk/escalations", "escalations"), ("/desk/kpi", "kpi"),
    ("/desk/reports", "reports"),
]


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.astimezone(ZoneInfo("Asia/Shanghai")).isocalendar()
    return f"{year}-W{week:02d}"


async def seed_field_work() -> dict:
    estate = await make_estate(buildings=3, units_per_building=4)
    b1, b2, b3 = estate.building_ids
    e = estate.estate_id  # every row carries its estate, as the merge stamps it (issue 11)
    s1 = await make_user("steward", [b1, b2], username="guanjia_li")
    s2 = await make_user("steward", [b1], username="guanjia_wang")
    at = now_iso()
    round_id = new_id()
    await PatrolRound.insert(PatrolRound(id=round_id, version=1, estate_id=e, steward_id=s1, started_at=ago_today(50),
                                         ended_at=ago_today(5), status="ended", covered_building_ids=[b1],
                                         created_at=at))
    for steward, minutes in ((s1, 40), (s2, 20)):
        await Finding.insert(Finding(id=new_id(), version=1, building_id=b1, estate_id=e, round_id=round_id, floor="5",
                                     kind="public_damage", severity="high", description=f"5楼消防门损坏{minutes}",
                                     occurred_at=ago_today(minutes), steward_id=steward, created_at=at))
    vacant_unit = estate.unit_ids[b1][3]
    now = datetime.now(UTC)
    for weeks, water in ((2, 10.0), (1, 12.5)):
        await VacantCheck.insert(VacantCheck(
            id=new_id(), version=1, building_id=b1, estate_id=e, unit_id=vacant_unit, week=iso_week(now - timedelta(weeks=weeks)),
            checked_at=iso(now - timedelta(weeks=weeks)), steward_id=s1, results={"leaks": "defect", "power": "ok"},
            water_reading=water, electric_reading=100.0 + weeks, created_at=at))
    await SyncDevice.insert(SyncDevice(id=new_id(), user_id=s1, label="李管家的手机", credential_hash="x" * 64,
                                       last_push_at=ago(minutes=3), last_pull_at=ago(minutes=3), reported_pending=7))
    unit = estate.unit_ids[b2][0]
    await Visit.insert(Visit(id=new_id(), version=1, building_id=b2, estate_id=e, unit_id=unit, purpose="routine", status="done",
                             visited_at=ago(days=2), steward_id=s1, satisfaction=5, owner_words="电梯太慢", created_at=at))
    done_yesterday = iso(datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=10) - timedelta(days=1))
    await seed_ticket(b2, title="阳台漏水", status="done", unit_id=unit, done_at=done_yesterday, reporter_phone="13900000000")
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    await FeeBill.insert(FeeBill(unit_id=unit, building_id=b2, estate_id=e, month=month, amount_due=300.0, amount_paid=300.0),
                         FeeBill(unit_id=estate.unit_ids[b2][1], building_id=b2, estate_id=e, month=month, amount_due=300.0))
    await seed_ticket(b2, kind="complaint", title="噪音", status="called_back", satisfaction=5,
                      done_at=ago(hours=3), called_back_at=ago(hours=2))
    return {"estate": estate, "b3": b3, "unit": unit, "vacant_unit": vacant_unit}


@pytest.mark.parametrize("path,target", PAGES)
async def test_every_page_full_and_partial(client, path: str, target: str) -> None:
    await seed_field_work()
    await login(client, "manager")
    full = await client.get(path)
    assert full.status_code == 200, full.text[:500]
    assert full.text.lstrip().startswith("<!doctype html>") and f'id="{target}"' in full.text
    assert 'lang="zh-CN"' in full.text
    part = await client.get(path, headers=HX)
    assert part.status_code == 200 and "<html" not in part.text and f'id="{target}"' in part.text
    english = await client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert english.status_code == 200 and 'lang="en"' in english.text


async def test_field_work_pages_show_what_happened(client) -> None:
    seeded = await seed_field_work()
    await login(client, "desk")
    patrols = (await client.get("/desk/patrols")).text
    assert "5楼消防门损坏40" in patrols and "3栋" in patrols.split("今日未巡查的楼栋")[1][:400]
    vacant = (await client.get("/desk/vacant")).text
    assert "有问题：漏水" in vacant and "2.5" in vacant  # last week's defect, water use week over week
    stewards = (await client.get("/desk/stewards")).text
    assert "李管家的手机" in stewards and ">7<" in stewards
    callbacks = (await client.get("/desk/callbacks")).text
    assert "阳台漏水" in callbacks and "13900000000" in callbacks
    duplicates = (await client.get("/desk/duplicates")).text
    assert "5楼消防门损坏40" in duplicates and "5楼消防门损坏20" in duplicates
    assert seeded


async def test_archive_unit_is_logged_and_fields_follow_the_role(client) -> None:
    seeded = await seed_field_work()
    user_id = await login(client, "desk")
    page = await client.get(f"/desk/archive/units/{seeded['unit']}")
    assert page.status_code == 200 and "身份证号" in page.text and "电梯太慢" in page.text
    household = await Household.select().where(Household.unit_id == seeded["unit"]).first()
    assert household["owner_id_number"] not in page.text and household["owner_id_number"][-4:] in page.text  # masked (issue 13)
    logged = await AuditLog.select().where((AuditLog.action == "archive_read") & (AuditLog.target == seeded["unit"]))
    assert len(logged) == 1 and logged[0]["user_id"] == user_id
    assert (await client.get(f"/desk/archive/units/{new_id()}")).status_code == 404


async def test_kpi_is_for_managers_and_computes_from_the_month(client) -> None:
    await seed_field_work()
    await login(client, "desk")
    assert (await client.get("/desk/kpi")).status_code == 403
    await login(client, "manager")
    page = await client.get("/desk/kpi")
    assert page.status_code == 200
    card = page.text.split('data-kpi="fee_collection"')[1][:600]
    assert "50.0%" in card  # 300 of 600 collected
    callback = page.text.split('data-kpi="complaint_callback_rate"')[1][:600]
    assert "100.0%" in callback
    assert (await client.get("/desk/kpi", params={"month": "2026-13"})).status_code == 422


async def test_live_endpoint_reports_sync_clock_moves(client) -> None:
    await login(client, "desk")
    first = (await client.get("/desk/live", params={"since": 0})).json()
    page = await client.get("/desk/tickets")
    assert f'data-live-version="{first["version"]}"' in page.text
    estate = await make_estate(buildings=1)
    await client.post("/desk/intake", headers={"x-csrftoken": client.cookies["csrftoken"]},
                      data={"kind": "inquiry", "description": "停水通知", "unit_id": estate.unit_ids[estate.building_ids[0]][0]})
    later = (await client.get("/desk/live", params={"since": first["version"]})).json()
    assert later["changed"] and later["version"] > first["version"]
    assert not (await client.get("/desk/live", params={"since": later["version"]})).json()["changed"]
    assert await Ticket.count() == 1


def test_kpi_targets_read_both_ways_and_no_data_is_not_zero() -> None:
    from server.store.kpi import Kpi

    assert Kpi(key="fee_collection", numerator=95, denominator=100, target=0.95).met is True
    assert Kpi(key="fee_collection", numerator=94, denominator=100, target=0.95).met is False
    lower = Kpi(key="valid_complaint_rate", numerator=1, denominator=100, target=0.02, higher_is_better=False)
    assert lower.met is True and lower.value == 0.01
    assert Kpi(key="valid_complaint_rate", numerator=2, denominator=100, target=0.02,
               higher_is_better=False).met is False
    empty = Kpi(key="satisfaction", numerator=0, denominator=0, target=0.9)
    assert empty.value is None and empty.met is None


async def test_a_missed_callback_stays_due_and_is_overdue(client) -> None:
    """The repair procedure calls back the day after the work: a repair done three days ago
    and never called back stays on 待回访, marked overdue, oldest first; called back, it goes."""
    estate = await make_estate(buildings=1)
    b = estate.building_ids[0]
    old = await seed_ticket(b, title="三天前修好的水管", status="done", done_at=ago(hours=72))
    recent = await seed_ticket(b, title="刚修好的门锁", status="done", done_at=ago(minutes=30))
    await seed_ticket(b, title="已回访的投诉", kind="complaint", status="called_back", done_at=ago(hours=72))
    await seed_ticket(b, title="巡查发现不回访", kind="patrol_finding", status="done", done_at=ago(hours=72))
    await login(client, "desk")
    page = (await client.get("/desk/callbacks")).text
    assert page.index(old["id"]) < page.index(recent["id"])  # oldest first
    assert "已回访的投诉" not in page and "巡查发现不回访" not in page
    assert 'data-callbacks-count="2" data-callbacks-overdue="1"' in page
    row = page.split(f'data-callback="{old["id"]}"')[1].split("</tr>")[0]
    assert "已超期" in row
    assert "已超期" not in page.split(f'data-callback="{recent["id"]}"')[1].split("</tr>")[0]
