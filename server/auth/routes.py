"""Desk login/logout and phone enrolment."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, JSONBody
from litestar.response import Redirect, Template

from server.auth import csrf
from server.auth.middleware import SESSION_COOKIE
from server.auth.principal import Principal
from server.auth.throttle import check_login
from server.errors import ApiError
from server.policy import API_ERROR_RESPONSES
from server.store import audit, staff

HOME_BY_ROLE = {"steward": "/app/", "desk": "/desk", "manager": "/desk", "admin": "/desk",
                "company": "/desk/kpi/estates", "engineer": "/app/"}


NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"  # no NUL or other control characters (PostgreSQL refuses NUL)


class LoginForm(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(max_length=50, pattern=NO_CONTROL)]
    password: Annotated[str, msgspec.Meta(max_length=200)]
    next: Annotated[str, msgspec.Meta(max_length=500, pattern=NO_CONTROL)] = ""


class EnrolRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=NO_CONTROL)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    device_id: Annotated[str, msgspec.Meta(min_length=8, max_length=36, pattern=r"^[0-9A-Za-z-]+$")]
    label: Annotated[str, msgspec.Meta(max_length=100, pattern=NO_CONTROL)] = ""


class Me(msgspec.Struct):
    user_id: str
    username: str
    display_name: str
    role: str
    building_ids: list[str]
    device_id: str | None = None


class EnrolResponse(msgspec.Struct):
    token: str
    expires_at: str
    user: Me


def me_of(principal: Principal) -> Me:
    return Me(user_id=principal.user_id, username=principal.username,
              display_name=principal.display_name, role=principal.role,
              building_ids=sorted(principal.building_ids), device_id=principal.device_id)


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The client's address: the peer's, or the one a trusted proxy forwarded
    (``STEWARDSYNC_TRUSTED_PROXIES``; uvicorn believes X-Forwarded-For from those only)."""
    return request.client.host if request.client else ""


def _safe_next(target: str, role: str) -> str:
    if target.startswith("/") and not target.startswith("//"):
        return target
    return HOME_BY_ROLE.get(role, "/")


@get("/login", name="auth.login_page", include_in_schema=False)
async def login_page(next: FromQuery[str] = "") -> Template:
    return Template(template_name="pages/login.html", context={"next": next})


@post("/login", name="auth.login", include_in_schema=False)
async def login(
    request: Request[Any, Any, Any],
    data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[Any]:
    ip = client_ip(request)
    try:
        user = await check_login(data.username, data.password, ip)
    except ApiError as refused:
        return Template(template_name="pages/login.html", status_code=refused.status,
                        context={"next": data.next, "error": refused.message, "code": refused.code,
                                 "username": data.username})
    token = await staff.open_session(user["id"])
    await audit.record("login", user_id=user["id"], target=user["username"], ip=ip)
    response = Redirect(_safe_next(data.next, user["role"]))
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies, max_age=12 * 3600)
    csrf.rotate(request, token)  # the login page's token ends here
    return response


@post("/logout", name="auth.logout", include_in_schema=False)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await staff.close_session(token)
        await audit.record("logout", user_id=request.user.user_id, target=request.user.username,
                           ip=client_ip(request))
    response = Redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    csrf.rotate(request, None)
    return response


@post("/api/v1/devices/enrol", name="auth.enrol", tags=["auth"], status_code=201,
      summary="Enrol a phone: exchange a login for a device credential",
      description="Re-enrolling the same device id (same user) keeps its last_seq, so the "
                  "phone's outbox continues. 401 bad_credentials, 409 device_taken, "
                  "423 account_locked, 429 too_many_attempts.",
      responses=API_ERROR_RESPONSES)
async def enrol(request: Request[Any, Any, Any], data: JSONBody[EnrolRequest]) -> EnrolResponse:
    ip = client_ip(request)
    user = await check_login(data.username, data.password, ip, device_id=data.device_id)
    existing = await staff.device_owner(data.device_id)
    if existing is not None and existing != user["id"]:
        raise ApiError(409, "device_taken", "该设备编号属于其他账号 / this device id belongs to another user")
    settings = request.app.state.settings
    token, expires = await staff.enrol_device(user["id"], data.device_id, data.label, settings.device_days)
    principal = await staff.principal_of(user["id"], device_id=data.device_id)
    assert principal is not None
    await audit.record("device_enrol", user_id=user["id"], target=data.device_id, ip=ip,
                       detail={"last_seq": await staff.device_seq(data.device_id) or 0})
    return EnrolResponse(token=token, expires_at=expires, user=me_of(principal))


@get("/api/v1/me", name="auth.me", tags=["auth"], summary="The signed-in user and their scope",
     responses=API_ERROR_RESPONSES)
async def me(request: Request[Any, Any, Any]) -> Me:
    return me_of(request.user)


@post("/api/v1/devices/logout", name="auth.device_logout", tags=["auth"], status_code=204,
      summary="Log this phone out: its credential stops working at once",
      description="The phone keeps its outbox; logging in again (re-enrolling the same device "
                  "id) continues it from the same last_seq.",
      responses=API_ERROR_RESPONSES)
async def device_logout(request: Request[Any, Any, Any]) -> None:
    device_id = request.user.device_id
    if device_id is None:
        raise ApiError(400, "device_required", "只有手机凭证可以注销设备 / only a phone's credential can log a phone out")
    await staff.revoke_device(device_id)
    await audit.record("logout", user_id=request.user.user_id, target=device_id, ip=client_ip(request))


ROUTES = [login_page, login, logout, enrol, device_logout, me]
