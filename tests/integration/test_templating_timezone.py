"""Pages show times in the estate's zone, ``STEWARDSYNC_TIMEZONE``, not a built-in one."""

from __future__ import annotations

import httpx
import pytest

from server.app import close_database, create_app, open_database
from server.settings import Settings
from tests.factories import make_estate
from tests.integration.test_desk_helpers import HX, login, seed_ticket

CREATED = "2026-03-10T02:05:00.000Z"


@pytest.mark.parametrize("timezone, shown, not_shown", [
    ("Asia/Shanghai", "2026-03-10 10:05", "2026-03-09 22:05"),
    ("America/New_York", "2026-03-09 22:05", "2026-03-10 10:05"),  # EDT, UTC-4
])
async def test_the_ticket_page_shows_times_in_the_configured_zone(
        settings: Settings, timezone: str, shown: str, not_shown: str) -> None:
    app = create_app(settings.with_(timezone=timezone), migrate=False)
    await open_database(app, migrate=False)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await login(client, "desk")
            estate = await make_estate(buildings=1)
            ticket = await seed_ticket(estate.building_ids[0], created_at=CREATED)
            page = await client.get(f"/desk/tickets/{ticket['id']}", headers=HX)
    finally:
        await close_database(app)
    assert page.status_code == 200, page.text
    assert shown in page.text and not_shown not in page.text
