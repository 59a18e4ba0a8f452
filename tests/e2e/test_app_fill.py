"""The phone's first fill of its cache (issue 19): pages are asked for one ahead of the one
being written, yet each page is stored with its cursor in one transaction, so a fill cut
off mid-page resumes from the last stored page with nothing lost or doubled."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from tests.e2e.test_app_restore import phone_db
from tests.e2e.test_app_support import seed_world
from tests.factories import PASSWORD

LIMIT = 3  # records per page here, so that a small estate takes many pages


async def until(check: Callable[[], bool], what: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.1)


async def test_a_fill_cut_off_mid_page_resumes_from_the_last_stored_page(live_server, seeded, page) -> None:
    world = await seed_world()
    served: list[dict[str, Any]] = []  # every pull answered: the cursor sent, the one answered, the ids
    signal = {"on": True}  # off after page 4: the phone loses its signal

    async def small_pages(route) -> None:
        body = json.loads(route.request.post_data)
        if len(served) >= 4 and not signal["on"]:
            await route.abort("connectionreset")
            return
        body["limit"] = LIMIT
        response = await route.fetch(post_data=json.dumps(body))
        answer = await response.json()
        ids = [(c, r["id"]) for c, rows in answer["records"].items() for r in rows]
        served.append({"sent": body["cursor"], "answered": answer["cursor"], "ids": ids, "more": answer["more"]})
        if len(served) == 4:
            signal["on"] = False
        if len(served) == 3:
            # a row IndexedDB cannot key: writing page 3 fails while page 4 is on its way
            answer["records"].setdefault("finding", []).append({"id": None, "version": 1})
        await route.fulfill(response=response, json=answer)

    await page.route("**/api/v1/sync/pull", small_pages)
    await page.goto(live_server.url + "/app/")
    await page.fill("input[name=username]", world.stewards[0])
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[data-login] button[type=submit]")
    await page.wait_for_selector("[data-sync-badge][data-state=error]", timeout=30000)
    await until(lambda: len(served) >= 4, "page 4, asked for while page 3 was written")

    # pages 1 and 2 are stored with page 2's cursor; page 3 (refused) and page 4 (asked for
    # ahead, and answered) are not
    assert served[3]["sent"] == served[2]["answered"], served  # page 4 was asked for before page 3 was written
    stored = await phone_db(page, """
        const tx = db.transaction(["records", "meta"]);
        return { keys: await request(tx.objectStore("records").getAllKeys()),
                 cursor: await request(tx.objectStore("meta").get("cursor")) };""")
    assert stored["cursor"] == served[1]["answered"]
    assert sorted(map(tuple, stored["keys"])) == sorted(served[0]["ids"] + served[1]["ids"])

    # the app starts again (as after a crash) with signal: it resumes from page 2's cursor
    signal["on"] = True
    await page.reload()
    await until(lambda: len(served) > 4 and not served[-1]["more"], "the last page after the restart")
    last, deadline = served[-1]["answered"], time.monotonic() + 45
    while await phone_db(page, 'return await request(db.transaction("meta").objectStore("meta").get("cursor"));') != last:
        assert time.monotonic() < deadline, "the last page's cursor was never stored"
        await asyncio.sleep(0.2)
    resumed = served[4]
    assert resumed["sent"] == served[1]["answered"], served
    assert not served[-1]["more"]
    every = {key for answer in served for key in answer["ids"]}  # the scope, as the server sent it
    keys = await phone_db(page, 'return await request(db.transaction("records").objectStore("records").getAllKeys());')
    assert len(keys) == len(set(map(tuple, keys)))
    assert sorted(map(tuple, keys)) == sorted(every), "the replica is not the scope the server sent"
