"""Today says 已可离线 as soon as the app is cached and the first pull is in, without a
reload and without waiting for the next automatic sync (a steward told to wait would
wait for nothing, or go down unprepared)."""

from __future__ import annotations

import pytest

from tests.e2e.test_app_support import seed_world
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


async def test_today_turns_ready_once_the_app_is_cached(live_server, seeded, page) -> None:
    world = await seed_world()
    await page.goto(live_server.url + "/app/")
    await page.fill("input[name=username]", world.stewards[0])
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[data-login] button[type=submit]")
    await page.wait_for_selector("[data-offline-ready]")
    # no reload, no tap on 立即同步: the worker taking the page redraws Today (the
    # automatic sync comes only every PERIOD_MS, far beyond this wait)
    await page.wait_for_selector("[data-offline-ready=yes]", timeout=20000)
    assert await page.evaluate("navigator.serviceWorker.controller !== null")
    assert "下楼前请先同步" not in await page.inner_text("main")
