"""Issue 14, findings 2 and 9, in Chromium: the CSRF token follows the desk session (login
and logout rotate the cookie that desk.js copies into HTMX requests), so HTMX keeps working
across a logout and a new login; the admin sees a lock and lifts it with 解除锁定."""

from __future__ import annotations

import pytest

from server.store import staff
from tests.e2e.conftest import desk_log_in
from tests.factories import make_estate, make_user

pytestmark = pytest.mark.e2e

STRANGER = "203.0.113.66"


async def _csrf_cookie(page) -> str:
    return next(c["value"] for c in await page.context.cookies() if c["name"] == "csrftoken")


async def test_htmx_works_across_logout_and_login_and_the_admin_lifts_a_lock(live_server, seeded,
                                                                           desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await make_estate(buildings=1)
    steward_id = await make_user("steward", estate.building_ids, username="wang")
    await make_user("admin", username="boss")
    for _ in range(5):  # a stranger's guesses: wang is locked at that address only
        await staff.record_login_attempt("wang", STRANGER, False)

    await page.goto(f"{url}/login")
    before_login = await _csrf_cookie(page)
    await desk_log_in(page, url, "boss", "/admin/users")
    first_session = await _csrf_cookie(page)
    await page.click("form[action='/logout'] button")
    await page.wait_for_url(f"{url}/login")
    await desk_log_in(page, url, "boss", "/admin/users")
    second_session = await _csrf_cookie(page)
    assert len({before_login, first_session, second_session}) == 3

    row = page.locator(f"#user-{steward_id}")
    assert STRANGER in await row.inner_text()
    await row.locator("form[action$='/unlock'] button").click()  # an HTMX post: desk.js adds the token
    await page.wait_for_selector(f"#user-{steward_id} .notice")
    assert STRANGER not in await page.locator(f"#user-{steward_id}").inner_text()
    assert await staff.failures_since("2000-01-01T00:00:00.000Z", username="wang") == 0
