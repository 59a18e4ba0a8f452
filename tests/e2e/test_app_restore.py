"""The phone app after a server restore (docs/operations.md §5): the server is backed up
with `stewardsync backup`, the phone captures and syncs more, the server is restored from
the backup into a new data folder (`stewardsync restore`) and restarted on the same port.
The phone's next sync finds out that the server lost what it had acknowledged, re-sends
the mutations it retained (exactly once), re-uploads the photos the server lacks (one whose
record the backup lost, one whose record it kept without the bytes), and resyncs. A phone
enrolled after the backup is unknown to the restored server: the steward logs in again and
the phone re-sends everything from seq 1.

Also, app updates: a phone whose IndexedDB was written by the previous app version keeps
its outbox and photo when the app upgrades the database; and a new release deployed on the
server (a copy of the code with one app file changed, so its service worker has a new
version) installs on the phone without touching the outbox."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from server import db as database
from server.settings import Settings
from server.store.photo_store import stored_bytes
from server.tables import AppliedMutation, Attachment, Finding, PatrolRound, SyncDevice
from tests.e2e.conftest import ROOT, LiveServer
from tests.e2e.test_app_support import log_in, photo_png, saved, seed_world, shot, wait_synced
from tests.factories import PASSWORD


def stewardsync(data_dir: Path, *args: str) -> str:
    """Run the real command line against the SQLite database of ``data_dir``."""
    env = {**os.environ, "STEWARDSYNC_DATA_DIR": str(data_dir), "STEWARDSYNC_DATABASE_URL": ""}
    run = subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60) -> None:
    """Poll the server's database until ``check`` holds."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.3)


async def counts() -> tuple[int, int]:
    """(findings, attachments whose bytes are stored) on the server."""
    stored = await Attachment.count().where(Attachment.stored == True)  # noqa: E712 - a column comparison
    return await Finding.count(), stored


async def capture_finding(page, description: str, photo: bytes | None = None) -> None:
    """A parking finding in the open patrol round (started if none), optionally with a photo."""
    await page.click("[data-tab=today]")
    await page.wait_for_selector("[data-offline-ready]")
    await page.click("[data-tab=patrol]")
    await page.wait_for_selector("[data-start-round], [data-finding-form]")
    if await page.locator("[data-start-round]").count():
        await page.click("[data-start-round]")
        await saved(page)
        await page.wait_for_selector("[data-finding-form]")
    await page.select_option("[data-kind]", "parking")
    await page.fill("[data-description]", description)
    if photo is not None:
        await page.set_input_files("[data-photo-input]", {"name": "photo.png", "mimeType": "image/png", "buffer": photo})
        await page.wait_for_selector("img.thumb")
    await page.click("[data-finding-form] [data-save]")
    await saved(page)


async def phone_db(page, script: str):
    """Run ``script`` (a function body given ``db``, the app's IndexedDB) in the page."""
    return await page.evaluate("""async (script) => {
        const db = await new Promise((ok, fail) => { const r = indexedDB.open("stewardsync"); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
        const request = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
        try { return await (new Function("db", "request", `return (async () => { ${script} })();`))(db, request); } finally { db.close(); }
    }""", script)


