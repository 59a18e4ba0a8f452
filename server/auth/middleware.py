"""The app's edge: a desk session cookie or a phone's bearer credential becomes a
``Principal`` in ``scope["user"]`` (None for anonymous); route refusals happen in the access
guard (``server.policy``), which knows what each route needs.

Before that, text no database column can hold is refused with a clear 400
(``invalid_characters``): control characters in the path, NUL in the query, and NUL in a
JSON or form body (PostgreSQL refuses NUL in text; without this every handler would have
to remember it, and one that forgot would answer 500)."""

from __future__ import annotations

import re

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import ApiError
from server.store import staff

SESSION_COOKIE = "ss_session"
ESTATE_COOKIE = "ss_estate"  # the estate a desk user of several works in now (the switch)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _json_has_nul(body: bytes) -> bool:
    """NUL in JSON text is the escape \\u0000 behind an even number of backslashes
    (``\\\\u0000`` is a backslash and "u0000"). ``bytes.find`` keeps it fast."""
    at = body.find(b"\\u0000")
    while at != -1:
        start = at
        while start > 0 and body[start - 1] == 0x5C:
            start -= 1
        if (at - start) % 2 == 0:
            return True
        at = body.find(b"\\u0000", at + 1)
    return False


_BODY_NUL = {"application/json": _json_has_nul,
             "application/x-www-form-urlencoded": lambda body: b"%00" in body}
_INVALID = ("invalid_characters", "内容中含有无法保存的控制字符 / the request contains control characters "
            "(such as NUL) that cannot be stored")


def _has_control_characters(scope: Scope) -> bool:
    """Control characters in the path, or NUL in the query: no route wants them, and
    PostgreSQL refuses NUL in text, so they are refused here, before any query."""
    query = scope.get("query_string", b"")
    return bool(_CONTROL.search(scope.get("path", ""))) or b"%00" in query or b"\x00" in query


async def _screen_body(scope: Scope, receive: Receive) -> Receive:
    """Read a JSON or form body of known, allowed length, refuse it if it carries NUL, and
    hand the same bytes on. Other bodies (photos, chunked, oversized) pass untouched."""
    kind = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    length = _header(scope, b"content-length") or ""
    limit = scope["app"].state.settings.max_body_bytes
    if kind not in _BODY_NUL or not length.isdigit() or not 0 < int(length) <= limit:
        return receive
    chunks, first_other = [], None
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first_other = message
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    if _BODY_NUL[kind](body):
        raise ApiError(400, *_INVALID)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return first_other if first_other is not None else await receive()

    return replay


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class AuthenticationMiddleware(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = None
        scope["auth"] = None
        if _has_control_characters(scope):
            raise ApiError(400, *_INVALID)
        receive = await _screen_body(scope, receive)
        authorization = _header(scope, b"authorization")
        if authorization and authorization.lower().startswith("bearer "):
            scope["auth"], scope["user"] = await staff.device_principal(authorization[7:].strip())
        elif (token := _cookie(scope, SESSION_COOKIE)) is not None:
            scope["user"] = await staff.session_principal(token, _cookie(scope, ESTATE_COOKIE))
        await next_app(scope, receive, send)
