"""Photos and signatures by sha256: resumable, idempotent upload; scoped download.

Knowing a hash grants nothing: GET and HEAD answer 404 (the same body) for bytes the caller
may not see, stored or not; HEAD differs from GET only for the caller's own upload in
progress, whose offset it reports so that the phone resumes there."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response, get, head, put
from litestar.params import FromPath

from server.clock import now_iso
from server.errors import ApiError
from server.store import attachments
from server.sync_service import actor_of
from server.policy import API_ERROR_RESPONSES

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


class UploadStatus(msgspec.Struct, kw_only=True):
    sha256: str
    offset: int  # bytes the server holds
    complete: bool


def parse_range(header: str | None, length: int) -> tuple[int, int]:
    """(start, total) of a chunk; a body without Content-Range is the whole blob."""
    if header is None:
        return 0, length
    match = CONTENT_RANGE.match(header.strip())
    if not match:
        raise ApiError(400, "invalid_range", "Content-Range 格式应为 bytes START-END/TOTAL / "
                       "Content-Range must read bytes START-END/TOTAL", {"content_range": header})
    start, end, total = (int(g) for g in match.groups())
    if end < start or end - start + 1 != length or end >= total:
        raise ApiError(400, "invalid_range", "Content-Range 与内容长度不符 / Content-Range does not "
                       "match the body", {"content_range": header, "body_bytes": length})
    return start, total


def _status(sha256: str, upload: attachments.Upload, code: int) -> Response[UploadStatus]:
    return Response(UploadStatus(sha256=sha256, offset=upload.offset, complete=upload.complete),
                    status_code=code, headers={"Upload-Offset": str(upload.offset)})


@put("/api/v1/attachments/{sha256:str}", name="sync.attachment_put", tags=["attachments"], responses=API_ERROR_RESPONSES,
     summary="Upload a photo or signature (whole, or one chunk with Content-Range)")
async def upload(request: Request[Any, Any, Any], sha256: FromPath[str]) -> Response[UploadStatus]:
    attachments.check_sha(sha256)
    content = await request.body()
    start, total = parse_range(request.headers.get("content-range"), len(content))
    limit = request.app.state.settings.max_photo_bytes
    if total > limit:
        raise ApiError(413, "photo_too_large", f"照片不能超过 {limit // 1024 // 1024} MB / a photo may "
                       f"be at most {limit} bytes", {"max": limit, "size": total})
    if total == 0:
        raise ApiError(400, "empty_upload", "上传内容为空 / the body is empty")
    if start == 0 and attachments.sniff(content[:16]) is None:
        raise ApiError(415, "unsupported_type", "只接受 JPEG、PNG 或 WebP 图片 / only JPEG, PNG or "
                       "WebP images are accepted")
    upload = await attachments.receive_chunk(actor_of(request.user), sha256, start, total, content,
                                             now=now_iso(), quota=request.app.state.settings.upload_quota_bytes)
    return _status(sha256, upload, 201 if upload.created else 200 if upload.complete else 202)


def not_found(sha256: str) -> ApiError:
    return ApiError(404, "not_found", "没有此附件或无权查看 / no such photo, or not yours to see",
                    {"sha256": sha256})


@head("/api/v1/attachments/{sha256:str}", name="sync.attachment_head", tags=["attachments"], responses=API_ERROR_RESPONSES,
      summary="How many bytes of a photo you may see, or of your own upload, the server holds (Upload-Offset)")
async def upload_offset(request: Request[Any, Any, Any], sha256: FromPath[str]) -> Response[None]:
    attachments.check_sha(sha256)
    upload = await attachments.received(actor_of(request.user), sha256)
    if upload is None:
        raise not_found(sha256)
    return Response(content=b"", status_code=200, headers={
        "Upload-Offset": str(upload.offset), "Upload-Complete": "1" if upload.complete else "0"})


@get("/api/v1/attachments/{sha256:str}", name="sync.attachment_get", tags=["attachments"], responses=API_ERROR_RESPONSES,
     summary="Download a stored photo (only if a record you may see references it)")
async def download(request: Request[Any, Any, Any], sha256: FromPath[str]) -> Response[bytes]:
    attachments.check_sha(sha256)
    found = await attachments.read_visible(actor_of(request.user), sha256)
    if found is None:
        raise not_found(sha256)
    mime, content = found
    return Response(content, media_type=mime, headers={
        "Cache-Control": "private, max-age=31536000, immutable", "ETag": f'"{sha256}"'})


ATTACHMENT_ROUTES = [upload, upload_offset, download]
