"""导入台账 in Chromium: a manager uploads a ledger with a mistake, reads the problem, uploads
the corrected ledger, previews it and imports it with one (double) click."""

from __future__ import annotations

import pytest

from server.ledger import service
from server.store import staff
from server.tables import Household
from tests.e2e.conftest import desk_log_in, screenshot
from tests.factories import PASSWORD
from tests.ledger_sample import sample_rows, workbook

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_a_manager_imports_the_estate_ledger(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await service.add_estate("LY", "绿苑")
    await staff.add_user("boss", PASSWORD, "周经理", "manager", estate_ids=[estate.id])
    await desk_log_in(page, url, "boss", "/admin/ledger")

    rows = sample_rows(300)
    rows["房屋"][7][4] = -96  # a negative area
    await page.set_input_files("[data-ledger-file]", {"name": "绿苑台账.xlsx", "mimeType": XLSX,
                                                      "buffer": workbook(rows)})
    await page.click("[data-ledger-preview]")
    await page.wait_for_selector("[data-ledger-errors]")
    problems = await page.inner_text(".ledger-problems tbody")
    assert "房屋\t9\t建筑面积(㎡)\t-96\t不能为负数" in problems
    assert await page.locator("[data-ledger-apply]").count() == 0
    await screenshot(page, "desk-ledger-refused")

    await page.set_input_files("[data-ledger-file]", {"name": "绿苑台账.xlsx", "mimeType": XLSX,
                                                      "buffer": workbook(sample_rows(300))})
    await page.click("[data-ledger-preview]")
    await page.wait_for_selector("[data-ledger-apply]")
    assert await Household.count() == 0  # a preview writes nothing
    await screenshot(page, "desk-ledger-preview")
    await page.dblclick("[data-ledger-apply]")  # an impatient double click
    await page.wait_for_selector("[data-ledger-applied]")
    assert "已导入" in await page.inner_text("[data-ledger-applied]")
    assert await Household.count() == 300
    await screenshot(page, "desk-ledger-applied")