@pytest.mark.parametrize("captured_while_down", [False, True], ids=["outbox-empty", "captured-while-down"])
async def test_a_restored_server_gets_back_what_the_phone_had_synced(
        live_server, seeded, page, tmp_path, captured_while_down) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])

    # 1. before the backup: a round and a finding with a photo; the finding is pushed, but
    #    the photo's bytes are still on the way (weak signal) when the backup is taken
    async def no_signal(route) -> None:
        await route.abort("connectionreset")

    await page.route("**/api/v1/attachments/*", lambda route: no_signal(route) if route.request.method == "PUT" else route.continue_())
    await capture_finding(page, "备份前：消防通道停了电动车", photo_png(1600, 1200))
    await eventually(lambda: _equals(counts(), (1, 0)), "the first finding on the server, its photo not yet")
    backup_file = tmp_path / "before.db"
    assert "backup written" in stewardsync(live_server.settings.data_dir, "backup", str(backup_file))
    await page.unroute("**/api/v1/attachments/*")

    # 2. after the backup: the first photo arrives; two more findings, one with a photo;
    #    the server acknowledges everything
    await capture_finding(page, "备份后：单元门口乱停共享单车", photo_png(1400, 1000))
    await capture_finding(page, "备份后：地库入口堆放杂物")
    await eventually(lambda: _equals(counts(), (3, 2)), "three findings and two photos on the server")
    await wait_synced(page)
    device = await SyncDevice.select().first()
    acknowledged = device["last_seq"]
    photos = {row["sha256"] for row in await Attachment.select(Attachment.sha256)}
    assert len(photos) == 2
    assert await phone_db(page, 'return await request(db.transaction("outbox").objectStore("outbox").count());') == 0
    retained = await phone_db(page, 'return await request(db.transaction("sent").objectStore("sent").getAllKeys());')
    assert retained == list(range(1, acknowledged + 1)), retained  # acknowledged, and still on the phone
    assert await page.get_attribute("[data-sync-badge]", "data-pending") == "0"  # …but never pending

    # 3. the server is lost; the backup is restored into a new folder and started on the same port
    live_server.stop()
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    restored_out = stewardsync(restored_dir, "restore", str(backup_file))
    assert "integrity check: ok" in restored_out, restored_out
    shutil.copy(live_server.settings.data_dir / "secret_key", restored_dir / "secret_key")
    if captured_while_down:  # the phone finds the server gone; the steward keeps working
        await page.click("[data-sync-badge]")
        await page.wait_for_selector("[data-banner=error]", timeout=45000)
        banner = await page.inner_text("[data-banner=error]")  # in the steward's words, no codes
        assert banner.startswith("同步失败：") and not any(c.isascii() and c.isalpha() for c in banner), banner
        await capture_finding(page, "停机时：楼道灯不亮")
        await page.wait_for_selector("[data-sync-badge][data-pending='1']")
    restored = LiveServer(restored_dir, {"STEWARDSYNC_DATABASE_URL": ""})
    restored.port, restored.url = live_server.port, live_server.url
    restored.start()
    engine = await database.connect(Settings(data_dir=restored_dir))
    try:
        assert await counts() == (1, 0), "the restored server lacks what came after the backup"
        assert (await SyncDevice.select().first())["last_seq"] < acknowledged

        # 4. the phone's next sync brings everything back
        await page.click("[data-sync-badge]")
        expected_findings = 4 if captured_while_down else 3
        await eventually(lambda: _equals(counts(), (expected_findings, 2)), "every finding and both photos back")
        await wait_synced(page)
        await page.wait_for_function("document.querySelector('[data-sync-badge]').dataset.state === 'ok'", timeout=45000)

        findings = await Finding.select(Finding.id, Finding.description)
        assert len(findings) == expected_findings
        assert all(n == 1 for n in Counter(f["id"] for f in findings).values()), findings
        assert await PatrolRound.count() == 1
        device = await SyncDevice.select().first()
        seqs = [row["seq"] for row in await AppliedMutation.select(AppliedMutation.seq).where(
            AppliedMutation.device_id == device["id"])]
        assert sorted(seqs) == list(range(1, device["last_seq"] + 1)), seqs  # each seq once, no gaps
        assert device["last_seq"] >= acknowledged
        # both photos: the one whose record the backup kept, and the one it lost with its record
        attachments = await Attachment.select(Attachment.sha256, Attachment.stored)
        assert sorted((a["sha256"], a["stored"]) for a in attachments) == sorted((sha, True) for sha in photos)
        for sha256 in photos:
            content = await stored_bytes(sha256)
            assert content is not None and hashlib.sha256(content).hexdigest() == sha256
        assert await page.locator("[data-banner=problems]").count() == 0
        assert await page.get_attribute("[data-sync-badge]", "data-pending") == "0"
        retained = await phone_db(page, 'return await request(db.transaction("sent").objectStore("sent").getAllKeys());')
        assert retained == list(range(1, device["last_seq"] + 1)), retained
        await page.click("[data-tab=records]")  # My records still lists every capture, synced
        await page.wait_for_selector("[data-collection=finding]")
        states = await page.eval_on_selector_all("[data-collection=finding]", "els => els.map(e => e.dataset.state)")
        assert states == ["synced"] * expected_findings, states
        await shot(page, "app-records-after-restore")
        assert "integrity check: ok" in stewardsync(restored_dir, "check")
    finally:
        restored.stop()
        await database.disconnect(engine)


