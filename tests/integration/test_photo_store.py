"""The photo store chosen by STEWARDSYNC_PHOTO_STORE (files or database), on both engines:
one write per hash, no half-written file served, a backup taken during uploads restores
consistent, and `stewardsync photos move` both ways (idempotent, resumable)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from server.clock import iso_in
from server.ops.backup import backup
from server.ops.integrity import run_check
from server.ops.photos import backup_folder, move_photos, sweep_orphan_files
from server.settings import Settings, SettingsError, load_settings
from server.store import attachments, photo_store
from server.store.photo_store import DatabaseStore, FileStore
from server.store.sync_storage import read_snapshot, write_transaction
from tests.integration.test_ops_backup import empty_target  # noqa: F401 - a fixture
from tests.integration.test_sync_support import both_photo_stores  # noqa: F401 - every test on both stores
from tests.integration.test_sync_support import estate_and_phone, jpeg, sha, steward_phone, table_counts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(settings: Settings) -> str:
    """The photo store of the test (each test runs on both: ``both_photo_stores``)."""
    return settings.photo_store


def photo(n: int, size: int = 2000) -> bytes:
    return jpeg(n.to_bytes(4, "big") * (size // 4))


async def put(phone, content: bytes, **headers: str):
    return await phone.client.put(f"/api/v1/attachments/{sha(content)}", content=content,
                                  headers={**phone.headers, **headers})


async def put_in_two(phone, content: bytes) -> None:
    """A resumable upload: two chunks."""
    half, total, url = len(content) // 2, len(content), f"/api/v1/attachments/{sha(content)}"
    first = await phone.client.put(url, content=content[:half], headers={
        **phone.headers, "content-range": f"bytes 0-{half - 1}/{total}"})
    assert first.status_code == 202, first.text
    rest = await phone.client.put(url, content=content[half:], headers={
        **phone.headers, "content-range": f"bytes {half}-{total - 1}/{total}"})
    assert rest.status_code == 201, rest.text


async def where_held(sha256: str, settings: Settings) -> tuple[bool, bool]:
    """(in the database, in a file)."""
    async with read_snapshot() as conn:
        in_db = await DatabaseStore().has(conn, sha256)
    return in_db, FileStore(settings.photos_dir).path(sha256).exists()


async def age(shas: list[str], days: float) -> None:
    async with write_transaction() as conn:
        for digest in shas:
            await conn.execute("UPDATE attachment_blob SET created_at = ? WHERE sha256 = ?",
                               iso_in(timedelta(days=-days)), digest)


def stewardsync(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARDSYNC_")}
    env |= {"STEWARDSYNC_DATA_DIR": str(settings.data_dir), "STEWARDSYNC_SECRET_KEY": "test-secret",
            "STEWARDSYNC_PHOTO_STORE": settings.photo_store, "PYTHONPATH": str(ROOT)}
    if settings.database_url:
        env["STEWARDSYNC_DATABASE_URL"] = settings.database_url
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


async def test_bytes_are_written_once_per_hash(client, settings: Settings, store: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[str] = []
    kind = type(photo_store.chosen())
    assert kind is (FileStore if store == "files" else DatabaseStore)
    original = kind.put

    async def counting(self, conn, sha256: str, content: bytes) -> bool:
        written = await original(self, conn, sha256, content)
        if written:
            writes.append(sha256)
        return written

    monkeypatch.setattr(kind, "put", counting)
    estate, first = await estate_and_phone(client)
    second = await steward_phone(client, estate.building_ids[:1])
    content = photo(1)
    assert (await put(first, content)).status_code == 201
    assert (await put(first, content)).status_code == 200  # a retry
    await put_in_two(second, content)  # another phone, another user, in chunks: stored as its upload too
    both = await asyncio.gather(*(put(p, photo(2)) for p in (first, second, first)))
    assert all(r.status_code in (200, 201) for r in both), [r.text for r in both]
    assert sorted(writes) == sorted([sha(content), sha(photo(2))])
    assert (await table_counts("attachment_blob"))["attachment_blob"] == 2
    in_db, in_file = await where_held(sha(content), settings)
    assert (in_db, in_file) == ((False, True) if store == "files" else (True, False))
    for phone in (first, second):
        got = await client.get(f"/api/v1/attachments/{sha(content)}", headers=phone.headers)
        assert got.status_code == 200 and got.content == content


async def test_a_half_written_file_is_never_served(client, settings: Settings, store: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if store != "files":
        pytest.skip("files only")
    _, phone = await estate_and_phone(client)
    content = photo(3)
    files = FileStore(settings.photos_dir)

    def disk_fails(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_fails)  # the write stops before the rename
    failed = await put(phone, content)
    assert failed.status_code == 507 and failed.json()["code"] == "storage_full", failed.text
    monkeypatch.undo()
    assert not files.path(sha(content)).exists()
    assert list(files.files()) == []  # no temporary file left behind either
    assert (await table_counts("attachment_blob"))["attachment_blob"] == 0
    assert (await client.get(f"/api/v1/attachments/{sha(content)}", headers=phone.headers)).status_code == 404

    # A torn file under a hash's name (a disk fault, a bad copy) is not served either ...
    assert (await put(phone, content)).status_code == 201
    files.path(sha(content)).write_bytes(content[: len(content) // 2])
    assert (await client.get(f"/api/v1/attachments/{sha(content)}", headers=phone.headers)).status_code == 404
    # ... and uploading the photo again repairs it.
    assert (await put(phone, content)).status_code == 201
    got = await client.get(f"/api/v1/attachments/{sha(content)}", headers=phone.headers)
    assert got.status_code == 200 and got.content == content


async def test_restore_of_a_backup_taken_during_uploads_passes_the_check(
        client, settings: Settings, empty_target: Settings, tmp_path: Path) -> None:  # noqa: F811
    _, phone = await estate_and_phone(client)
    target = empty_target.with_(photo_store=settings.photo_store)
    uploaded: list[bytes] = []
    stop = asyncio.Event()

    async def keep_uploading() -> None:
        n = 100
        while not stop.is_set():
            n += 1
            content = photo(n, size=60_000)
            await put_in_two(phone, content)
            uploaded.append(content)

    uploads = asyncio.create_task(keep_uploading())
    while len(uploaded) < 5:
        await asyncio.sleep(0.01)
    await age([sha(c) for c in uploaded[:3]], days=2)  # the purge has work: it must not race the backup
    path = tmp_path / "during-uploads.backup"
    copying = asyncio.create_task(asyncio.to_thread(backup, settings, path))
    purged = 0
    while not copying.done():
        purged += (await attachments.purge_unreferenced()).blobs
        await asyncio.sleep(0.01)
    info = await copying
    during = len(uploaded)
    while len(uploaded) < during + 3:  # uploads went on during and after the backup
        await asyncio.sleep(0.01)
    stop.set()
    await uploads
    if settings.resolved_photo_store == "files":
        assert info.photos >= 5 and backup_folder(path).is_dir()
    else:
        assert info.photos == 0 and not backup_folder(path).exists()

    restored = await asyncio.to_thread(stewardsync, target, "restore", str(path))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "integrity check: ok" in restored.stdout
    checked = await asyncio.to_thread(stewardsync, target, "check", "--verify-photos")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    photos = int(checked.stdout.split(" photos,")[0].rsplit("(", 1)[-1].rsplit(", ", 1)[-1])
    assert 2 <= photos <= len(uploaded) and purged <= 3


async def test_move_both_ways_idempotent_and_resumable(client, settings: Settings, store: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if store != "database":
        pytest.skip("starts from the database store")
    _, phone = await estate_and_phone(client)
    contents = [photo(n) for n in range(7)]
    for content in contents:
        assert (await put(phone, content)).status_code == 201

    async def all_served() -> None:
        for content in contents:
            got = await client.get(f"/api/v1/attachments/{sha(content)}", headers=phone.headers)
            assert got.status_code == 200 and got.content == content

    # Interrupted half-way (the disk fails on the 4th file) ...
    real_write, calls = FileStore.write, []

    def failing_write(self, sha256: str, content: bytes) -> bool:
        calls.append(sha256)
        if len(calls) == 4:
            raise OSError(5, "I/O error")
        return real_write(self, sha256, content)

    monkeypatch.setattr(FileStore, "write", failing_write)
    with pytest.raises(OSError):
        await move_photos(settings.photos_dir, "files", batch=2)
    monkeypatch.undo()
    await all_served()  # every photo readable mid-move
    held = [await where_held(sha(c), settings) for c in contents]
    assert sum(in_file and not in_db for in_db, in_file in held) == 2  # the first batch moved
    # ... and resumed: the rest moves, each exactly once.
    moved = await move_photos(settings.photos_dir, "files", batch=2)
    assert (moved.moved, moved.unreadable) == (5, [])
    assert all(h == (False, True) for h in [await where_held(sha(c), settings) for c in contents])
    assert (await move_photos(settings.photos_dir, "files")).moved == 0  # idempotent
    await all_served()

    # Back to the database, through the command line.
    done = await asyncio.to_thread(stewardsync, settings.with_(photo_store="database"),
                                   "photos", "move", "--to", "database")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "moved 7 photo(s) to database" in done.stdout
    assert all(h == (True, False) for h in [await where_held(sha(c), settings) for c in contents])
    assert list(FileStore(settings.photos_dir).names()) == []
    again = await asyncio.to_thread(stewardsync, settings, "photos", "move", "--to", "database")
    assert again.returncode == 0 and "moved 0 photo(s)" in again.stdout
    await all_served()
    checked = await asyncio.to_thread(stewardsync, settings, "check", "--verify-photos")
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_the_purge_drops_the_bytes_and_waits_for_a_backup(client, settings: Settings, store: str) -> None:
    _, phone = await estate_and_phone(client)
    old, fresh = photo(20), photo(21)
    for content in (old, fresh):
        assert (await put(phone, content)).status_code == 201
    await age([sha(old)], days=2)
    with photo_store.backup_running(settings.photos_dir):  # a backup copying files: no deletion now
        assert (await attachments.purge_unreferenced()).blobs == 0
    assert (await attachments.purge_unreferenced()).blobs == 1
    assert await where_held(sha(old), settings) == (False, False)
    assert await where_held(sha(fresh), settings) == ((False, True) if store == "files" else (True, False))


async def test_orphan_files_are_swept_when_old_and_unnamed(client, settings: Settings, store: str) -> None:
    if store != "files":
        pytest.skip("files only")
    _, phone = await estate_and_phone(client)
    named = photo(30)
    assert (await put(phone, named)).status_code == 201
    files = FileStore(settings.photos_dir)
    orphan, young = photo(31), photo(32)  # written by uploads whose transaction then failed
    files.write(sha(orphan), orphan)
    files.write(sha(young), young)
    torn = files.path(sha(orphan)).with_name(f".{sha(orphan)}.dead{photo_store.TEMP_SUFFIX}")
    torn.write_bytes(orphan[:10])
    two_days_ago = time.time() - 2 * 86400
    for path in (files.path(sha(orphan)), files.path(sha(named)), torn):
        os.utime(path, (two_days_ago, two_days_ago))
    with photo_store.backup_running(settings.photos_dir):
        assert await sweep_orphan_files(files) == 0
    assert await sweep_orphan_files(files) == 2  # the old orphan and the torn temporary file
    assert sorted(files.names()) == sorted([sha(named), sha(young)])
    assert not torn.exists()
    checked = await run_check()
    assert checked.ok and checked.counts["photo files no row names"] == 1  # the young one: not a problem


async def test_the_integrity_check_finds_missing_and_damaged_photos(client, settings: Settings, store: str) -> None:
    _, phone = await estate_and_phone(client)
    lost, damaged = photo(40), photo(41)
    for content in (lost, damaged):
        assert (await put(phone, content)).status_code == 201
    async with write_transaction() as conn:
        await photo_store.chosen().delete(conn, [sha(lost)])
        if store == "database":
            await conn.execute("UPDATE attachment_blob SET content = ? WHERE sha256 = ?",
                               damaged[:-1] + b"\x00", sha(damaged))
    if store == "files":
        FileStore(settings.photos_dir).path(sha(damaged)).write_bytes(damaged[:-1] + b"\x00")
    quick = await run_check()
    assert [p.code for p in quick.problems] == ["photo_missing"]
    deep = await run_check(verify_photos=True)
    assert sorted(p.code for p in deep.problems) == ["photo_damaged", "photo_missing"]


def test_the_setting_takes_files_or_database_only() -> None:
    assert load_settings({}).resolved_photo_store == "files"
    assert load_settings({"STEWARDSYNC_DATABASE_URL": "postgresql://u@h/db"}).resolved_photo_store == "database"
    assert load_settings({"STEWARDSYNC_PHOTO_STORE": "files",
                          "STEWARDSYNC_DATABASE_URL": "postgresql://u@h/db"}).resolved_photo_store == "files"
    with pytest.raises(SettingsError, match="STEWARDSYNC_PHOTO_STORE"):
        load_settings({"STEWARDSYNC_PHOTO_STORE": "s3"})
