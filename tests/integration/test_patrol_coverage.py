"""Patrol coverage and the supervisor's list, from rounds and findings pushed by phones
(issue 15): a building counts as patrolled in a round only where the round checked in (or
recorded a finding); two rounds a day complete it; reported findings wait for the office
until marked handled. Scope: another estate's buildings, rounds and reports never appear."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from server.clock import iso, now_iso
from server.tables import Finding, StaffUser
from tests.factories import make_estate, make_user
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import Phone, enrol, steward_phone

PAGE = "/desk/patrols"


def counts(html: str) -> dict[str, str]:
    """Each building's "rounds / 2" on the patrols page, by building code."""
    return {code: count.strip() for code, count in re.findall(
        r'data-building-coverage="([^"]+)"[^>]*>.*?<td data-round-count>(\d+ / \d+)', html)}


async def named(user_id: str, name: str) -> None:
    await StaffUser.update({StaffUser.display_name: name}).where(StaffUser.id == user_id)


async def start_round(phone: Phone, *check_ins: str, started_at: str | None = None) -> str:
    round_id = phone.create("patrol_round", {"started_at": started_at or now_iso(), "status": "open",
                                             "covered_building_ids": [], "notes": ""})
    await phone.sync()
    for building_id in check_ins:
        phone.update("patrol_round", round_id, {"covered_building_ids": [
            *phone.replica[("patrol_round", round_id)]["covered_building_ids"], building_id]})
        await phone.sync()
    return round_id


async def other_estate_round(client: httpx.AsyncClient) -> None:
    """A second estate (its codes are the same: 1栋…) whose steward walks two rounds there."""
    other = await make_estate(buildings=3, office=False)
    steward = await make_user("steward", other.building_ids)
    await named(steward, "外小区管家")
    from server.store.staff import principal_of

    principal = await principal_of(steward)
    assert principal is not None
    phone = Phone(client, await enrol(client, principal.username), steward)
    for _ in range(2):
        await start_round(phone, *other.building_ids)
    phone.create("finding", {"kind": "staff_off_post", "occurred_at": now_iso(), "building_id": other.building_ids[0],
                             "description": "外小区保安聚堆"})
    await phone.sync()


async def test_rounds_count_only_the_buildings_they_checked_in_at(client: httpx.AsyncClient) -> None:
    estate = await make_estate(buildings=3)
    b1, b2, b3 = estate.building_ids
    await login(client, "manager")
    phone = await steward_phone(client, [b1, b2, b3])
    await named(phone.user_id, "李管家")
    await other_estate_round(client)

    await start_round(phone, b1)  # checked in at one of three
    page = (await client.get(PAGE)).text
    assert counts(page) == {"1栋": "1 / 2", "2栋": "0 / 2", "3栋": "0 / 2"}  # the other estate's never appear
    assert "外小区管家" not in page and "李管家" in page  # the steward responsible is named
    assert "3 栋楼巡查不足 2 遍" in page
    not_patrolled = page.split("今日未巡查的楼栋", 1)[1].split("</p>", 1)[0]
    assert re.findall(r'<span class="tag">([^<]+)</span>', not_patrolled) == ["2栋", "3栋"]

    second = await start_round(phone, b1)  # a second round makes 1栋 complete
    phone.create("finding", {"round_id": second, "kind": "parking", "occurred_at": now_iso(), "building_id": b2,
                             "description": "消防通道停车"})  # a finding there counts 2栋 for the round
    await phone.sync()
    page = (await client.get(PAGE)).text
    assert counts(page) == {"1栋": "2 / 2", "2栋": "1 / 2", "3栋": "0 / 2"}
    assert "2 栋楼巡查不足 2 遍" in page
    row = page.split('data-building-coverage="1栋"', 1)[1].split("</tr>", 1)[0]
    assert "差" not in row and 'class="overdue"' not in page.split('data-building-coverage="1栋"', 1)[0][-40:]

    english = (await client.get(PAGE + "?lang=en")).text
    assert "2 buildings have fewer than 2 rounds" in english


