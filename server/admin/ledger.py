"""导入台账: an office brings its ledger in at the desk (managers and admins), over the same
import module as ``stewardsync import`` (``server.ledger.service``).

Upload → preview (counts per sheet, every problem; nothing written) → apply. The uploaded
file is kept under the data folder by a random token bound to the uploader, so that the
apply reads the very file previewed; applying it twice (a double click, Back and again)
changes nothing the second time: the import is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from server.admin.common import AdminRequest, client_ip, render
from server.clock import now_iso
from server.desk.registry import NavEntry, nav_entry
from server.errors import ApiError
from server.ledger import service
from server.ledger.workbook import MAX_BYTES, XLSX_MIME, Unreadable
from server.policy import MANAGEMENT, grant
from server.store import audit

grant({  # who may open this module's routes (server.policy.ACCESS)
    "admin.ledger": MANAGEMENT,
    "admin.ledger_template": MANAGEMENT,
    "admin.ledger_export": MANAGEMENT,
    "admin.ledger_preview": MANAGEMENT,
    "admin.ledger_apply": MANAGEMENT,
})

KEEP_SECONDS = 24 * 3600  # an uploaded ledger not applied within a day is removed
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _folder(request: AdminRequest) -> Path:
    folder = Path(request.app.state.settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tz(request: AdminRequest) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


async def _estates(request: AdminRequest) -> list[service.Estate]:
    """The estates this user may import into (their own)."""
    return [e for e in await service.estates() if e.id in request.user.estate_ids]


async def _estate(request: AdminRequest, estate_id: str | None) -> service.Estate:
    mine = await _estates(request)
    for estate in mine:
        if estate.id == estate_id or (estate_id in (None, "") and len(mine) == 1):
            return estate
    raise ApiError(404, "estate_not_found", "没有这个项目 / no such estate")


@get("/admin/ledger", name="admin.ledger", include_in_schema=False)
async def ledger_page(request: AdminRequest) -> Template:
    return render(request, "ledger.html", {"estates": await _estates(request), "max_mb": MAX_BYTES // 2**20})


@get("/admin/ledger/template.xlsx", name="admin.ledger_template", include_in_schema=False)
async def ledger_template() -> Response[bytes]:
    return Response(service.template(), media_type=XLSX_MIME,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''%E4%B8%9A%E6%88%B7%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"})


@get("/admin/ledger/estate.xlsx", name="admin.ledger_export", include_in_schema=False)
async def ledger_export(request: AdminRequest, estate: FromQuery[str | None] = None) -> Response[bytes]:
    chosen = await _estate(request, estate)
    body = await service.export_estate(chosen.id, tz=_tz(request))
    await audit.record("export", user_id=request.user.user_id, target="estate_ledger", ip=client_ip(request),
                       detail={"format": "xlsx", "estate": chosen.id, "personal": True})
    return Response(body, media_type=XLSX_MIME, headers={
        "Content-Disposition": f'attachment; filename="{chosen.code or "estate"}-{now_iso()[:10]}.xlsx"'})


@post("/admin/ledger/preview", name="admin.ledger_preview", include_in_schema=False,
      request_max_body_size=MAX_BYTES + 2**20)
async def ledger_preview(
    request: AdminRequest,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    upload = data.get("file")
    estate = await _estate(request, str(data.get("estate") or "") or None)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, estate, "no_file", "请选择要导入的台账文件")
    content = await upload.read()
    try:
        plan = await service.preview(content, upload.filename, estate.id, tz=_tz(request))
    except Unreadable as unreadable:
        return _refused(request, estate, unreadable.code, unreadable.reason)
    token = _keep(request, content, upload.filename, estate.id)
    return render(request, "ledger.html", {
        "estates": await _estates(request), "estate": estate, "plan": plan, "token": token,
        "filename": upload.filename, "max_mb": MAX_BYTES // 2**20,
    }, partial="_ledger_preview.html")


@post("/admin/ledger/apply", name="admin.ledger_apply", include_in_schema=False)
async def ledger_apply(
    request: AdminRequest,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template:
    kept = _kept(request, data.get("token", ""))
    estate = await _estate(request, kept["estate_id"])
    content = Path(kept["path"]).read_bytes()
    started = time.perf_counter()
    try:
        applied = await service.apply(content, kept["filename"], estate.id, user_id=request.user.user_id,
                                      tz=_tz(request))
    except service.ImportFailed as failed:
        raise ApiError(422, "import_failed", f"导入中止，未写入任何数据：{failed.reason} / "
                                             f"import stopped, nothing written: {failed.reason}") from None
    plan = applied.plan
    if not plan.errors:
        await audit.record("ledger_import", user_id=request.user.user_id, target=estate.id, ip=client_ip(request),
                           detail={"file_sha": kept["sha"], "conflicts": applied.conflicts,
                                   "counts": plan.report()["counts"]})
    return render(request, "ledger.html", {
        "estates": await _estates(request), "estate": estate, "plan": plan, "applied": applied,
        "filename": kept["filename"], "seconds": time.perf_counter() - started,
        "max_mb": MAX_BYTES // 2**20,
    }, partial="_ledger_preview.html")


def _refused(request: AdminRequest, estate: service.Estate, code: str, reason: str) -> Template:
    return render(request, "ledger.html", {"estates": [estate], "estate": estate, "refusal": reason,
                                           "refusal_code": code, "max_mb": MAX_BYTES // 2**20},
                  partial="_ledger_preview.html", status_code=422)


def _keep(request: AdminRequest, content: bytes, filename: str, estate_id: str) -> str:
    """Keep the previewed file for its apply; drop the ones left for more than a day."""
    folder = _folder(request)
    for old in folder.glob("*.json"):
        if time.time() - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
            old.with_suffix(".bin").unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps({
        "user_id": request.user.user_id, "filename": Path(filename).name[:200], "estate_id": estate_id,
        "sha": hashlib.sha256(content).hexdigest()}, ensure_ascii=False))
    return token


def _kept(request: AdminRequest, token: str) -> dict[str, str]:
    folder = _folder(request)
    meta = folder / f"{token}.json"
    if not token or not set(token) <= TOKEN_CHARS or not meta.is_file():
        raise ApiError(404, "upload_not_found", "找不到这次上传的文件，请重新上传 / upload not found: upload again")
    kept = json.loads(meta.read_text())
    if kept["user_id"] != request.user.user_id:
        raise ApiError(404, "upload_not_found", "找不到这次上传的文件，请重新上传 / upload not found: upload again")
    return {**kept, "path": str(meta.with_suffix(".bin"))}


ROUTES = [ledger_page, ledger_template, ledger_export, ledger_preview, ledger_apply]
nav_entry(NavEntry(href="/admin/ledger", key="admin.nav.ledger", route="admin.ledger", order=150))
