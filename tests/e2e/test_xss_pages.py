"""Script and markup typed into free-text fields render as text, never run: every desk page,
the admin pages and every screen of the phone app, in Debian's Chromium.

The payloads go in through the real desk merge (tickets, notes) and straight into the
tables the phones fill (findings, vacant checks, visits, households, conflicts); if any of
them ran, ``window.__xss`` would be set."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.sync import Create
from server import sync_service
from server.clock import now_iso
from server.store import audit, staff
from server.tables import Conflict, Finding, Household, PatrolRound, VacantCheck, Visit
from tests.e2e.test_app_support import log_in as app_log_in
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_estate, make_user, new_id

pytestmark = pytest.mark.e2e

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
PAYLOAD = f"恶意{IMG}{SCRIPT}"


async def seed_everything() -> dict[str, Any]:
    """Every free-text field of every record kind carries the payloads."""
    estate = await make_estate(buildings=1, units_per_building=4)
    building = estate.building_ids[0]
    unit = estate.unit_ids[building][0]
    vacant_unit = estate.unit_ids[building][3]
    e = estate.estate_id  # rows written straight to the tables carry their estate (issue 11)
    steward_id = await make_user("steward", estate.building_ids, username="guanjia")
    await make_user("manager", username="jingli")
    await make_user("admin", username="root")
    await staff.add_user("evil.name", PASSWORD, PAYLOAD[:50], "desk")
    desk = await staff.principal_of(await make_user("desk", username="qiantai"))
    ticket_id, done_id = new_id(), new_id()
    results = await sync_service.apply_desk_mutations(desk, [
        Create(seq=1, collection="ticket", id=ticket_id, fields={
            "kind": "repair", "title": PAYLOAD, "description": PAYLOAD, "unit_id": unit, "place": PAYLOAD,
            "reporter_name": PAYLOAD[:50]}),
        Create(seq=2, collection="ticket_event", id=new_id(), fields={
            "ticket_id": ticket_id, "type": "note", "body": PAYLOAD}),
    ])
    assert all(r.status == "applied" for r in results), results
    at = now_iso()
    household = estate.household_ids[unit]
    await Household.update({Household.notes: PAYLOAD, Household.opinions: PAYLOAD,
                            Household.special_needs: PAYLOAD, Household.family_structure: PAYLOAD,
                            Household.owner_name: PAYLOAD[:50], Household.version: 1}).where(Household.id == household)
    round_id = new_id()
    await PatrolRound.insert(PatrolRound(id=round_id, version=1, estate_id=e, steward_id=steward_id, started_at=at, ended_at=at,
                                         status="ended", covered_building_ids=[building], notes=PAYLOAD, created_at=at))
    await Finding.insert(Finding(id=new_id(), version=1, building_id=building, estate_id=e, round_id=round_id, floor="5",
                                 kind="public_damage", severity="high", description=PAYLOAD, occurred_at=at,
                                 steward_id=steward_id, created_at=at))
    await VacantCheck.insert(VacantCheck(id=new_id(), version=1, building_id=building, estate_id=e, unit_id=vacant_unit,
                                         week="2026-W47", checked_at=at, steward_id=steward_id,
                                         results={"leaks": "defect"}, notes=PAYLOAD, created_at=at))
    await Visit.insert(Visit(id=new_id(), version=1, building_id=building, estate_id=e, unit_id=unit, household_id=household,
                             purpose="routine", status="done", visited_at=at, steward_id=steward_id,
                             outcome=PAYLOAD, owner_words=PAYLOAD, follow_ups=PAYLOAD, created_at=at))
    await Conflict.insert(Conflict(id=new_id(), version=1, building_id=building, estate_id=e, collection="ticket",
                                   record_id=ticket_id, field="description", kind="field", kept_value=json.dumps(PAYLOAD),
                                   lost_value=json.dumps(PAYLOAD), kept_source="desk", lost_source=PAYLOAD[:80],
                                   rule="first_sync_wins", status="open", created_at=at))
    await staff.enrol_device(steward_id, new_id(), PAYLOAD[:100], 30)
    await audit.record("export", user_id=steward_id, target=PAYLOAD[:100], detail={"note": PAYLOAD})
    return {"ticket": ticket_id, "unit": unit, "building": building}


async def desk_log_in(page, url: str, username: str) -> None:
    await page.goto(url + "/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")


async def check(page, url: str, name: str) -> bool:
    """Open ``url``; fail if a payload ran; True when its literal text is on the page."""
    response = await page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("window.__xss") is None, f"script ran on {url}"
    text = await page.evaluate("document.body.innerText")
    await screenshot(page, f"xss-{name}")
    return IMG in text or SCRIPT in text


DESK_PAGES = [
    # (name, path, must show the payload as text)
    ("queue", "/desk/tickets", True),
    ("ticket", "/desk/tickets/{ticket}", True),
    ("callbacks", "/desk/callbacks", False),
    ("duplicates", "/desk/duplicates", False),
    ("archive", "/desk/archive?q=%E6%81%B6%E6%84%8F", False),
    ("archive-unit", "/desk/archive/units/{unit}", True),
    ("vacant", "/desk/vacant", False),
    ("patrols", "/desk/patrols", True),
    ("stewards", "/desk/stewards", False),
    ("conflicts", "/desk/conflicts", True),
    ("escalations", "/desk/escalations", False),
    ("kpi", "/desk/kpi", False),
    ("intake", "/desk/intake", False),
]
ADMIN_PAGES = [("admin-users", "/admin/users", True), ("admin-devices", "/admin/devices", True),
               ("admin-audit", "/admin/audit", True)]


async def test_markup_in_free_text_renders_as_text_on_every_desk_page(live_server, seeded, desk_page) -> None:
    ids = await seed_everything()
    await desk_log_in(desk_page, live_server.url, "jingli")
    missing = []
    for name, path, must_show in DESK_PAGES:
        shown = await check(desk_page, live_server.url + path.format(**ids), name)
        if must_show and not shown:
            missing.append(name)
    await desk_page.goto(live_server.url + "/login")
    await desk_page.context.clear_cookies()
    await desk_log_in(desk_page, live_server.url, "root")
    for name, path, must_show in ADMIN_PAGES:
        if must_show and not await check(desk_page, live_server.url + path, name):
            missing.append(name)
    assert missing == [], f"payload text not visible on {missing}"
    # control: the same markup, parsed as HTML, does run here, so the checks above can fail
    await desk_page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", IMG)
    await desk_page.wait_for_function("window.__xss === 1", timeout=5000)


async def test_markup_in_free_text_renders_as_text_in_the_phone_app(live_server, seeded, page) -> None:
    ids = await seed_everything()
    await app_log_in(page, live_server.url, "guanjia")
    shown = {}
    for screen in ("today", "patrol", "vacant", "visit", "records", f"ticket/{ids['ticket']}"):
        await page.goto(f"{live_server.url}/app/#/{screen}")
        await page.wait_for_load_state("networkidle")
        await page.wait_for_timeout(300)
        assert await page.evaluate("window.__xss") is None, f"script ran on the app's {screen} screen"
        text = await page.evaluate("document.body.innerText")
        shown[screen] = IMG in text or SCRIPT in text
        await screenshot(page, "xss-app-" + screen.split("/")[0])
    assert shown[f"ticket/{ids['ticket']}"], "the ticket screen shows the description as text"
