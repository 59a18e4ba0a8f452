"""Domain errors, mapped once: to an ``ErrorBody`` JSON answer for the API and to an
error partial for HTMX requests."""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from schemas.sync import ErrorBody

log = logging.getLogger("stewardsync.errors")


class ApiError(Exception):
    """A refusal the client can act on: HTTP status, stable code, message for people."""

    def __init__(self, status: int, code: str, message: str, detail: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _answer(request: Request, status: int, code: str, message: str, detail: dict[str, Any] | None) -> Response:
    if status == 401 and not request.url.path.startswith("/api/"):
        target = "/login?" + urlencode({"next": request.url.path})
        if request.headers.get("hx-request"):
            return Response(content=b"", status_code=204, headers={"HX-Redirect": target})
        return Redirect(target)
    if request.headers.get("hx-request"):
        return Template(
            template_name="partials/_error.html",
            context={"code": code, "message": message, "status": status},
            status_code=status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    if _wants_html(request):
        return Template(
            template_name="pages/error.html",
            context={"code": code, "message": message, "status": status},
            status_code=status,
        )
    return Response(
        content=ErrorBody(code=code, message=message, detail=detail),
        status_code=status,
        media_type=MediaType.JSON,
    )


def api_error_handler(request: Request, exc: ApiError) -> Response:
    return _answer(request, exc.status, exc.code, exc.message, exc.detail)


NOT_FOUND = "找不到该页面或文件 / not found"
HTTP_ANSWERS: dict[int, tuple[str, str]] = {  # Litestar's own refusals, in the users' words
    405: ("method_not_allowed", "不支持这种请求方式 / method not allowed"),
    413: ("body_too_large", "提交的内容太大，请分批提交（照片请单独上传） / request body too large: "
                            "send it in smaller batches (photos are uploaded on their own)"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试 / too many requests: try again later"),
}


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, ValidationException):
        code, message = "invalid_request", "请求内容不合法 / invalid request: " + str(exc.detail)
        detail = {"errors": exc.extra} if exc.extra else None
    elif isinstance(exc, NotAuthorizedException):
        code, message, detail = "not_authenticated", "请先登录 / please log in", None
    elif isinstance(exc, PermissionDeniedException):
        code, message, detail = "forbidden", "无权访问 / not allowed", None
    elif exc.status_code == 404:  # Litestar's own detail may name a folder of the server
        code, message, detail = "not_found", NOT_FOUND, None
    elif exc.status_code in HTTP_ANSWERS:
        (code, message), detail = HTTP_ANSWERS[exc.status_code], None
    else:
        code, message, detail = "http_error", str(exc.detail), None
    return _answer(request, exc.status_code, code, message, detail)


_UNREACHABLE = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError)


def _storage_trouble(exc: BaseException) -> tuple[int, str, str] | None:
    """A database that is busy, unreachable or out of space: the client should retry later."""
    text = str(exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text:
        return 507, "storage_full", ("服务器存储空间已满，数据仍保存在手机上，稍后自动重试 / "
                                     "server storage full: your data stays on the phone and is retried")
    busy = isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)
    if busy or isinstance(exc, _UNREACHABLE):
        return 503, "database_unavailable", ("数据库暂时不可用，请稍后重试 / "
                                             "database temporarily unavailable, retry shortly")
    return None


def internal_error_handler(request: Request, exc: Exception) -> Response:
    trouble = _storage_trouble(exc)
    if trouble is not None:
        status, code, message = trouble
        log.warning("storage trouble", extra={"path": request.url.path, "code": code,
                                               "error": type(exc).__name__})
        response = _answer(request, status, code, message, None)
        response.headers["Retry-After"] = "5"
        return response
    log.exception("unhandled error", extra={"path": request.url.path, "method": request.method})
    return _answer(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal_error",
                   "服务器内部错误，请稍后重试 / internal server error, please retry", None)


EXCEPTION_HANDLERS = {
    ApiError: api_error_handler,
    HTTPException: http_error_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}
