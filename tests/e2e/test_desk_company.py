"""The company's view in Chromium: after logging in, each estate's KPIs side by side."""

from __future__ import annotations

import pytest

from server.demo import load_demo
from server.store import staff
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


async def test_the_company_lands_on_the_estates_side_by_side(live_server, seeded, desk_page) -> None:
    await load_demo()
    await staff.add_user("quality", PASSWORD, "品质部刘工", "company")
    page, url = desk_page, live_server.url
    await page.goto(url + "/login")
    await page.fill("input[name=username]", "quality")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(url + "/desk/kpi/estates")
    headers = await page.locator(".kpi-estates thead th").all_inner_texts()
    assert "锦绣华庭" in headers and "翠湖苑" in headers
    assert await page.locator(".kpi-estates tbody tr").count() >= 5
    nav = await page.inner_text(".desk-nav")
    assert "工单" not in nav and "各项目KPI" in nav  # no page it may not open is offered
    await screenshot(page, "desk-company-kpis")
