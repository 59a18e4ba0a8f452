"""A half-filled visit form on the phone survives Back and Forward and a reload (kept in
IndexedDB, offered back with a note); once saved, the form opens empty again."""

from __future__ import annotations

import pytest

from tests.e2e.test_app_support import log_in, saved, seed_world

pytestmark = pytest.mark.e2e


async def test_a_half_filled_visit_survives_back_forward_and_reload(live_server, seeded, page) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    await page.click(f"[data-ticket='{world.done_ticket}']")
    await page.click("[data-callback]")
    await page.wait_for_selector("[data-visit-form]")
    form_url = page.url
    await page.fill("[data-outcome]", "已修好，业主确认不再漏水")
    await page.click("label.choice:has(input[name=satisfaction][value='4'])")
    await page.fill("[data-owner-words]", "希望下次提前电话")
    await page.go_back()  # the steward taps Back by mistake
    await page.wait_for_selector("[data-visit-form]", state="detached")
    await page.go_forward()
    await page.wait_for_selector("[data-draft-restored]")
    assert await page.input_value("[data-outcome]") == "已修好，业主确认不再漏水"
    assert await page.input_value("[data-owner-words]") == "希望下次提前电话"
    assert await page.is_checked("input[name=satisfaction][value='4']")
    await page.reload()  # the phone killed the app in the background
    await page.wait_for_selector("[data-draft-restored]")
    assert page.url == form_url and await page.input_value("[data-outcome]") == "已修好，业主确认不再漏水"
    await page.click("[data-visit-form] [data-save]")
    await saved(page)
    await page.goto(form_url)
    await page.wait_for_selector("[data-visit-form]")
    assert await page.locator("[data-draft-restored]").count() == 0
    assert await page.input_value("[data-outcome]") == ""

