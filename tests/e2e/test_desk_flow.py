"""The desk in Debian's Chromium: a ticket from intake to close, a refused transition,
axe-core on the queue, ticket and dashboard pages, and a screenshot of every page."""

from __future__ import annotations

import pytest

from server.demo import DEMO_PASSWORD, load_demo
from server.tables import Building, Finding, StaffUser, SyncDevice, Ticket, Unit
from tests.e2e.conftest import axe_violations, desk_log_in, screenshot
from tests.factories import new_id
from tests.integration.test_desk_helpers import ago

pytestmark = pytest.mark.e2e

async def log_in(page, url: str, username: str) -> None:
    await desk_log_in(page, url, username, "/desk", DEMO_PASSWORD)


async def serious_violations(page) -> list[dict]:
    return [v for v in await axe_violations(page) if v["impact"] in ("serious", "critical")]


async def test_ticket_from_intake_to_close(live_server, seeded, desk_page) -> None:
    await load_demo()
    page, url = desk_page, live_server.url
    await log_in(page, url, "qiantai")
    assert await serious_violations(page) == []

    unit = await Unit.select(Unit.id, Unit.code).where(Unit.occupancy == "occupied").order_by(Unit.code).first()
    await page.click("text=受理新工单")
    await page.fill("#owner-q", unit["code"])
    await page.click(f"[data-pick-unit='{unit['id']}']")
    assert "✔" in await page.inner_text("#chosen-unit")
    await page.select_option("select[name=kind]", "repair")
    await page.select_option("select[name=priority]", "urgent")
    await page.fill("textarea[name=description]", "厨房水管爆裂，水流到楼下")
    await screenshot(page, "desk-intake")
    await page.click("button:has-text('受理并生成工单')")
    await page.wait_for_url(url + "/desk/tickets/*")
    ticket_id = page.url.rsplit("/", 1)[1]
    assert "已受理" in await page.inner_text(".ticket-head")

    await page.fill("form.action input[name=assignee] >> nth=0", "工程部")
    for button, status in (("派单", "已派单"), ("开始处理", "处理中"), ("完工", "已完工")):
        if button == "完工":  # a repair is done only with the owner's signature on the 维修单
            await page.click(f"#ticket button[data-to]:has-text('{button}')")
            await page.wait_for_selector("#flash :text('维修完工须由业主签字确认')")
            await page.check("[data-owner-signed] input")
        await page.click(f"#ticket button[data-to]:has-text('{button}')")
        await page.wait_for_function(f"document.querySelector('.ticket-head').innerText.includes('{status}')")
    assert (await Ticket.select(Ticket.owner_signed).where(Ticket.id == ticket_id).first())["owner_signed"]
    await page.select_option("select[name=satisfaction]", "4")
    await page.fill(".callback input[name=note]", "业主表示满意")
    await page.click("button[data-action=callback]")
    await page.wait_for_function("document.querySelector('.ticket-head').innerText.includes('已回访')")
    assert await serious_violations(page) == []
    await screenshot(page, "desk-ticket")
    page.on("dialog", lambda dialog: dialog.accept())  # 确定关闭？ (closing cannot be undone)
    await page.click("#ticket button[data-to]:has-text('关闭工单')")  # no reason yet: refused
    await page.wait_for_selector("#flash :text('关闭工单请写明原因')")
    assert "/" not in await page.inner_text("#flash")  # one language
    await page.fill("[data-close-reason]", "回访满意，结案")
    await page.click("#ticket button[data-to]:has-text('关闭工单')")
    await page.wait_for_function("document.querySelector('.ticket-head').innerText.includes('已关闭')")
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    assert row["status"] == "closed" and row["assignee"] == "工程部" and row["satisfaction"] == 4
    timeline = await page.inner_text(".timeline")
    assert "业主表示满意" in timeline and "回访满意，结案" in timeline and timeline.count("状态变更") == 5
    assert await page.locator("#ticket form[action$='/assign'], #ticket form[action$='/note']").count() == 0


