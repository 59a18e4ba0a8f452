"""Helpers of the phone-app browser tests (no tests here): seeding through the real merge,
waiting for the service worker and for sync, reading the server's rows."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from schemas.sync import Create, Update
from server import sync_service
from server.store import staff
from tests.factories import PASSWORD, SmallEstate, make_estate, make_user, new_id


class AppWorld:
    """An estate, a steward (or two) for it, a desk clerk, and tickets the desk opened."""

    def __init__(self, estate: SmallEstate, stewards: list[str], desk: str, done_ticket: str, open_ticket: str):
        self.estate = estate
        self.stewards = stewards
        self.desk = desk
        self.done_ticket = done_ticket
        self.open_ticket = open_ticket


async def seed_world(stewards: int = 1) -> AppWorld:
    estate = await make_estate(buildings=2, units_per_building=4)
    names = []
    for _ in range(stewards):
        username = f"steward_{new_id()[-8:]}"
        await make_user("steward", estate.building_ids, username=username)
        names.append(username)
    desk_name = f"desk_{new_id()[-8:]}"
    desk_id = await make_user("desk", username=desk_name)
    desk = await staff.principal_of(desk_id)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    done_ticket, open_ticket = new_id(), new_id()
    seq = iter(range(1, 100))
    mutations: list[Any] = [
        Create(seq=next(seq), collection="ticket", id=done_ticket, fields={
            "kind": "repair", "title": "厨房水龙头漏水", "unit_id": unit, "description": "业主来电报修"}),
        Create(seq=next(seq), collection="ticket", id=open_ticket, fields={
            "kind": "complaint", "title": "楼道灯不亮", "unit_id": unit, "priority": "normal"}),
    ]
    statuses = ["received", "dispatched", "in_progress", "done"]
    for before, after in zip(statuses, statuses[1:]):
        signed = {"owner_signed": True} if after == "done" else {}  # a repair is done once the owner signed
        mutations.append(Update(seq=next(seq), collection="ticket", id=done_ticket, base_version=0,
                                base={"status": before, **({"owner_signed": False} if signed else {})},
                                changes={"status": after, **signed}))
    if stewards:  # the desk plans a routine visit for the first steward
        steward = await staff.user_by_username(names[0])
        mutations.append(Create(seq=next(seq), collection="visit", id=new_id(), fields={
            "unit_id": estate.unit_ids[estate.building_ids[1]][0], "purpose": "routine", "status": "planned",
            "steward_id": steward["id"], "appointment_at": "2026-11-23T02:00:00.000Z"}))
    results = await sync_service.apply_desk_mutations(desk, mutations)
    assert all(r.status == "applied" for r in results), results
    return AppWorld(estate, names, desk_name, done_ticket, open_ticket)


def photo_png(width: int = 1600, height: int = 1200) -> bytes:
    """A camera-sized PNG (stripes), made quickly: larger than the app's 1280 px limit."""
    row = bytearray([0])
    for x in range(width):
        row.extend((200, 80, 40) if (x // 80) % 2 else (40, 120, 200))
    raw = bytes(row) * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


async def log_in(page, base_url: str, username: str) -> None:
    """Open the app online, log in, and wait until the worker controls it and data is cached."""
    await page.goto(base_url + "/app/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[data-login] button[type=submit]")
    await page.wait_for_selector("[data-offline-ready]")
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=45000)
    await page.reload()
    await page.wait_for_selector("[data-offline-ready=yes]", timeout=45000)


async def wait_synced(page, timeout: int = 45000) -> None:
    """Until the outbox is empty and nothing is uploading."""
    await page.wait_for_selector("[data-sync-badge][data-pending='0']:not([data-state=running])", timeout=timeout)


async def saved(page) -> None:
    """Until the app says 已保存 (and fail at once with its words if it says the save failed)."""
    flash = await page.wait_for_selector("[data-flash-text]", timeout=20000)
    assert await flash.get_attribute("class") == "flash-ok", await flash.text_content()
    await page.evaluate("document.querySelector('[data-flash]').replaceChildren()")


async def shot(page, name: str) -> None:
    """A full-page screenshot from the top (so the sticky header sits where a phone shows it)."""
    from tests.e2e.conftest import screenshot

    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, name)
