"""Photos and signatures: content-addressed bytes in ``attachment_blob``.

Uploads are resumable: each chunk is kept in ``upload_part`` until the last one arrives;
then the whole is checked against its sha256 and its type (by magic bytes), stored once,
and every attachment record naming it is marked ``stored`` through a normal write (a new
version and a change_log row) so that phones see it on their next pull.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import msgspec

from server.errors import ApiError
from server.store.scoping import scope_sql
from server.store.sync_storage import Conn, load_rows, lock_clock, read_snapshot, write_records, write_transaction
from sync.storage import Actor, RecordWrite

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


async def received(sha256: str) -> Upload:
    """How much of an upload the server holds."""
    async with read_snapshot() as conn:
        return await _state(conn, sha256)


async def _state(conn: Conn, sha256: str) -> Upload:
    row = await conn.fetchrow("SELECT size FROM attachment_blob WHERE sha256 = ?", sha256)
    if row:
        return Upload(offset=int(row[0]), complete=True)
    offset = 0
    for start, length in await conn.fetch(
            f"SELECT \"offset\", {_length(conn)}(content) FROM upload_part WHERE sha256 = ? "
            "ORDER BY \"offset\"", sha256):
        if start == offset:
            offset += int(length)
    return Upload(offset=offset, complete=False)


def _length(conn: Conn) -> str:
    return "octet_length" if conn.postgres else "length"


async def receive_chunk(sha256: str, start: int, total: int, content: bytes, *, user_id: str,
                        now: str) -> Upload:
    """Keep one chunk; when it completes the upload, verify and store the blob."""
    async with write_transaction() as conn:
        if conn.postgres:  # two uploads of one photo at once: one after the other
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", sha256)
        state = await _state(conn, sha256)
        if state.complete:
            return state
        if start != state.offset and start != 0:
            raise ApiError(409, "offset_mismatch", "上传位置不符，请从服务器已收到的位置续传 / "
                           "the chunk does not start where the upload stands: resume from "
                           "the offset given", {"expected": state.offset, "got": start})
        if start == 0:
            await conn.execute("DELETE FROM upload_part WHERE sha256 = ?", sha256)
        await conn.execute("INSERT INTO upload_part (sha256, \"offset\", total, content) VALUES (?, ?, ?, ?)",
                           sha256, start, total, content)
        if start + len(content) < total:
            return Upload(offset=start + len(content), complete=False)
        whole = b"".join(r[0] for r in await conn.fetch(
            "SELECT content FROM upload_part WHERE sha256 = ? ORDER BY \"offset\"", sha256))
        await conn.execute("DELETE FROM upload_part WHERE sha256 = ?", sha256)
        actual = hashlib.sha256(whole).hexdigest()
        if actual == sha256:
            await conn.execute("INSERT INTO attachment_blob (sha256, mime, size, content, created_at) "
                               "VALUES (?, ?, ?, ?, ?)", sha256, sniff(whole[:16]), len(whole), whole, now)
            await mark_stored(conn, sha256, user_id=user_id, now=now)
    if actual != sha256:  # after the commit: the parts are gone, the phone starts again
        raise ApiError(422, "hash_mismatch", "内容与 sha256 不符，请重新上传 / the bytes do not match "
                       "their sha256: upload again", {"expected": sha256, "actual": actual})
    return Upload(offset=len(whole), complete=True, created=True)


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
    """(mime, bytes) of a stored blob, if the actor may see a record that references it."""
    async with read_snapshot() as conn:
        where, params = scope_sql(actor.scope())
        seen = await conn.fetchrow(
            f"SELECT 1 FROM attachment WHERE sha256 = ? AND deleted = ? AND {where} "
            f"UNION ALL SELECT 1 FROM visit WHERE signature_sha256 = ? AND deleted = ? AND {where}",
            sha256, False, *params, sha256, False, *params)
        if seen is None:
            return None
        row = await conn.fetchrow("SELECT mime, content FROM attachment_blob WHERE sha256 = ?", sha256)
    return (row[0], bytes(row[1])) if row else None


def describe(upload: Upload) -> dict[str, Any]:
    return msgspec.to_builtins(upload)
