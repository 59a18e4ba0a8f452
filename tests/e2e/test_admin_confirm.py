"""停用 asks first: dismissed, the account stays active; confirmed, it is disabled."""

from __future__ import annotations

import pytest

from server.tables import StaffUser
from tests.e2e.conftest import desk_log_in
from tests.factories import make_estate, make_user

pytestmark = pytest.mark.e2e


async def test_disabling_an_account_asks_first(live_server, seeded, desk_page) -> None:
    page, url = desk_page, live_server.url
    estate = await make_estate(buildings=1)
    steward_id = await make_user("steward", estate.building_ids, username="wang")
    await make_user("admin", username="boss")
    await desk_log_in(page, url, "boss", "/admin/users")
    button = page.locator(f"#user-{steward_id} form[action$='/active'] button")
    asked: list[str] = []

    async def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda dialog: answer(dialog, False))
    await button.click()
    await page.wait_for_timeout(300)
    assert asked and "停用" in asked[0]
    assert (await StaffUser.select(StaffUser.active).where(StaffUser.id == steward_id).first())["active"]
    page.once("dialog", lambda dialog: answer(dialog, True))
    await button.click()
    await page.wait_for_selector(f"#user-{steward_id}.inactive")
    assert not (await StaffUser.select(StaffUser.active).where(StaffUser.id == steward_id).first())["active"]
