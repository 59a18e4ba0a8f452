"""Photos and signatures: content-addressed bytes, indexed by ``attachment_blob`` and kept in
the photo store the settings choose (``server.store.photo_store``: files or the database).

Uploads are resumable: each chunk is kept in ``upload_part`` (per uploader: a phone resumes
only its own parts) until the last one arrives; then the whole is checked against its
sha256 and its type (by magic bytes), stored once (its bytes put in the photo store, then
its ``attachment_blob`` row: both inside the write transaction, so a row never names bytes
that are not written; a file written by a transaction that then fails is an orphan the
``purge`` command sweeps), the uploader is noted in
``attachment_upload``, and every attachment record naming it is marked ``stored`` through a
normal write (a new version and a change_log row) so that phones see it on their next pull.

Knowing a hash grants nothing (issue 14): a caller sees stored bytes (GET, HEAD, a PUT's
answer) only if a record in its scope names them or its user uploaded them; for anyone else
they do not exist, and sending them is an upload like any other (the bytes prove
themselves). Which records may name stored bytes is the sync merge's decision
(``sync.specs.attachments.may_point_at``). A phone's uploads that no record names are held
to a quota (``upload_quota_bytes``) and purged after a day (the timed job ``photo_purge``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from typing import Any

import msgspec

from server import jobs
from server.clock import iso_in
from server.errors import ApiError
from server.store import photo_store
from server.store.photo_store import length_sql
from server.store.scoping import scope_sql, with_row_filter
from server.store.sync_storage import Conn, load_rows, lock_clock, read_snapshot, write_records, write_transaction
from sync.policy import readable_fields
from sync.specs.attachments import BYTES_FIELDS
from sync.storage import Actor, RecordWrite

log = logging.getLogger("stewardsync.attachments")

UNREFERENCED_DAYS = 1  # an upload no record names is kept this long, then purged
PURGE_EVERY_SECONDS = 3600

SHA256 = re.compile(r"^[0-9a-f]{64}$")

MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),  # RIFF....WEBP
)


class Upload(msgspec.Struct, kw_only=True):
    offset: int  # bytes received so far (the size when complete)
    complete: bool
    created: bool = False  # this call stored the blob


def sniff(head: bytes) -> str | None:
    """The mime type by magic bytes (JPEG, PNG, WebP), or None."""
    for magic, at, mime in MAGIC:
        if head[at:at + len(magic)] == magic and (mime != "image/webp" or head[:4] == b"RIFF"):
            return mime
    return None


def check_sha(sha256: str) -> None:
    if not SHA256.match(sha256):
        raise ApiError(400, "invalid_sha256", "附件地址须为64位小写十六进制 sha256 / the address must be "
                       "a lowercase hex sha256 (64 characters)", {"sha256": sha256})


def uploader_of(actor: Actor) -> str:
    """Who sends bytes: ``device:<id>`` for a phone, ``user:<id>`` for a desk session."""
    return f"device:{actor.device_id}" if actor.device_id is not None else f"user:{actor.user_id}"


async def received(actor: Actor, sha256: str) -> Upload | None:
    """How much of an upload the server holds, as ``actor`` may know it (HEAD): a stored
    blob it may see, else its own upload in progress; None when it has neither (as GET)."""
    async with read_snapshot() as conn:
        size = await _visible_size(conn, actor, sha256)
        if size is not None:
            return Upload(offset=size, complete=True)
        offset = await _parts_offset(conn, sha256, uploader_of(actor))
    return Upload(offset=offset, complete=False) if offset else None


async def _visible_size(conn: Conn, actor: Actor, sha256: str) -> int | None:
    """The size of a stored blob ``actor`` may see: a record in its scope names it, or its
    user uploaded it. None otherwise (missing, or someone else's out of its scope)."""
    row = await conn.fetchrow("SELECT size FROM attachment_blob WHERE sha256 = ?", sha256)
    if row is None:
        return None
    where, params = scope_sql(actor.scope())
    arms, args = [], []
    for collection, field in BYTES_FIELDS.items():
        if readable_fields(actor.role, collection) is None:
            continue  # a collection the role does not read (an engineer: visits' signatures)
        arm, arm_args = with_row_filter(actor.role, collection, f'"{field}" = ? AND deleted = ? AND {where}',
                                        [sha256, False, *params])
        arms.append(f'SELECT 1 FROM "{collection}" WHERE {arm}')
        args.extend(arm_args)
    named = "".join(f" UNION ALL {arm}" for arm in arms)
    seen = await conn.fetchrow(
        f"SELECT 1 FROM attachment_upload WHERE sha256 = ? AND user_id = ?{named}",
        sha256, actor.user_id, *args)
    return int(row[0]) if seen is not None else None


async def _parts_offset(conn: Conn, sha256: str, uploader: str) -> int:
    """Bytes of ``uploader``'s upload of ``sha256`` received in order so far."""
    offset = 0
    for start, length in await conn.fetch(
            f"SELECT \"offset\", {length_sql(conn)}(content) FROM upload_part WHERE sha256 = ? AND uploader = ? "
            "ORDER BY \"offset\"", sha256, uploader):
        if start == offset:
            offset += int(length)
    return offset


async def receive_chunk(actor: Actor, sha256: str, start: int, total: int, content: bytes, *,
                        now: str, quota: int) -> Upload:
    """Keep one chunk; when it completes the upload, verify and store the blob. Bytes the
    actor may already see answer complete; anyone else's are uploaded like new ones."""
    uploader = uploader_of(actor)
    async with write_transaction() as conn:
        if conn.postgres:  # two uploads of one photo at once (or an upload and the purge): one after the other
            await lock_hash(conn, sha256)
        size = await _visible_size(conn, actor, sha256)
        if size is not None and await photo_store.held_anywhere(conn, sha256, size):
            return Upload(offset=size, complete=True)  # (bytes lost from the store: upload them again)
        offset = await _parts_offset(conn, sha256, uploader)
        if start != offset and start != 0:
            raise ApiError(409, "offset_mismatch", "上传位置不符，请从服务器已收到的位置续传 / "
                           "the chunk does not start where the upload stands: resume from "
                           "the offset given", {"expected": offset, "got": start})
        if start == 0:
            await conn.execute("DELETE FROM upload_part WHERE sha256 = ? AND uploader = ?", sha256, uploader)
        await _check_quota(conn, sha256, uploader, total, quota)
        await conn.execute("INSERT INTO upload_part (sha256, \"offset\", total, content, uploader, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", sha256, start, total, content, uploader, now)
        if start + len(content) < total:
            return Upload(offset=start + len(content), complete=False)
        whole = b"".join(r[0] for r in await conn.fetch(
            "SELECT content FROM upload_part WHERE sha256 = ? AND uploader = ? ORDER BY \"offset\"",
            sha256, uploader))
        await conn.execute("DELETE FROM upload_part WHERE sha256 = ? AND uploader = ?", sha256, uploader)
        actual = hashlib.sha256(whole).hexdigest()
        if actual == sha256:
            await store_bytes(conn, sha256, whole, now)
            await conn.execute("INSERT INTO attachment_upload (sha256, uploader, user_id, size, created_at) "
                               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256, uploader) DO NOTHING",
                               sha256, uploader, actor.user_id, len(whole), now)
            await mark_stored(conn, sha256, user_id=actor.user_id, now=now)
    if actual != sha256:  # after the commit: the parts are gone, the phone starts again
        raise ApiError(422, "hash_mismatch", "内容与 sha256 不符，请重新上传 / the bytes do not match "
                       "their sha256: upload again", {"expected": sha256, "actual": actual})
    return Upload(offset=len(whole), complete=True, created=True)


