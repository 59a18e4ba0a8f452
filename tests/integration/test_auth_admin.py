"""The admin pages: accounts, roles, assignments, devices with revoke, the audit log."""

from __future__ import annotations

import httpx

from server.clock import iso_in
from server.store import audit, staff
from server.tables import SyncDevice
from tests.factories import PASSWORD, enrol, make_estate, make_user, new_id
from tests.integration.test_auth_session import desk_login

from datetime import timedelta


def _csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies.get("csrftoken") or ""}


async def _as(client: httpx.AsyncClient, role: str, username: str) -> str:
    user_id = await make_user(role, username=username)
    answer = await desk_login(client, username)
    assert answer.status_code in (302, 303), answer.text
    return user_id


async def test_admin_adds_user_changes_role_assigns_buildings_and_all_is_audited(client) -> None:
    estate = await make_estate(buildings=2, units_per_building=1)
    admin_id = await _as(client, "admin", "root")
    added = await client.post("/admin/users", headers=_csrf(client), data={
        "username": "new.steward", "display_name": "新管家", "role": "steward", "password": "long-enough-1"})
    assert added.status_code == 303
    new_user = await staff.user_by_username("new.steward")
    assert new_user and new_user["role"] == "steward"
    dup = await client.post("/admin/users", headers={**_csrf(client), "Accept": "application/json"}, data={
        "username": "new.steward", "display_name": "x", "role": "desk", "password": "long-enough-1"})
    assert dup.status_code == 409
    short = await client.post("/admin/users", headers=_csrf(client), data={
        "username": "x y", "display_name": "x", "role": "boss", "password": "1"})
    assert short.status_code == 400

    assign = await client.post(f"/admin/users/{new_user['id']}/buildings", headers={**_csrf(client), "HX-Request": "true"},
                               data={"building_id": estate.building_ids})
    assert assign.status_code == 200 and f'id="user-{new_user["id"]}"' in assign.text
    assert set((await staff.user_by_id(new_user["id"])).building_ids) == set(estate.building_ids)
    unknown = await client.post(f"/admin/users/{new_user['id']}/buildings", headers=_csrf(client),
                                data={"building_id": ["no-such-building"]})
    assert unknown.status_code == 400

    role = await client.post(f"/admin/users/{new_user['id']}/role", headers=_csrf(client), data={"role": "desk"})
    assert role.status_code == 303
    changed = await staff.user_by_id(new_user["id"])
    assert changed.role == "desk" and changed.building_ids == []  # assignments go with the role
    self_change = await client.post(f"/admin/users/{admin_id}/role", headers=_csrf(client), data={"role": "desk"})
    assert self_change.status_code == 409

    actions = [e.action for e in (await audit.page(user_id=admin_id)).entries]
    assert {"user_add", "assignment_change", "role_change", "login"} <= set(actions)
    page = await client.get("/admin/users")
    assert page.status_code == 200 and "新管家" in page.text


async def test_deactivating_a_user_ends_sessions_and_revokes_phones(client) -> None:
    steward_id = await make_user("steward", username="leaver")
    phone = await enrol(client, "leaver")
    await _as(client, "admin", "root2")
    off = await client.post(f"/admin/users/{steward_id}/active", headers=_csrf(client), data={"active": "false"})
    assert off.status_code == 303
    me = await client.get("/api/v1/me", headers={"Authorization": phone["Authorization"]})
    assert me.status_code == 401 and me.json()["code"] == "device_revoked"
    relogin = await client.post("/api/v1/devices/enrol", json={
        "username": "leaver", "password": PASSWORD, "device_id": phone["X-Device-Id"]})
    assert relogin.status_code == 401
    reset = await client.post(f"/admin/users/{steward_id}/password", headers=_csrf(client),
                              data={"password": "brand-new-pass"})
    assert reset.status_code == 303
    on = await client.post(f"/admin/users/{steward_id}/active", headers=_csrf(client), data={"active": "true"})
    assert on.status_code == 303
    again = await client.post("/api/v1/devices/enrol", json={
        "username": "leaver", "password": "brand-new-pass", "device_id": phone["X-Device-Id"]})
    assert again.status_code == 201


async def test_desk_revokes_a_stewards_phone_and_re_enrolment_keeps_last_seq(client) -> None:
    steward_id = await make_user("steward", username="wang")
    phone = await enrol(client, "wang")
    device_id = phone["X-Device-Id"]
    await SyncDevice.update({SyncDevice.last_seq: 17}).where(SyncDevice.id == device_id)
    manager_phone = await enrol(client, await _manager(), new_id())
    await _as(client, "desk", "clerk")
    listing = await client.get("/admin/devices")
    assert listing.status_code == 200 and device_id in listing.text
    assert manager_phone["X-Device-Id"] not in listing.text  # the desk does not manage managers
    refused = await client.post(f"/admin/devices/{manager_phone['X-Device-Id']}/revoke", headers=_csrf(client))
    assert refused.status_code == 404

    revoked = await client.post(f"/admin/devices/{device_id}/revoke", headers={**_csrf(client), "HX-Request": "true"})
    assert revoked.status_code == 200 and f'id="device-{device_id}"' in revoked.text
    me = await client.get("/api/v1/me", headers={"Authorization": phone["Authorization"]})
    assert me.status_code == 401 and me.json()["code"] == "device_revoked"
    entry = (await audit.page(action="device_revoke")).entries[0]
    assert entry.target == device_id and entry.detail["owner"] == steward_id

    fresh = await enrol(client, "wang", device_id)  # the steward logs in again on the same phone
    assert (await client.get("/api/v1/me", headers={"Authorization": fresh["Authorization"]})).status_code == 200
    assert await staff.device_seq(device_id) == 17  # the outbox continues from where it stopped


