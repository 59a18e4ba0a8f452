"""满意度调查 in Chromium: the manager plans a campaign at the desk and sends it to the
phones; a steward captures 12 answers offline door to door, syncs with no click, and the
desk's results change."""

from __future__ import annotations

import re

from server.tables import SurveyResponse
from tests.e2e.conftest import desk_log_in, screenshot
from tests.e2e.test_app_support import log_in, saved, shot, wait_synced
from tests.factories import make_estate, make_user, new_id


async def answer_household(page, n: int, done: int) -> None:
    """Answer the first household still to ask on the open sheet (``done`` answered so far;
    scores vary with ``n``)."""
    await page.wait_for_function(f"document.querySelectorAll('[data-survey-household] .chip-checked').length === {done}")
    await page.click("[data-survey-household]:has(.chip-due) >> nth=0")
    await page.wait_for_selector("[data-survey-form]")
    for q in range(1, 6):
        score = 5 if (n + q) % 3 else 3
        await page.click(f"label.choice:has(input[name=q{q}][value='{score}'])")
    await page.click("label.choice:has(input[name=q6][value='2'])" if n % 2 else "label.choice:has(input[name=q6][value='0'])")
    if n == 0:
        await page.fill("textarea[name=q7]", "希望增加儿童游乐设施")
        await shot(page, "app-survey-form")
    assert await page.locator("[data-survey-form] input:checked").count() == 6
    await page.click("[data-survey-form] [data-save]")
    await saved(page)
    await page.wait_for_function(
        f"document.querySelectorAll('[data-survey-household] .chip-checked').length === {done + 1}")


async def test_a_steward_captures_12_answers_offline_and_the_desk_results_change(
        live_server, seeded, page, desk_page) -> None:
    estate = await make_estate(buildings=2, units_per_building=8, vacant_every=99)
    steward = f"steward_{new_id()[-8:]}"
    await make_user("steward", estate.building_ids, username=steward)
    manager = f"manager_{new_id()[-8:]}"
    await make_user("manager", username=manager)

    await desk_page.set_viewport_size({"width": 1280, "height": 900})
    await desk_log_in(desk_page, live_server.url, manager, "/desk/surveys")
    await desk_page.fill("[data-campaign-name]", "2026年第四季度满意度调查")
    await desk_page.select_option("[data-sample-mode]", "per_building")
    await desk_page.fill("[data-per-building]", "6")
    await screenshot(desk_page, "desk-surveys")
    await desk_page.click("[data-campaign-add]")
    await desk_page.wait_for_selector("[data-campaign-open]")
    await desk_page.click("[data-campaign-open]")
    await desk_page.wait_for_selector("[data-campaign-status]:has-text('进行中')")
    assert "已计入 0 户" in await desk_page.text_content("[data-tally]")
    campaign_url = desk_page.url

    # the steward's phone keeps China's time, as the estate's desk does: the campaign opened
    # "today" at the desk is open today on the phone even in the hours when UTC's date differs
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Shanghai"})
    await log_in(page, live_server.url, steward)
    await page.wait_for_selector("[data-today-survey]")  # Today: 待访 12 户
    assert "待访 12 户" in await page.text_content("main")
    await page.context.set_offline(True)
    await page.click("[data-tab=survey]")
    await page.wait_for_selector("[data-survey-sheet]")
    await shot(page, "app-survey-sheets")
    n = 0
    for sheet in range(2):
        await page.click(f"[data-survey-sheet] >> nth={sheet}")
        await page.wait_for_selector("[data-survey-household]")
        for done in range(6):
            await answer_household(page, n, done)
            n += 1
        if sheet == 0:
            await shot(page, "app-survey-households")
        await page.click("[data-tab=survey]")
        await page.wait_for_selector("[data-survey-sheet]")
    progress = await page.eval_on_selector_all("[data-survey-sheet] .chip", "els => els.map(e => e.textContent)")
    assert progress == ["已访 6 / 6 户", "已访 6 / 6 户"], progress
    assert await SurveyResponse.count() == 0  # still offline: nothing reached the server

    await desk_page.reload()
    assert "已计入 0 户" in await desk_page.text_content("[data-tally]")
    await page.context.set_offline(False)  # back online: sync with no click
    await wait_synced(page)
    assert await SurveyResponse.count() == 12
    await desk_page.goto(campaign_url)
    tally = await desk_page.text_content("[data-tally]")
    assert "样本 12 户，已计入 12 户；重复答卷 0 份" in tally, tally
    assert await desk_page.locator("[data-answer]").count() == 12
    assert await desk_page.locator("[data-results=building] tbody tr").count() == 2
    # 60 ratings: (n + q) % 3 == 0 → 3, else 5; 20 of them are 3 → 满意率 40/60 = 66.7%
    assert re.search(r"满意率 66\.7%", await desk_page.text_content("#survey")), "hand count"
    await desk_page.wait_for_function("document.querySelector('#survey-services') && "
                                      "Chart.getChart(document.querySelector('#survey-services'))")
    await screenshot(desk_page, "desk-survey-results")
    # the results call for a corrective action: open it, it is listed at the desk
    await desk_page.click("[data-open-actions]")
    await desk_page.wait_for_selector("[data-action]")
    await desk_page.goto(f"{live_server.url}/desk/survey-actions")
    await desk_page.wait_for_selector("[data-action-form]")
    await screenshot(desk_page, "desk-survey-actions")
    await desk_page.goto(f"{live_server.url}/desk/settings/surveys")
    await desk_page.wait_for_selector("[data-survey-terms]")
    await screenshot(desk_page, "desk-survey-terms")