async def test_a_check_in_never_removes_and_stays_within_assigned_buildings(client: httpx.AsyncClient) -> None:
    estate = await make_estate(buildings=3)
    b1, b2, b3 = estate.building_ids
    phone = await steward_phone(client, [b1, b2])
    round_id = await start_round(phone, b1)
    # a second phone of the same steward, offline from the same empty list, checks in at 2栋
    from server.store.staff import principal_of

    principal = await principal_of(phone.user_id)
    assert principal is not None
    other = Phone(client, await enrol(client, principal.username), phone.user_id)
    other.replica[("patrol_round", round_id)] = {**phone.replica[("patrol_round", round_id)],
                                                 "covered_building_ids": [], "version": 1}
    other.update("patrol_round", round_id, {"covered_building_ids": [b2]})
    [result] = await other.push()
    assert result["status"] == "applied"
    await phone.pull()
    assert phone.replica[("patrol_round", round_id)]["covered_building_ids"] == [b1, b2]

    phone.update("patrol_round", round_id, {"covered_building_ids": [b1, b2, b3]})  # 3栋 is not theirs
    [refused] = await phone.push()
    assert (refused["status"], refused["code"]) == ("rejected", "out_of_scope")
    await phone.pull()
    assert phone.replica[("patrol_round", round_id)]["covered_building_ids"] == [b1, b2]


async def test_reported_findings_wait_for_the_office_until_handled(client: httpx.AsyncClient) -> None:
    estate = await make_estate(buildings=2)
    b1, _ = estate.building_ids
    manager = await login(client, "manager")
    await named(manager, "罗经理")
    phone = await steward_phone(client, [b1])
    off_post = phone.create("finding", {"kind": "staff_off_post", "occurred_at": now_iso(), "building_id": b1,
                                        "description": "3号岗保安聚堆聊天"})
    slip = phone.create("finding", {"kind": "release_slip", "occurred_at": now_iso(), "building_id": b1,
                                    "description": "搬家未查放行条"})
    damage = phone.create("finding", {"kind": "public_damage", "occurred_at": now_iso(), "building_id": b1,
                                      "description": "消防门损坏"})
    await phone.sync()
    await other_estate_round(client)

    page = (await client.get("/desk/reports")).text
    waiting = set(re.findall(r'data-report="([^"]+)"', page))
    assert waiting == {off_post, slip}  # not the damage, not the other estate's report
    assert damage not in page and "外小区保安聚堆" not in page

    # a steward may not mark it handled
    phone.update("finding", off_post, {"handled": True, "handled_note": "自己处理了"})
    [refused] = await phone.push()
    assert (refused["status"], refused["code"]) == ("rejected", "field_not_writable")

    version = (await Finding.select(Finding.version).where(Finding.id == off_post).first())["version"]
    empty = await client.post(f"/desk/reports/{off_post}", data={"version": version, "note": "  "}, headers=csrf(client))
    assert (empty.status_code, empty.json()["code"], empty.json()["detail"]["field"]) == (422, "invalid_form", "note")
    assert (await Finding.select(Finding.handled).where(Finding.id == off_post).first())["handled"] is False
    wrong = await client.post(f"/desk/reports/{damage}", data={"version": 1, "note": "x"}, headers=csrf(client))
    assert wrong.status_code == 404

    done = await client.post(f"/desk/reports/{off_post}", data={"version": version, "note": "已通知秩序部主管"},
                             headers=csrf(client, htmx=True))
    assert done.status_code == 200 and 'id="reports"' in done.text
    assert set(re.findall(r'data-report="([^"]+)"', done.text)) == {slip}
    handled_row = done.text.split(f'data-handled="{off_post}"', 1)[1].split("</tr>", 1)[0]
    assert "罗经理" in handled_row and "已通知秩序部主管" in handled_row
    again = await client.post(f"/desk/reports/{off_post}", data={"version": version + 5, "note": "再次"},
                              headers=csrf(client))
    assert again.status_code == 409

    await phone.pull()  # the phone sees it handled, by whom and when
    row = phone.replica[("finding", off_post)]
    assert (row["handled"], row["handled_by"], row["handled_note"]) == (True, manager, "已通知秩序部主管")
    assert row["handled_at"]


async def test_days_are_the_estates_local_day(client: httpx.AsyncClient) -> None:
    """A round started at 23:50 Beijing time yesterday (15:50 UTC, the same UTC date as the
    small hours of today) counts for yesterday, not today."""
    estate = await make_estate(buildings=2)
    b1, b2 = estate.building_ids
    await login(client, "desk")
    phone = await steward_phone(client, [b1, b2])
    shanghai = ZoneInfo("Asia/Shanghai")
    today = datetime.now(shanghai).date()
    late = datetime(today.year, today.month, today.day, 23, 50, tzinfo=shanghai) - timedelta(days=1)
    await start_round(phone, b2, started_at=iso(late.astimezone(ZoneInfo("UTC"))))
    await start_round(phone, b1)
    assert counts((await client.get(PAGE)).text) == {"1栋": "1 / 2", "2栋": "0 / 2"}
    yesterday = (await client.get(f"{PAGE}?day={(today - timedelta(days=1)).isoformat()}")).text
    assert counts(yesterday) == {"1栋": "0 / 2", "2栋": "1 / 2"}