async def test_refused_transition_shows_its_message(live_server, seeded, desk_page) -> None:
    await load_demo()
    page, url = desk_page, live_server.url
    await log_in(page, url, "qiantai")
    ticket = await Ticket.select(Ticket.id).where(Ticket.status == "received").first()
    await page.goto(f"{url}/desk/tickets/{ticket['id']}")
    # a stale or tampered form asks for a move the lifecycle forbids
    await page.evaluate("document.querySelector('#ticket button[data-to]').value = 'called_back'")
    await page.click("#ticket button[data-to] >> nth=0")
    alert = page.locator("#flash [role=alert]")
    await alert.wait_for()
    assert "不能从“已受理”改为“已回访”" in await alert.inner_text()
    await screenshot(page, "desk-refused-transition")
    assert (await Ticket.select(Ticket.status).where(Ticket.id == ticket["id"]).first())["status"] == "received"


PAGES = ["tickets", "callbacks", "duplicates", "archive?q=1", "vacant", "patrols", "stewards",
         "conflicts", "escalations", "kpi"]


async def seed_phones_and_duplicates() -> None:
    """What the demo lacks for these pages: phones that synced, and two stewards reporting
    the same broken door."""
    stewards = await StaffUser.select(StaffUser.id).where(StaffUser.role == "steward").order_by(StaffUser.username)
    building = await Building.select(Building.id, Building.estate_id).first()  # rows carry the estate (issue 11)
    for n, steward in enumerate(stewards[:3]):
        await SyncDevice.insert(SyncDevice(
            id=new_id(), user_id=steward["id"], label=f"管家手机{n + 1}", credential_hash=f"{n}" * 64,
            last_push_at=ago(minutes=10 + 50 * n), last_pull_at=ago(minutes=9 + 50 * n),
            reported_pending=[0, 4, 0][n], app_version="1.0.0"))
        if n < 2:
            await Finding.insert(Finding(
                id=new_id(), version=1, building_id=building["id"], estate_id=building["estate_id"], floor="3",
                kind="public_damage",
                severity="high", description="3楼消防门闭门器损坏", occurred_at=ago(minutes=30 - 20 * n),
                steward_id=steward["id"], created_at=ago(minutes=30 - 20 * n)))


async def test_every_page_screenshot_and_axe(live_server, seeded, desk_page) -> None:
    await load_demo()
    await seed_phones_and_duplicates()
    page, url = desk_page, live_server.url
    await log_in(page, url, "jingli")
    problems = {}
    for name in PAGES:
        response = await page.goto(f"{url}/desk/{name}")
        assert response.status == 200, name
        found = await serious_violations(page)
        if found:
            problems[name] = found
        await screenshot(page, "desk-" + name.split("?")[0])
    # filters, tabs and pages swap the list in place, once
    await page.goto(f"{url}/desk/tickets")
    await page.select_option("select[name=kind]", "repair")
    await page.wait_for_url("**kind=repair**")
    await page.click("a[rel=next]")
    await page.wait_for_url("**after=**")
    assert await page.locator("#queue").count() == 1
    await page.click(".status-counts a:has-text('已派单')")
    await page.wait_for_url("**status=dispatched**")
    assert "after=" not in page.url and await page.locator("#queue").count() == 1
    assert await page.locator("#queue tbody tr").count() > 0
    unit = await Unit.select(Unit.id).where(Unit.occupancy == "occupied").first()
    await page.goto(f"{url}/desk/archive/units/{unit['id']}")
    await screenshot(page, "desk-archive-unit")
    await page.goto(f"{url}/desk/kpi")
    await page.wait_for_function("window.Chart && document.querySelector('#kpi-chart').width > 0")
    await screenshot(page, "desk-kpi")
    assert problems == {}


async def test_queue_updates_live_when_someone_syncs(live_server, seeded, desk_page) -> None:
    await load_demo()
    page, url = desk_page, live_server.url
    await log_in(page, url, "qiantai")
    await page.goto(url + "/desk/tickets?sort=newest")
    before = await page.get_attribute("#queue", "data-live-version")
    # another clerk (a second browser context = another session) opens a ticket meanwhile
    other = await page.context.browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    other_page = await other.new_page()
    await log_in(other_page, url, "qiantai2")
    await other_page.goto(url + "/desk/intake")
    await other_page.select_option("select[name=kind]", "inquiry")
    await other_page.fill("textarea[name=description]", "实时刷新测试：物业费怎么交")
    await other_page.click("button:has-text('受理并生成工单')")
    await other_page.wait_for_url(url + "/desk/tickets/*")
    await other.close()
    await page.wait_for_selector("text=实时刷新测试", timeout=15000)
    assert await page.get_attribute("#queue", "data-live-version") != before
