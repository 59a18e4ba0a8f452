"""Phones: list with last sync, revoke. Admins see every phone; managers their desk
staff's and stewards'; the desk their stewards' (``server.auth.scope.REVOCABLE_ROLES``);
all of them only of people of their estates (a phone of another estate's staff is
reported like an unknown one)."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.admin.common import AdminRequest, after_write, client_ip, render
from server.auth.scope import REVOCABLE_ROLES, may_revoke_device_of
from server.clock import now_iso
from server.desk.registry import NavEntry, nav_entry
from server.errors import ApiError
from server.store import audit, staff
from server.store.field_work import staff_outside


@get("/admin/devices", name="admin.devices", include_in_schema=False)
async def devices_page(request: AdminRequest) -> Template:
    roles = REVOCABLE_ROLES.get(request.user.role, ())
    outside = await staff_outside(scope=request.user.scope)
    devices = [d for d in await staff.list_devices()
               if (d.role in roles and d.user_id not in outside) or d.user_id == request.user.user_id]
    return render(request, "devices.html", {"devices": devices, "now": now_iso()})


@post("/admin/devices/{device_id:str}/revoke", name="admin.device_revoke", include_in_schema=False)
async def device_revoke(request: AdminRequest, device_id: FromPath[str]) -> Template | Redirect:
    device = await staff.device_row(device_id)
    if (device is None or not may_revoke_device_of(request.user, device.user_id, device.role)
            or (device.user_id != request.user.user_id
                and device.user_id in await staff_outside(scope=request.user.scope))):
        # a phone the actor may not manage is reported like an unknown one
        raise ApiError(404, "device_not_found", "没有这个设备 / no such device")
    if await staff.revoke_device(device_id):
        await audit.record("device_revoke", user_id=request.user.user_id, target=device_id,
                           detail={"owner": device.user_id, "last_seq": device.last_seq},
                           ip=client_ip(request))
    return after_write(request, "/admin/devices", "_device_row.html",
                       {"d": await staff.device_row(device_id), "now": now_iso()})


ROUTES = [devices_page, device_revoke]
nav_entry(NavEntry(href="/admin/devices", key="admin.nav.devices", route="admin.devices", order=120))