async def _manager() -> str:
    await make_user("manager", username="boss")
    return "boss"


async def test_expired_device_is_refused_with_its_own_code(client) -> None:
    await make_user("steward", username="zhou")
    phone = await enrol(client, "zhou")
    await SyncDevice.update({SyncDevice.expires_at: iso_in(-timedelta(minutes=1))}).where(
        SyncDevice.id == phone["X-Device-Id"])
    me = await client.get("/api/v1/me", headers={"Authorization": phone["Authorization"]})
    assert me.status_code == 401 and me.json()["code"] == "device_expired"


async def test_audit_page_filters_and_pages_by_keyset(client) -> None:
    manager_id = await _as(client, "manager", "mgr")
    for i in range(7):
        await audit.record("export", user_id=manager_id, target=f"report-{i}", detail={"rows": i})
    first = await client.get("/admin/audit", params={"action": "export", "limit": 3})
    assert first.status_code == 200
    assert [f"report-{i}" in first.text for i in (6, 5, 4, 3)] == [True, True, True, False]
    found = (await audit.page(action="export", limit=3))
    second = await client.get("/admin/audit", params={"action": "export", "limit": 3, "before": found.next_before},
                              headers={"HX-Request": "true"})
    assert second.status_code == 200 and "<html" not in second.text
    assert "report-3" in second.text and "report-6" not in second.text and 'id="audit-more"' in second.text
    await client.post("/logout", headers=_csrf(client))
    await _as(client, "desk", "clerk9")
    assert (await client.get("/admin/audit", headers={"Accept": "application/json"})).status_code == 403


async def test_admin_sees_a_lockout_and_unlocks_the_account(client) -> None:
    from server.auth import throttle

    locked_id = await make_user("steward", username="forgetful")
    for _ in range(throttle.MAX_FAILURES):
        await client.post("/api/v1/devices/enrol", json={
            "username": "forgetful", "password": "bad", "device_id": new_id()})
    await _as(client, "admin", "root3")
    page = await client.get("/admin/users")
    assert "解除锁定" in page.text
    unlocked = await client.post(f"/admin/users/{locked_id}/active", data={"active": "true"},
                                 headers={**_csrf(client), "HX-Request": "true"})
    assert unlocked.status_code == 200 and "解除锁定" not in unlocked.text
    assert (await client.post("/api/v1/devices/enrol", json={
        "username": "forgetful", "password": PASSWORD, "device_id": new_id()})).status_code == 201


async def test_the_audit_log_names_things_and_keeps_to_the_readers_estates(client) -> None:
    from tests.factories import make_estate

    ours, theirs = await make_estate(buildings=1, office=False), await make_estate(buildings=1, office=False)
    manager_id = await make_user("manager", username="boss2", estate_ids=[ours.estate_id])
    other_id = await make_user("manager", username="other2", estate_ids=[theirs.estate_id])
    unit = ours.unit_ids[ours.building_ids[0]][0]
    await audit.record("archive_read", user_id=manager_id, target=unit, detail={"units": [unit], "personal": True})
    await audit.record("archive_read", user_id=other_id, target=theirs.unit_ids[theirs.building_ids[0]][0])
    await desk_login(client, "boss2")
    page = (await client.get("/admin/audit")).text
    assert "1-0101" in page and unit not in page  # the unit's code, not its id
    assert "含个人信息" in page and "{" not in page.split('id="audit-table"')[1]  # labelled, not raw JSON
    assert "other2" not in page.split('id="audit-table"')[1]  # another estate's manager's reads are theirs


async def test_a_password_reset_or_a_role_change_ends_the_users_phones(client) -> None:
    """Issue 14, finding 5: the old bearer token kept pulling after a reset."""
    await make_estate(buildings=1)
    steward_id = await make_user("steward", username="lin")
    phone = await enrol(client, "lin")
    await _as(client, "admin", "root3")
    reset = await client.post(f"/admin/users/{steward_id}/password", headers=_csrf(client),
                              data={"password": "brand-new-pass"})
    assert reset.status_code == 303
    me = await client.get("/api/v1/me", headers={"Authorization": phone["Authorization"]})
    assert me.status_code == 401 and me.json()["code"] == "device_revoked"
    again = await client.post("/api/v1/devices/enrol", json={
        "username": "lin", "password": "brand-new-pass", "device_id": phone["X-Device-Id"]})
    assert again.status_code == 201  # the same phone logs in again and keeps its outbox
    token = {"Authorization": "Bearer " + again.json()["token"]}
    role = await client.post(f"/admin/users/{steward_id}/role", headers=_csrf(client), data={"role": "desk"})
    assert role.status_code == 303
    after_role = await client.get("/api/v1/me", headers=token)
    assert after_role.status_code == 401 and after_role.json()["code"] == "device_revoked"


async def test_usernames_are_case_insensitive(client) -> None:
    """Issue 14, finding 10: `ADMIN` could be made beside `admin`."""
    await make_estate(buildings=1)
    await _as(client, "admin", "root4")
    taken = await client.post("/admin/users", headers=_csrf(client), data={
        "username": "ROOT4", "display_name": "冒名", "role": "admin", "password": "another-pass-123"})
    assert taken.status_code == 409, taken.text
    made = await client.post("/admin/users", headers=_csrf(client), data={
        "username": "Zhang.San", "display_name": "张三", "role": "steward", "password": "another-pass-123"})
    assert made.status_code in (200, 303), made.text
    assert (await staff.user_by_username("zhang.san"))["username"] == "zhang.san"
    phone = await client.post("/api/v1/devices/enrol", json={
        "username": "ZHANG.SAN", "password": "another-pass-123", "device_id": new_id()})
    assert phone.status_code == 201