async def test_a_phone_enrolled_after_the_backup_logs_in_again_and_sends_everything(
        live_server, seeded, page, tmp_path) -> None:
    """The restored server has never seen this phone: its credential is refused (401), the
    steward logs in again (a new enrolment starts at seq 0), and the phone re-sends all it
    retained, from seq 1, with the photo."""
    world = await seed_world()
    backup_file = tmp_path / "before-enrolment.db"
    stewardsync(live_server.settings.data_dir, "backup", str(backup_file))
    await log_in(page, live_server.url, world.stewards[0])
    await capture_finding(page, "登录后：楼顶天台门未锁", photo_png(1600, 1200))
    await eventually(lambda: _equals(counts(), (1, 1)), "the finding and its photo on the server")
    await wait_synced(page)
    acknowledged = (await SyncDevice.select().first())["last_seq"]

    live_server.stop()
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    stewardsync(restored_dir, "restore", str(backup_file))
    shutil.copy(live_server.settings.data_dir / "secret_key", restored_dir / "secret_key")
    restored = LiveServer(restored_dir, {"STEWARDSYNC_DATABASE_URL": ""})
    restored.port, restored.url = live_server.port, live_server.url
    restored.start()
    engine = await database.connect(Settings(data_dir=restored_dir))
    try:
        assert await counts() == (0, 0) and await SyncDevice.count() == 0
        await page.click("[data-sync-badge]")
        await page.wait_for_selector("[data-banner=relogin]", timeout=45000)
        await page.click("[data-banner=relogin] button")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("form[data-login] button[type=submit]")
        await eventually(lambda: _equals(counts(), (1, 1)), "the finding and its photo back")
        await wait_synced(page)
        device = await SyncDevice.select().first()
        seqs = sorted(row["seq"] for row in await AppliedMutation.select(AppliedMutation.seq))
        assert seqs == list(range(1, acknowledged + 1)) and device["last_seq"] == acknowledged, seqs
        assert await PatrolRound.count() == 1
        assert (await Finding.select().first())["description"] == "登录后：楼顶天台门未锁"
        assert "integrity check: ok" in stewardsync(restored_dir, "check")
    finally:
        restored.stop()
        await database.disconnect(engine)


