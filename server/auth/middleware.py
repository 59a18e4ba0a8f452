"""Authentication: a desk session cookie or a phone's bearer credential becomes a
``Principal`` in ``scope["user"]`` (None for anonymous). Refusals happen in the access
guard (``server.policy``), which knows what each route needs."""

from __future__ import annotations

import re

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from server.errors import ApiError
from server.store import staff

SESSION_COOKIE = "ss_session"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _has_control_characters(scope: Scope) -> bool:
    """Control characters in the path, or NUL in the query: no route wants them, and
    PostgreSQL refuses NUL in text, so they are refused here, before any query."""
    query = scope.get("query_string", b"")
    return bool(_CONTROL.search(scope.get("path", ""))) or b"%00" in query or b"\x00" in query


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
            raise ApiError(400, "invalid_characters",
                           "地址中含有控制字符 / the address contains control characters")
        authorization = _header(scope, b"authorization")
        if authorization and authorization.lower().startswith("bearer "):
            scope["auth"], scope["user"] = await staff.device_principal(authorization[7:].strip())
        elif (token := _cookie(scope, SESSION_COOKIE)) is not None:
            scope["user"] = await staff.session_principal(token)
        await next_app(scope, receive, send)
