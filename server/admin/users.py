"""Staff accounts: list, add, role change, deactivate/reactivate, password reset, login
locks and their lifting (解除锁定), and stewards' building assignments (责任楼栋). Admins
only (see ``server.policy``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from schemas.vocab import EngineerTeam, Role, codes
from server.auth import throttle
from server.auth.routes import NO_CONTROL
from server.admin.common import AdminRequest, after_write, client_ip, render
from server.clock import now_iso
from server.desk.registry import NavEntry, nav_entry
from server.errors import ApiError
from server.policy import ADMIN, grant
from server.store import audit, staff
from server.store import places
from server.store.field_work import staff_outside
from sync.scope import ESTATE_LIST_ROLES, Scope, by_building

ROLES = codes(Role)
TEAMS = codes(EngineerTeam)
FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)


class NewUserForm(msgspec.Struct, forbid_unknown_fields=False):
    username: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]{2,50}$")]
    display_name: Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=NO_CONTROL)]
    role: Role
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=200)]
    phone: Annotated[str, msgspec.Meta(max_length=30, pattern=r"^[0-9+\- ]*$")] = ""
    team: EngineerTeam | Literal[""] = ""  # an engineer's team (工程部 班组); required for one


class TeamForm(msgspec.Struct, forbid_unknown_fields=False):
    team: EngineerTeam


class RoleForm(msgspec.Struct, forbid_unknown_fields=False):
    role: Role


class ActiveForm(msgspec.Struct, forbid_unknown_fields=False):
    active: bool


class PasswordForm(msgspec.Struct, forbid_unknown_fields=False):
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=200)]


async def _users_context(scope: Scope) -> dict[str, Any]:
    """The people of the admin's estates (and those placed nowhere yet), and the estates'
    buildings for the assignment form."""
    buildings = await places.buildings(scope=scope)  # the admin's estates' buildings
    outside = await staff_outside(scope=scope)
    users = [u for u in await staff.list_users() if u.id not in outside]
    return {"users": users, "roles": ROLES, "teams": TEAMS, "buildings": buildings,
            "locks": await throttle.locks([u.username for u in users]),
            "building_names": {b["id"]: b["code"] for b in buildings}, "now": now_iso()}


async def _row_context(scope: Scope, user_id: str) -> dict[str, Any]:
    row = await staff.user_by_id(user_id)
    if row is None or user_id in await staff_outside(scope=scope):  # another estate's: as unknown
        raise ApiError(404, "user_not_found", "没有这个账号 / no such user")
    buildings = await places.buildings(scope=scope)
    return {"u": row, "roles": ROLES, "teams": TEAMS, "buildings": buildings, "locks": await throttle.locks([row.username]),
            "building_names": {b["id"]: b["code"] for b in buildings}, "now": now_iso()}


def _not_self(request: AdminRequest, user_id: str) -> None:
    if request.user.user_id == user_id:
        raise ApiError(409, "cannot_change_self",
                       "不能修改自己的角色或停用自己 / you cannot change your own role or disable yourself")


@get("/admin/users", name="admin.users", include_in_schema=False)
async def users_page(request: AdminRequest) -> Template:
    return render(request, "users.html", await _users_context(request.user.scope))


@post("/admin/users", name="admin.user_add", include_in_schema=False)
async def user_add(request: AdminRequest, data: Annotated[NewUserForm, FormBody]) -> Template | Redirect:
    if await staff.user_by_username(data.username):
        raise ApiError(409, "username_taken", "用户名已存在 / this username is taken")
    if data.role == "engineer" and not data.team:
        raise ApiError(400, "team_required", "维修工须选择班组 / an engineer needs a team")
    # an office account works in the admin's estates (a steward: in its buildings' estates)
    user_id = await staff.add_user(data.username, data.password, data.display_name.strip(), data.role,
                                   phone=data.phone or None,
                                   estate_ids=sorted(request.user.estate_ids) if data.role in ESTATE_LIST_ROLES else None)
    if data.role == "engineer":
        await staff.set_team(user_id, data.team)
    await audit.record("user_add", user_id=request.user.user_id, target=user_id,
                       detail={"role": data.role}, ip=client_ip(request))
    return after_write(request, "/admin/users", "_user_table.html", await _users_context(request.user.scope))


@post("/admin/users/{user_id:str}/role", name="admin.user_role", include_in_schema=False)
async def user_role(request: AdminRequest, user_id: FromPath[str], data: Annotated[RoleForm, FormBody]) -> Template | Redirect:
    _not_self(request, user_id)
    await _row_context(request.user.scope, user_id)  # 404 for an unknown id or another estate's
    before = await staff.set_role(user_id, data.role)
    if before is None:
        raise ApiError(404, "user_not_found", "没有这个账号 / no such user")
    if data.role in ESTATE_LIST_ROLES and not await staff.estate_ids_of(user_id):
        await staff.assign_estates(user_id, sorted(request.user.estate_ids))  # the admin's office
    if before != data.role:
        await audit.record("role_change", user_id=request.user.user_id, target=user_id,
                           detail={"from": before, "to": data.role}, ip=client_ip(request))
    return after_write(request, "/admin/users", "_user_row.html", await _row_context(request.user.scope, user_id))


@post("/admin/users/{user_id:str}/active", name="admin.user_active", include_in_schema=False)
async def user_active(request: AdminRequest, user_id: FromPath[str], data: Annotated[ActiveForm, FormBody]) -> Template | Redirect:
    _not_self(request, user_id)
    await _row_context(request.user.scope, user_id)  # 404 for an unknown id
    if data.active:
        await staff.reactivate_user(user_id)
        detail: dict[str, Any] = {"active": True}
    else:
        detail = {"active": False, "devices_revoked": await staff.deactivate_user(user_id)}
    await audit.record("user_deactivate", user_id=request.user.user_id, target=user_id, detail=detail,
                       ip=client_ip(request))
    return after_write(request, "/admin/users", "_user_row.html", await _row_context(request.user.scope, user_id))


@post("/admin/users/{user_id:str}/password", name="admin.user_password", include_in_schema=False)
async def user_password(request: AdminRequest, user_id: FromPath[str],
                        data: Annotated[PasswordForm, FormBody]) -> Template | Redirect:
    await _row_context(request.user.scope, user_id)
    await staff.reset_password(user_id, data.password)
    await audit.record("password_reset", user_id=request.user.user_id, target=user_id, ip=client_ip(request))
    context = await _row_context(request.user.scope, user_id)
    return after_write(request, "/admin/users", "_user_row.html", {**context, "notice": "admin.password_done"})


@post("/admin/users/{user_id:str}/unlock", name="admin.user_unlock", include_in_schema=False)
async def user_unlock(request: AdminRequest, user_id: FromPath[str]) -> Template | Redirect:
    """解除锁定: lift the account's login locks, from every address (audited as ``unlock``)."""
    context = await _row_context(request.user.scope, user_id)  # 404 for an unknown id or another estate's
    await throttle.lift(context["u"].username, by=request.user.user_id, ip=client_ip(request))
    context = await _row_context(request.user.scope, user_id)
    return after_write(request, "/admin/users", "_user_row.html", {**context, "notice": "admin.unlock_done"})


