"""``POST /api/v1/sync/push`` and ``POST /api/v1/sync/pull``: thin handlers over
``server.sync_service`` and ``server.store.pull``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, post

from schemas.sync import (
    MAX_BATCH, MAX_PULL_LIMIT, OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION, Mutation, PullResponse,
    PushResponse, pull_request_decoder,
)
from schemas.upgrade import body_protocol, decode_push
from server import sync_service
from server.api.bodies import decode, device_of
from server.api.contract import PullOperation, PushOperation
from server.clock import now_iso
from server.errors import ApiError
from server.ids import bad_ids
from server.store import pull as pulls
from server.policy import API_ERROR_RESPONSES
from sync.engine import BatchRejected

# HTTP status of a whole-batch refusal by the engine (others: 400)
BATCH_STATUS = {"seq_gap": 409, "replay_unknown": 409, "update_required": 426, "batch_too_large": 413}


def check_protocol(protocol: int) -> None:
    if protocol < OLDEST_SUPPORTED_PROTOCOL:
        raise ApiError(426, "update_required", "应用版本过旧，请更新楼管通后再同步；未同步的记录仍保存在手机上 / "
                       "this app version is too old: update the app, then sync again (your unsynced "
                       "records stay on the phone)",
                       {"protocol": protocol, "oldest_supported": OLDEST_SUPPORTED_PROTOCOL,
                        "current": PROTOCOL_VERSION})
    if protocol > PROTOCOL_VERSION:
        raise ApiError(400, "unsupported_protocol", "服务器尚不支持此协议版本 / the server does not "
                       "know this protocol version yet",
                       {"protocol": protocol, "current": PROTOCOL_VERSION})


EXAMPLE_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"


def check_ids(mutations: Sequence[Mutation]) -> None:
    """Every id a batch would store (a new record's, and the ids its fields hold) in the
    documented format (``server.ids``), or the whole batch is refused and nothing is applied:
    a phone makes such ids itself, so another one is a broken or forged client."""
    bad = bad_ids(mutations)
    if bad:
        raise ApiError(400, "invalid_id", f"记录编号格式不正确（应为小写 UUID，如 {EXAMPLE_ID}），本批变更均未保存 / "
                       f"a record id is not in the documented format (a lowercase UUID such as "
                       f"{EXAMPLE_ID}): nothing of this batch was applied",
                       {"invalid": bad[:20], "count": len(bad)})


@post("/api/v1/sync/push", name="sync.push", status_code=200, tags=["sync"], responses=API_ERROR_RESPONSES, operation_class=PushOperation,
      summary="Push a batch of mutations (applied atomically, exactly once, in seq order)")
async def push(request: Request[Any, Any, Any]) -> PushResponse:
    body = await request.body()
    protocol = decode(body, body_protocol)
    check_protocol(protocol)
    batch = decode(body, lambda raw: decode_push(raw, protocol))
    device_of(request.user, batch.device_id)
    if len(batch.mutations) > MAX_BATCH:
        raise ApiError(413, "batch_too_large", f"一次最多推送 {MAX_BATCH} 条 / at most {MAX_BATCH} "
                       "mutations per push: split the batch",
                       {"max": MAX_BATCH, "got": len(batch.mutations)})
    check_ids(batch.mutations)
    try:
        return await sync_service.push(request.user, batch, protocol=protocol)
    except BatchRejected as exc:  # nothing was applied
        raise ApiError(BATCH_STATUS.get(exc.code, 400), exc.code, exc.message, exc.detail) from None


@post("/api/v1/sync/pull", name="sync.pull", status_code=200, tags=["sync"], responses=API_ERROR_RESPONSES, operation_class=PullOperation,
      summary="Pull the next page of changes in the device's scope")
async def pull(request: Request[Any, Any, Any]) -> PullResponse:
    body = decode(await request.body(), pull_request_decoder.decode)
    check_protocol(body.protocol)
    device_id = device_of(request.user, body.device_id)
    if body.limit < 1:
        raise ApiError(400, "invalid_request", "limit 须为正数 / limit must be at least 1",
                       {"limit": body.limit})
    actor = sync_service.actor_of(request.user)
    try:
        page = await pulls.pull_page(actor, body.cursor, min(body.limit, MAX_PULL_LIMIT))
    except pulls.BadCursor:
        raise ApiError(400, "invalid_cursor", "同步游标无效，请从头同步 / the cursor is not valid: "
                       "pull again with cursor null", {"cursor": body.cursor}) from None
    if not page.more:  # the device is up to date: note when (shown to the desk)
        await pulls.record_pull(device_id, now_iso())
    return page


SYNC_ROUTES = [push, pull]
