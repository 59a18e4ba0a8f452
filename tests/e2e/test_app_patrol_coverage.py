"""Patrol coverage end to end (issue 15): on the phone the steward checks in at each
building of a round (a finding there counts too) and Today shows each building's rounds
against two a day; the desk sees the buildings short of two rounds and their steward, and
the manager marks a reported finding (脱岗/聚堆) handled on the supervisor's list."""

from __future__ import annotations

import pytest

from server.tables import Finding
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, saved, seed_world, shot, wait_synced
from tests.factories import make_user, new_id

pytestmark = pytest.mark.e2e


async def walk_round(page, *buildings: str, report: str | None = None) -> None:
    """Start a round, check in at ``buildings``, maybe report staff off post in 1栋, end it."""
    await page.click("[data-tab=patrol]")
    await page.click("[data-start-round]")
    await saved(page)
    for code in buildings:
        await page.click(f"[data-checkin-building='{code}'] [data-check-in]")
        await saved(page)
        await page.wait_for_selector(f"[data-checkin-building='{code}'] [data-checked-in]")
    if report:
        await page.select_option("[data-kind]", "staff_off_post")
        assert not await page.is_checked("[data-raise-ticket]")  # reported upward, not a repair
        await page.fill("[data-description]", report)
        await page.click("[data-finding-form] [data-save]")
        await saved(page)
        await page.wait_for_selector("[data-checkin-building='1栋'] [data-checked-in]")  # found there: patrolled
    await shot(page, "app-patrol-check-ins")
    await page.click("[data-end-round]")
    await page.click("[data-end-round-confirm]")
    await saved(page)
    await page.wait_for_selector("[data-building-rounds]")


async def test_check_ins_make_coverage_and_the_manager_handles_a_report(live_server, seeded, page, desk_page) -> None:
    world = await seed_world()
    manager = f"jingli_{new_id()[-8:]}"
    manager_id = await make_user("manager", username=manager)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await log_in(page, live_server.url, world.stewards[0])

    await walk_round(page, report="2号岗保安离岗聚在门卫室聊天")  # the finding in 1栋 checks it in
    await walk_round(page, "1栋")
    await wait_synced(page)
    rounds = await page.eval_on_selector_all(
        "[data-building-round]", "els => els.map(e => [e.dataset.buildingRound, e.querySelector('[data-rounds]').textContent])")
    assert rounds == [["1栋", "2/2 遍"], ["2栋", "0/2 遍"]], rounds
    await shot(page, "app-today-building-rounds")

    await desk_log_in(desk_page, live_server.url, manager, "/desk/patrols")
    coverage = desk_page.locator("[data-coverage]")
    await coverage.wait_for()
    assert (await coverage.locator("[data-short]").text_content()).strip() == "1 栋楼巡查不足 2 遍"
    assert (await coverage.locator("[data-building-coverage='1栋'] [data-round-count]").text_content()).strip() == "2 / 2"
    short = coverage.locator("[data-building-coverage='2栋']")
    assert "0 / 2" in await short.text_content() and "差 2 遍" in await short.text_content()
    assert await short.get_attribute("class") == "overdue"
    assert "测试steward" in await short.text_content()  # the steward responsible for 2栋
    await coverage.scroll_into_view_if_needed()
    await screenshot(desk_page, "desk-patrol-coverage")

    await desk_page.click("nav >> text=上报事项")
    await desk_page.wait_for_selector("[data-report]")
    report = desk_page.locator("[data-report]")
    assert await report.count() == 1 and "2号岗保安离岗" in await report.text_content()
    await screenshot(desk_page, "desk-reports-waiting")
    await desk_page.fill("[data-report-note]", "已通知秩序部主管，当班保安已回岗")
    await desk_page.click("[data-report-handle]")
    await desk_page.wait_for_selector("#reports .flash-ok")
    assert await desk_page.locator("[data-report]").count() == 0
    handled = desk_page.locator("[data-handled]")
    assert "已通知秩序部主管" in await handled.text_content() and "测试manager" in await handled.text_content()
    await screenshot(desk_page, "desk-reports-handled")

    finding = await Finding.select().where(Finding.kind == "staff_off_post").first()
    assert (finding["handled"], finding["handled_by"]) == (True, manager_id) and finding["handled_at"]
    assert errors == [], errors