async def _equals(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


OLD_SCHEMAS = {
    1: """  // the schema of app version 1 (store.js): no retention, an index on collection
        d.createObjectStore("meta");
        d.createObjectStore("records", { keyPath: ["collection", "id"] }).createIndex("collection", "collection");
        d.createObjectStore("outbox", { keyPath: "seq" }).createIndex("record", ["collection", "id"]);
        d.createObjectStore("blobs", { keyPath: "sha256" });""",
    5: """  // the schema of app version 5: one index per feature field, `by.<field>` on [collection, ix.<field>]
        d.createObjectStore("meta");
        const records = d.createObjectStore("records", { keyPath: ["collection", "id"] });
        records.createIndex("mine", "mine");
        for (const field of ["round_id", "unit_id", "ticket_id"]) records.createIndex(`by.${field}`, ["collection", `ix.${field}`]);
        d.createObjectStore("outbox", { keyPath: "seq" }).createIndex("record", ["collection", "id"]);
        d.createObjectStore("sent", { keyPath: "seq" }).createIndex("blob", "blob_refs", { multiEntry: true });
        const blobs = d.createObjectStore("blobs", { keyPath: "sha256" });
        blobs.createIndex("unsent", "unsent");
        blobs.createIndex("refused", "refused");""",
}
"""How each earlier app version's database was made (``store.js`` then)."""

OLD_DATABASE = """
    const deviceId = crypto.randomUUID();
    const answer = await (await fetch("/api/v1/devices/enrol", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: args.username, password: args.password, device_id: deviceId, label: "old app" }) })).json();
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open("stewardsync", args.version);
      r.onupgradeneeded = () => {
        const d = r.result;
        SCHEMA
      };
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const bytes = Uint8Array.from(atob(args.photo), (c) => c.charCodeAt(0)).buffer;
    const sha256 = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
    const user = answer.user;
    const round = crypto.randomUUID(), finding = crypto.randomUUID(), attachment = crypto.randomUUID();
    const now = new Date().toISOString();
    const stamp = (n) => `${now}/000${n}/old`;
    const mutations = [
      { op: "create", seq: 1, collection: "patrol_round", id: round, fields: { steward_id: user.user_id, started_at: now, status: "open",
        covered_building_ids: user.building_ids, notes: "" }, hlc: stamp(1), client_time: now },
      { op: "create", seq: 2, collection: "finding", id: finding, fields: { round_id: round, steward_id: user.user_id, building_id: user.building_ids[0],
        floor: null, area: null, unit_id: null,
        ticket_id: null, kind: "parking", severity: "medium", description: "旧版本记录的发现", occurred_at: now }, hlc: stamp(2), client_time: now },
      { op: "create", seq: 3, collection: "attachment", id: attachment, fields: { sha256, parent_collection: "finding", parent_id: finding,
        kind: "photo", mime: "image/png", size: bytes.byteLength }, hlc: stamp(3), client_time: now },
    ];
    const tx = db.transaction(["meta", "records", "outbox", "blobs"], "readwrite");
    tx.objectStore("meta").put(deviceId, "device_id");
    tx.objectStore("meta").put(4, "next_seq");
    tx.objectStore("meta").put({ token: answer.token, expires_at: answer.expires_at, user, device_id: deviceId }, "session");
    for (const m of mutations) {
      tx.objectStore("outbox").put(m);
      tx.objectStore("records").put({ collection: m.collection, id: m.id, server: null, data: { ...m.fields, id: m.id }, state: "pending",
        reason: null, conflict_ids: [], touched_at: now, ...(args.version === 1 ? { mine: true } : {
          mine: 1, ix: m.collection === "finding" ? { round_id: round } : null }) });
    }
    tx.objectStore("blobs").put({ sha256, bytes, mime: "image/png", size: bytes.byteLength, uploaded: false,
      ...(args.version === 1 ? {} : { unsent: 1 }) });
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
    return { finding, round, sha256 };
"""


@pytest.mark.parametrize("old_version", sorted(OLD_SCHEMAS))
async def test_an_app_update_keeps_the_outbox_and_photos_of_the_previous_database(
        live_server, seeded, page, old_version: int) -> None:
    """An earlier app version (IndexedDB version 1, no retention; version 5, one index per
    feature field) left an outbox and a photo on the phone; the updated app upgrades the
    database in place, finds the old records through its index and sends them."""
    import base64

    world = await seed_world()
    await page.goto(live_server.url + "/health")  # same origin, before the app ever ran
    photo = photo_png(64, 48)
    script = OLD_DATABASE.replace("SCHEMA", OLD_SCHEMAS[old_version])
    made = await page.evaluate(f"async (args) => {{ {script} }}",
                               {"version": old_version, "username": world.stewards[0], "password": PASSWORD,
                                "photo": base64.b64encode(photo).decode()})
    await page.goto(live_server.url + "/app/")
    await page.wait_for_selector("[data-offline-ready]")
    await eventually(lambda: _equals(counts(), (1, 1)), "the old outbox and photo on the server")
    await wait_synced(page)
    finding = await Finding.select().where(Finding.id == made["finding"]).first()
    assert finding["description"] == "旧版本记录的发现"
    assert await stored_bytes(made["sha256"]) == photo
    version, indexes = await page.evaluate("""() => new Promise((ok) => { const r = indexedDB.open("stewardsync"); r.onsuccess = () => {
        ok([r.result.version, [...r.result.transaction("records").objectStore("records").indexNames]]); r.result.close(); }; })""")
    # the current schema version: 6 since the features' fields are one multi-entry index
    # `by` (was one index per field, `by.<field>`); 5 since my entries are an index of their
    # own (`mine: 1`); 4 since issue 19 (a collection is a key range, no index on it); 3
    # since issue 11 made the features' record indexes, which this upgrade also made and filled
    assert version == 6
    assert sorted(indexes) == ["by", "mine"], indexes
    by = await phone_db(page, f"""return await request(db.transaction("records").objectStore("records").index("by")
        .getAllKeys(["finding", "round_id", {json.dumps(made["round"])}]));""")
    assert by == [["finding", made["finding"]]], by  # the old finding, found by its round through the new index
    mine = await phone_db(page, 'return await request(db.transaction("records").objectStore("records").index("mine").getAllKeys());')
    assert sorted(key[0] for key in mine) == ["attachment", "finding", "patrol_round"], mine  # the old `mine: true`
    retained = await phone_db(page, 'return await request(db.transaction("sent").objectStore("sent").getAllKeys());')
    assert retained == [1, 2, 3]


def deploy_release(target: Path) -> Path:
    """A new release of the code in ``target``: the same server, one app file changed (so the
    service worker the server stamps from the app's files gets a new version)."""
    for package in ("server", "sync", "schemas"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("static", "i18n", "templates"):
        shutil.copytree(ROOT / "web" / part, target / "web" / part)
    (target / "web" / "node_modules").symlink_to(ROOT / "web" / "node_modules")
    css = target / "web" / "static" / "app" / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + "/* release 2 */\n", encoding="utf-8")
    return target


def serve_release(release: Path, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """Start the release on ``port`` with the data folder the previous release used."""
    log = data_dir / "release.log"
    env = {**os.environ, "STEWARDSYNC_DATA_DIR": str(data_dir), "STEWARDSYNC_DATABASE_URL": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"], cwd=release, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"release did not start: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)


WORKER_CACHES = "async () => (await caches.keys()).filter((k) => k.startsWith('stewardsync-app-'))"


async def test_a_new_app_release_installs_and_keeps_the_outbox(live_server, seeded, page, tmp_path) -> None:
    world = await seed_world()
    await log_in(page, live_server.url, world.stewards[0])
    [old_cache] = await page.evaluate(WORKER_CACHES)

    async def weak_signal(route) -> None:  # pushes do not get through while the update arrives
        await route.abort("connectionreset")

    await page.route("**/api/v1/sync/push", weak_signal)
    await capture_finding(page, "更新前记录：电梯按钮失灵")
    await page.wait_for_selector("[data-sync-badge][data-pending='3']")

    live_server.stop()  # release 2 replaces release 1 on the same port and database
    release = serve_release(deploy_release(tmp_path / "release-2"), live_server.settings.data_dir, live_server.port)
    try:
        await page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        deadline = time.monotonic() + 45
        while (caches := await page.evaluate(WORKER_CACHES)) == [old_cache] or len(caches) != 1:
            assert time.monotonic() < deadline, f"the new worker did not take over: {caches}"
            await asyncio.sleep(0.2)  # installed (its cache filled), then activated (the old cache gone)
        await page.reload()  # the steward opens the app again: release 2's files, from its cache
        await page.wait_for_selector("[data-finding-form]")
        css = await page.evaluate("async () => (await fetch('/static/app/app.css')).text()")
        assert css.rstrip().endswith("/* release 2 */")
        await page.wait_for_selector("[data-sync-badge][data-pending='3']")  # the outbox survived
        assert await phone_db(page, 'return await request(db.transaction("outbox").objectStore("outbox").getAllKeys());') == [1, 2, 3]
        assert await Finding.count() == 0

        await page.unroute("**/api/v1/sync/push")
        await page.click("[data-sync-badge]")
        await wait_synced(page)
        await eventually(lambda: _equals(counts(), (1, 0)), "the finding captured before the update")
        finding = await Finding.select().first()
        assert finding["description"] == "更新前记录：电梯按钮失灵"
        seqs = sorted(row["seq"] for row in await AppliedMutation.select(AppliedMutation.seq))
        assert seqs == [1, 2, 3], seqs
    finally:
        release.terminate()
        try:
            release.wait(10)
        except subprocess.TimeoutExpired:
            release.kill()
