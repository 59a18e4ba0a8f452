"""Reading API bodies: one place that turns msgspec's decode errors into ``ApiError``s."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

from server.auth.principal import Principal
from server.errors import ApiError

T = TypeVar("T")


def decode(body: bytes, decoder: Callable[[bytes], T]) -> T:
    """``decoder(body)``; malformed JSON → 400 malformed_json, wrong shape → 400 invalid_request
    (msgspec's message names the path, e.g. ``$.mutations[0].seq``)."""
    try:
        return decoder(body)
    except msgspec.ValidationError as exc:
        raise ApiError(400, "invalid_request", f"请求内容不合法 / invalid request: {exc}",
                       {"error": str(exc)}) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed_json", f"请求不是合法的 JSON / the body is not valid JSON: {exc}",
                       {"error": str(exc)}) from None


def device_of(principal: Principal, device_id: str) -> str:
    """The calling phone's id, which must be the one named in the body."""
    if principal.device_id is None:
        raise ApiError(403, "device_required", "同步须使用已登记的手机 / sync needs an enrolled "
                       "device's credential")
    if principal.device_id != device_id:
        raise ApiError(403, "foreign_device", "请求中的设备与登录的设备不符 / the body names another "
                       "device than the one signed in", {"device_id": device_id})
    return device_id
