"""The KPI dashboard in Chromium (issue 15): the 12-month trend drawn by the server, the
breakdown per building and per steward, and a figure that opens the records behind it."""

from __future__ import annotations

import pytest

from server.demo import load_demo
from server.demo.logins import DEMO_PASSWORD
from server.store import kpi, staff
from tests.e2e.conftest import SCREENSHOTS, axe_violations, desk_log_in, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


async def test_the_manager_sees_the_trend_and_the_breakdown_and_opens_a_figures_records(
        live_server, seeded, desk_page) -> None:
    await load_demo()
    page, url = desk_page, live_server.url
    await desk_log_in(page, url, "jingli", "/desk/kpi", DEMO_PASSWORD)  # the demo's manager
    assert await page.locator("figure.trend svg").count() == len(kpi.DEFINITIONS)
    assert await page.locator("figure.trend polyline").count() >= 1  # the demo's months are drawn
    assert await page.locator("figure.trend line.target").count() == len(kpi.DEFINITIONS)
    caption = await page.inner_text('figure[data-trend="satisfaction"] figcaption')
    assert caption == "客户服务满意率"
    rows = page.locator('table[data-breakdown="building_id"] tbody tr')
    assert await rows.count() >= 5
    stewards = page.locator('table[data-breakdown="steward_id"] tbody tr')
    assert await stewards.count() >= 1
    assert not [v for v in await axe_violations(page, {"runOnly": ["wcag2a", "wcag2aa"]})
                if v["impact"] in ("serious", "critical")]
    await screenshot(page, "desk-kpi-trend-breakdown")
    await page.locator(".trends").screenshot(path=str(SCREENSHOTS / "desk-kpi-trend-close.png"))
    cells = page.locator('table[data-breakdown="building_id"] tbody tr td[data-kpi="satisfaction"] a[data-part="denominator"]')
    figures = [int(t) for t in await cells.all_inner_texts()]
    assert max(figures) > 0  # a building whose owners were surveyed this month
    cell = cells.nth(figures.index(max(figures)))
    figure = max(figures)
    await cell.click()
    await page.wait_for_url("**/desk/kpi/records?**")
    assert "客户服务满意率" in await page.inner_text("h1")
    assert await page.locator("#kpi-records tbody tr[data-record]").count() == figure
    # each owner's row opens the unit's archive, or the ticket when it has no unit (a public area)
    assert await page.locator("#kpi-records tbody tr[data-record]").evaluate_all(
        "rows => rows.every((r) => r.querySelector(\"a[href^='/desk/archive/units/'], a[href^='/desk/tickets/']\"))")
    await screenshot(page, "desk-kpi-records")
    await page.goto(url + "/desk/kpi")
    callbacks = page.locator('.kpi-card[data-kpi="complaint_callback_rate"] a[data-part="denominator"]')
    handled = int(await callbacks.inner_text())
    await callbacks.click()
    await page.wait_for_url("**/desk/kpi/records?**")
    assert await page.locator("#kpi-records tbody tr[data-record]").count() == handled
    await screenshot(page, "desk-kpi-records-callbacks")


async def test_the_company_opens_an_estates_records_without_owners_names(live_server, seeded, desk_page) -> None:
    await load_demo()
    await staff.add_user("quality3", PASSWORD, "品质部刘工", "company")
    page, url = desk_page, live_server.url
    await desk_log_in(page, url, "quality3", "/desk/kpi/estates")
    figure = page.locator('.kpi-estates tr[data-kpi="satisfaction"] a[data-part="denominator"]').first
    surveyed = int(await figure.inner_text())
    assert surveyed > 0
    await figure.click()
    await page.wait_for_url("**/desk/kpi/records?**estate_id=**")
    rows = page.locator("#kpi-records tbody tr[data-record]")
    assert await rows.count() == surveyed
    assert await page.locator("#kpi-records a[href^='/desk/tickets/'], #kpi-records a[href^='/desk/archive/']").count() == 0
    owners = await page.locator("#kpi-records tbody td:nth-child(3)").all_inner_texts()
    assert set(owners) == {"（不显示业主个人信息）"}  # the owner column says why it is empty
    assert await page.locator("#kpi-records a[href^='/desk/export/']").count() == 0  # no export offered
    await screenshot(page, "desk-kpi-records-company")