async def store_bytes(conn: Conn, sha256: str, content: bytes, now: str) -> bool:
    """Put verified bytes in the chosen store (unless a store holds them already) and index
    them; True when written now (once per hash)."""
    await conn.execute("INSERT INTO attachment_blob (sha256, mime, size, content, created_at) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                       sha256, sniff(content[:16]), len(content), b"", now)
    if await photo_store.held_anywhere(conn, sha256, len(content)):
        return False
    return await photo_store.chosen().put(conn, sha256, content)


async def lock_hash(conn: Conn, sha256: str) -> None:
    """PostgreSQL: hold ``sha256``'s lock until the transaction ends (uploads, the purge and
    the photo move take it, so that only one of them writes or drops one hash's bytes)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", sha256)


def _named_sql(sha_column: str) -> str:
    """SQL: some record (live or deleted) names the bytes of ``sha_column``."""
    return " OR ".join(f'EXISTS (SELECT 1 FROM "{collection}" WHERE "{field}" = {sha_column})'
                       for collection, field in BYTES_FIELDS.items())


async def _check_quota(conn: Conn, sha256: str, uploader: str, total: int, quota: int) -> None:
    """Refuse an upload no record names once the uploader's unreferenced bytes (its uploads
    of the last day no record names, and its other parts in flight) would pass ``quota``."""
    if quota <= 0 or (await conn.fetchrow(f"SELECT 1 WHERE {_named_sql('?')}", *[sha256] * len(BYTES_FIELDS))):
        return
    row = await conn.fetchrow(
        "SELECT (SELECT COALESCE(SUM(u.size), 0) FROM attachment_upload u WHERE u.uploader = ? "
        f"AND u.created_at >= ? AND NOT ({_named_sql('u.sha256')})), "
        f"(SELECT COALESCE(SUM({length_sql(conn)}(p.content)), 0) FROM upload_part p "
        "WHERE p.uploader = ? AND p.sha256 <> ?)",
        uploader, iso_in(timedelta(days=-UNREFERENCED_DAYS)), uploader, sha256)
    used = int(row[0]) + int(row[1]) if row else 0
    if used + total > quota:
        size = f"{quota / 1024 / 1024:.0f} MB" if quota >= 1024 * 1024 else f"{-(-quota // 1024)} KB"
        raise ApiError(429, "upload_quota", f"本机上传而尚未关联记录的照片已达上限（{size}），"
                       "请先同步记录，稍后再上传 / this phone's uploads that no record names have reached "
                       f"the quota ({size}): sync the records first, then upload again",
                       {"quota": quota, "used": used, "size": total})


async def mark_stored(conn: Conn, sha256: str, *, user_id: str, now: str) -> int:
    """Mark every attachment record naming the blob as stored, each as a new version."""
    ids = [r[0] for r in await conn.fetch(
        "SELECT id FROM attachment WHERE sha256 = ? AND stored = ?", sha256, False)]
    if not ids:
        return 0
    clock, _ = await lock_clock(conn)
    rows = await load_rows(conn, "attachment", ids)
    writes = []
    for record_id in sorted(rows):
        clock += 1
        row = rows[record_id] | {"stored": True, "version": clock, "updated_at": now}
        writes.append(RecordWrite(collection="attachment", op="update", row=row))
    await write_records(conn, writes, device_id=None, user_id=user_id, at=now)
    await conn.execute("UPDATE sync_clock SET version = ? WHERE id = 1", clock)
    return len(writes)


async def read_visible(actor: Actor, sha256: str) -> tuple[str, bytes] | None:
    """(mime, bytes) of a stored blob the actor may see: a record in its scope names it, or
    its user uploaded it."""
    async with read_snapshot() as conn:
        if await _visible_size(conn, actor, sha256) is None:
            return None
        row = await conn.fetchrow("SELECT mime FROM attachment_blob WHERE sha256 = ?", sha256)
        content = await photo_store.read_any(conn, sha256)
    return (row[0], content) if row and content is not None else None


class Purged(msgspec.Struct, frozen=True, kw_only=True):
    blobs: int  # stored bytes no record named
    parts: int  # chunks of uploads never finished


async def purge_unreferenced(days: float = UNREFERENCED_DAYS) -> Purged:
    """Delete the stored bytes no record names (live or deleted) that are older than
    ``days``, with their uploaders and their bytes (from either store), and the parts of
    uploads left unfinished as long. Under the write lock (and, on PostgreSQL, each hash's
    upload lock), so a push naming the bytes or an upload of them meanwhile keeps them.
    Skipped while a backup copies the photo files (``photo_store.no_backup_running``).
    Safe to run twice."""
    before = iso_in(timedelta(days=-days))
    async with read_snapshot() as conn:  # most ticks find nothing: no write lock for them
        candidates = await _unnamed_before(conn, before)
        if not candidates and not await conn.fetchrow(
                "SELECT 1 WHERE EXISTS (SELECT 1 FROM upload_part WHERE created_at < ?)", before):
            return Purged(blobs=0, parts=0)
    with photo_store.no_backup_running() as free:
        if not free:
            return Purged(blobs=0, parts=0)
        return await _purge(before, candidates)


async def _unnamed_before(conn: Conn, before: str) -> list[str]:
    return [r[0] for r in await conn.fetch(
        f"SELECT b.sha256 FROM attachment_blob b WHERE b.created_at < ? AND NOT ({_named_sql('b.sha256')}) "
        "ORDER BY b.sha256", before)]


async def _purge(before: str, candidates: list[str]) -> Purged:
    async with write_transaction() as conn:
        # The hashes' locks before the clock's, in one order, as uploads take them: no deadlock.
        for sha256 in candidates if conn.postgres else ():
            await lock_hash(conn, sha256)
        await lock_clock(conn)
        gone = sorted(set(await _unnamed_before(conn, before)) & set(candidates))  # the others: next time
        for store in photo_store.both():  # a crash before the commit: the rows stay, and go next time
            await store.delete(conn, gone)
        for chunk in conn.chunks(gone):
            where, params = conn.in_list("sha256", chunk)
            await conn.execute(f"DELETE FROM attachment_upload WHERE {where}", *params)
            await conn.execute(f"DELETE FROM attachment_blob WHERE {where}", *params)
        row = await conn.fetchrow("SELECT COUNT(*) FROM upload_part WHERE created_at < ?", before)
        await conn.execute("DELETE FROM upload_part WHERE created_at < ?", before)
    return Purged(blobs=len(gone), parts=int(row[0]) if row else 0)


async def purge_tick() -> None:
    purged = await purge_unreferenced()
    if purged.blobs or purged.parts:
        log.info("photo purge: blobs=%d parts=%d", purged.blobs, purged.parts)


PURGE_JOB = jobs.register(jobs.Job(name="photo_purge", interval=lambda _: PURGE_EVERY_SECONDS,
                                   tick=purge_tick))
"""Uploads no record names, older than a day, go (idempotent: every process runs it)."""


def describe(upload: Upload) -> dict[str, Any]:
    return msgspec.to_builtins(upload)
