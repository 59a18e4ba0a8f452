"""Who may do what: the one table of route access, enforced by one guard.

Every route handler has a ``name``; ``ACCESS`` maps it to the roles allowed (or PUBLIC).
A route missing from the table is refused to everyone (and fails the access-table test).
The lines of a capability's own pages are granted by its desk module (``grant``), next to
its routes; the rest are written here.
Field- and building-level rules for records live in ``sync.policy`` and are applied by the
query layer, the sync engine and the pages alike.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from schemas.sync import ErrorBody

from server.errors import ApiError

PUBLIC = "public"
STEWARD, DESK, MANAGER, ADMIN, COMPANY = "steward", "desk", "manager", "admin", "company"
ENGINEER = "engineer"  # 维修工: the phone app only (sync, photos, its own account)
ANY_STAFF = (STEWARD, DESK, MANAGER, ADMIN, COMPANY, ENGINEER)
OFFICE = (DESK, MANAGER, ADMIN)
MANAGEMENT = (MANAGER, ADMIN)
READS_KPIS = (MANAGER, ADMIN, COMPANY)  # the company reads every estate's KPIs, and writes nothing

ACCESS: dict[str, str | tuple[str, ...]] = {
    # site
    "landing": PUBLIC,
    "health": PUBLIC,
    "favicon": PUBLIC,
    "static": PUBLIC,
    "static/head": PUBLIC,  # the HEAD twins Litestar's static-files router names itself
    "vendor/head": PUBLIC,
    # auth
    "auth.login_page": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": ANY_STAFF,
    "auth.enrol": PUBLIC,  # checks the password itself
    "auth.me": ANY_STAFF,
    "auth.device_logout": ANY_STAFF,  # a phone logs itself out (device credential only)
    "vendor": PUBLIC,
    # --- auth & admin (accounts, devices, audit) ---
    "admin.users": (ADMIN,),
    "admin.user_add": (ADMIN,),
    "admin.user_role": (ADMIN,),
    "admin.user_active": (ADMIN,),
    "admin.user_password": (ADMIN,),
    "admin.user_buildings": (ADMIN,),
    "admin.devices": OFFICE,  # each sees the phones they may revoke (server.auth.scope)
    "admin.device_revoke": OFFICE,
    "admin.audit": MANAGEMENT,

    # --- sync API (push, pull, attachments) ---
    "sync.push": ANY_STAFF,  # the handler also requires a device credential
    "sync.pull": ANY_STAFF,
    "sync.attachment_put": ANY_STAFF,
    "sync.attachment_head": ANY_STAFF,
    "sync.attachment_get": ANY_STAFF,  # and only photos of records in the caller's scope

    # --- desk pages: each desk module grants its own routes (``grant`` below) ---
    # --- phone app (PWA shell, manifest, service worker) ---
    "pwa.shell": PUBLIC,  # the shell holds no data; the app logs in through the API
    "pwa.worker": PUBLIC,
    "pwa.manifest": PUBLIC,
    "pwa.messages": PUBLIC,
    "pwa.schema": PUBLIC,  # collections and vocabularies (codes only), as the app shell

}

_AUTH_MESSAGES = {
    "invalid_credential": "设备凭证无效，请重新登录 / device credential not recognised: log in again",
    "device_revoked": "此设备已被停用，请重新登录 / this device was revoked: log in again",
    "device_expired": "设备凭证已过期，请重新登录 / device credential expired: log in again",
    "user_inactive": "账号已停用 / account disabled",
}


API_ERROR_RESPONSES: dict[int, ResponseSpec] = {
    status: ResponseSpec(data_container=ErrorBody, description=text)
    for status, text in (
        (400, "invalid request (ErrorBody.code says what)"),
        (401, "not authenticated, or the device credential is invalid, revoked or expired"),
        (403, "the role may not use this route, or the record is outside the caller's buildings"),
        (404, "not found"), (409, "conflict"), (413, "body too large"),
        (415, "unsupported media type"), (422, "refused by a domain rule"),
        (423, "account locked"), (426, "the app's protocol is too old: update the app"),
        (429, "too many attempts"),
    )
}
"""What every API route may answer besides success, all as ``ErrorBody``: pass it as
``responses=`` on API handlers (Litestar otherwise documents its own 400 shape, which is not
what ``server.errors`` sends)."""


def grant(entries: dict[str, str | tuple[str, ...]]) -> None:
    """Add a capability's routes to ``ACCESS``, from the module that defines them (at
    import, before the app is built). Granting a route twice differently is an error."""
    for name, roles in entries.items():
        if ACCESS.get(name, roles) != roles:
            raise ValueError(f"route {name!r} granted twice: {ACCESS[name]!r} and {roles!r}")
        ACCESS[name] = roles


def roles_for(name: str | None) -> str | tuple[str, ...] | None:
    return ACCESS.get(name or "")


def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """App-level guard: consult ``ACCESS`` for the handler's name."""
    if connection.scope["path"].startswith("/api/docs"):
        return  # the OpenAPI schema and its viewer
    allowed = roles_for(handler.name)
    if allowed is None:
        raise ApiError(403, "route_not_in_policy", f"route {handler.name!r} has no access rule")
    if allowed == PUBLIC:
        return
    auth_problem = connection.scope.get("auth")
    if auth_problem:
        raise ApiError(401, auth_problem, _AUTH_MESSAGES[auth_problem])
    user = connection.scope.get("user")
    if user is None:
        raise ApiError(401, "not_authenticated", "请先登录 / please log in")
    if user.role not in allowed:
        raise ApiError(403, "forbidden", "您的角色无权执行此操作 / your role may not do this")