@post("/admin/users/{user_id:str}/team", name="admin.user_team", include_in_schema=False)
async def user_team(request: AdminRequest, user_id: FromPath[str], data: Annotated[TeamForm, FormBody]) -> Template | Redirect:
    """An engineer's team (班组): which on-duty roster line it can stand in, what it repairs."""
    context = await _row_context(request.user.scope, user_id)  # 404 for an unknown id or another estate's
    if context["u"].role != "engineer":
        raise ApiError(409, "not_an_engineer", "只有维修工有班组 / only engineers have a team")
    if context["u"].team != data.team:
        await staff.set_team(user_id, data.team)
        await audit.record("team_change", user_id=request.user.user_id, target=user_id,
                           detail={"from": context["u"].team, "to": data.team}, ip=client_ip(request))
    return after_write(request, "/admin/users", "_user_row.html", await _row_context(request.user.scope, user_id))


@post("/admin/users/{user_id:str}/buildings", name="admin.user_buildings", include_in_schema=False)
async def user_buildings(request: AdminRequest, user_id: FromPath[str]) -> Template | Redirect:
    context = await _row_context(request.user.scope, user_id)
    if not by_building(context["u"].role):
        raise ApiError(409, "not_a_steward", "只有管家分配责任楼栋 / only stewards have assigned buildings")
    form = await request.form()
    chosen = sorted(set(form.getall("building_id") if "building_id" in form else []))
    known = set(context["building_names"])  # the admin's estates' buildings
    if unknown := [b for b in chosen if b not in known]:
        raise ApiError(400, "unknown_building", "没有这个楼栋 / unknown building", {"building_ids": unknown[:10]})
    before = context["u"].building_ids
    elsewhere = [b for b in before if b not in known]  # other estates' buildings: not this admin's to change
    chosen = sorted({*chosen, *elsewhere})
    await staff.assign_buildings(user_id, chosen)
    if chosen != before:
        await audit.record("assignment_change", user_id=request.user.user_id, target=user_id,
                           detail={"added": sorted(set(chosen) - set(before)),
                                   "removed": sorted(set(before) - set(chosen))}, ip=client_ip(request))
    return after_write(request, "/admin/users", "_user_row.html", await _row_context(request.user.scope, user_id))


ROUTES = [users_page, user_add, user_role, user_active, user_password, user_unlock, user_team,
          user_buildings]
grant({"admin.user_unlock": (ADMIN,), "admin.user_team": (ADMIN,)})
nav_entry(NavEntry(href="/admin/users", key="admin.nav.users", route="admin.users", order=140))
