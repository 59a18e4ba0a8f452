"""The landing page in a real browser, served by a real server process."""

from __future__ import annotations

from tests.e2e.conftest import screenshot


async def test_landing_page_links_desk_and_app(live_server, page) -> None:
    await page.goto(live_server.url + "/")
    assert await page.title() == "楼管通"
    assert await page.locator("a[href='/desk']").count() == 1
    assert await page.locator("a[href='/app/']").count() == 1
    await page.click("text=English")
    assert await page.locator("h1").inner_text() == "StewardSync"
    await screenshot(page, "landing-390")
