"""CSRF tokens tied to the desk session, rotated at login and logout.

A desk request that changes something (any method but GET, HEAD and OPTIONS, outside
``/api/``, where phones send a bearer credential and no cookie) carries the token in the
form field ``_csrf_token`` or the header ``X-CSRFToken``:

- with a live desk session, the token is an HMAC of the session's cookie under the
  server's secret key, and nothing else is accepted: a token from another session, from
  the login page or from before a logout is refused;
- without one (the login form: login CSRF), a pre-session token: a random nonce signed with
  the secret key, which must also be the ``csrftoken`` cookie's value (another site can
  neither read nor write that cookie). It is worth nothing once logged in.

The request's token goes into the pages' forms (``csrf_input``) and into the
``csrftoken`` cookie, which ``desk.js`` copies into every HTMX request. Login and logout
``rotate`` it: the response carries the new session's token, or a fresh pre-session one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.handlers import BaseRouteHandler
from litestar.types import Message, Scope
from litestar.utils.scope.state import ScopeState

from server.auth.middleware import SESSION_COOKIE
from server.errors import ApiError

COOKIE = "csrftoken"
HEADER = "x-csrftoken"
FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIX = "/api/"  # bearer credentials: nothing a browser sends by itself
_NONCE_HEX = 32
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _mac(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def session_token(secret: str, session: str) -> str:
    """The CSRF token of the desk session whose cookie is ``session``."""
    return _mac(secret, "csrf-session", session)


def pre_session_token(secret: str) -> str:
    """A new token for forms shown before a login: a nonce and its signature."""
    nonce = secrets.token_hex(_NONCE_HEX // 2)
    return nonce + _mac(secret, "csrf-pre-session", nonce)


def _is_pre_session_token(secret: str, token: str) -> bool:
    nonce, signature = token[:_NONCE_HEX], token[_NONCE_HEX:]
    expected = _mac(secret, "csrf-pre-session", nonce)
    return len(nonce) == _NONCE_HEX and hmac.compare_digest(signature.encode(), expected.encode())


def _secret(scope: Scope) -> str:
    return scope["app"].state.settings.secret_key


def _live_session(connection: ASGIConnection) -> str | None:
    """The cookie of the request's desk session, if it is live (the authentication
    middleware found its user); None for anonymous and bearer requests."""
    if connection.scope.get("user") is None or connection.headers.get("authorization"):
        return None
    return connection.cookies.get(SESSION_COOKIE)


def token_of(connection: ASGIConnection) -> str:
    """The one token this request may carry (and its pages' forms get)."""
    secret = _secret(connection.scope)
    if (session := _live_session(connection)) is not None:
        return session_token(secret, session)
    cookie = connection.cookies.get(COOKIE, "")
    return cookie if _is_pre_session_token(secret, cookie) else pre_session_token(secret)


async def _sent_token(connection: ASGIConnection) -> str:
    if token := connection.headers.get(HEADER):
        return token
    kind = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if isinstance(connection, Request) and kind in _FORMS:
        value = (await connection.form()).get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def csrf_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """App-level guard, after the access guard (a caller the route is not for is refused
    for that first). Gives the request its token, and refuses a change without it."""
    if connection.scope["path"].startswith(EXEMPT_PREFIX):
        return
    expected = token_of(connection)
    ScopeState.from_scope(connection.scope).csrf_token = expected
    if connection.scope["method"] in SAFE_METHODS:
        return
    if not hmac.compare_digest((await _sent_token(connection)).encode(), expected.encode()):
        raise ApiError(403, "csrf_failed",
                       "页面已过期或不是从本系统打开的，请刷新页面后重试 / this form has expired or "
                       "did not come from this site: reload the page and try again")


def rotate(request: Request, session: str | None) -> None:
    """At login (``session``: the new session's cookie) or logout (None): the response
    carries the token that the next requests need."""
    secret = _secret(request.scope)
    token = session_token(secret, session) if session is not None else pre_session_token(secret)
    ScopeState.from_scope(request.scope).csrf_token = token


async def send_csrf_cookie(message: Message, scope: Scope) -> None:
    """``before_send`` hook: the ``csrftoken`` cookie follows the request's token (set by
    ``csrf_guard`` or ``rotate``) when the browser holds another one."""
    if message["type"] != "http.response.start" or scope["type"] != "http":
        return
    token = ScopeState.from_scope(scope).csrf_token
    if not isinstance(token, str) or not token or scope["path"].startswith(EXEMPT_PREFIX):
        return
    if ASGIConnection(scope).cookies.get(COOKIE) == token:
        return
    cookie = Cookie(key=COOKIE, value=token, path="/", samesite="strict", httponly=False,
                    secure=scope["app"].state.settings.secure_cookies)
    MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
