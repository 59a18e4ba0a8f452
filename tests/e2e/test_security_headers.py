"""The Content-Security-Policy as a browser enforces it (issue 14, finding 10): the other
browser tests bypass it, so this one does not. The desk's pages, the KPI chart, the ledger
page's busy indicator (htmx adds its style itself), the phone app and the API docs work with
no violation reported."""

from __future__ import annotations

from typing import Any

import pytest

from server.demo import load_demo
from server.demo.logins import DEMO_PASSWORD
from tests.e2e.conftest import desk_log_in

pytestmark = pytest.mark.e2e

PAGES = ("/desk/tickets", "/desk/kpi", "/desk/archive?q=1", "/desk/conflicts", "/admin/ledger", "/admin/users",
         "/api/docs", "/")


async def _enforcing_page(browser: Any, **options: Any) -> tuple[Any, list[str]]:
    """A page whose context enforces the CSP, and the violations it reports."""
    context = await browser.new_context(locale="zh-CN", **options)
    page = await context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    await page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                               "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))")
    return page, violations


async def test_desk_pages_work_under_the_policy(live_server, seeded, browser) -> None:
    await load_demo()
    page, violations = await _enforcing_page(browser, viewport={"width": 1366, "height": 768})
    await desk_log_in(page, live_server.url, "admin", "/desk", DEMO_PASSWORD)
    for path in PAGES:
        answer = await page.goto(live_server.url + path)
        assert answer is not None and answer.status == 200, path
        await page.wait_for_load_state("networkidle")
        if path == "/admin/ledger":  # htmx's own indicator style applies: the busy line is hidden
            assert not await page.locator("#ledger-busy").is_visible()
        if path == "/desk/kpi":
            assert await page.locator("canvas").count() > 0
    assert violations == [], violations


async def test_the_phone_app_works_under_the_policy(live_server, seeded, browser) -> None:
    page, violations = await _enforcing_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                                             has_touch=True)
    await page.goto(live_server.url + "/app/")
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("typeof indexedDB") == "object"
    assert violations == [], violations
