"""Hostile input and the edges of scope: a revoked or expired phone changes nothing; a
steward never reaches another steward's buildings through pull, push, photos or pages;
oversized, malformed and poisoned input gets a clear 4xx and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import iso_in
from server.store import staff
from server.tables import SyncDevice
from tests.factories import PASSWORD, enrol, make_user, new_id
from tests.integration.test_auth_session import desk_login
from tests.integration.test_sync_support import (
    STATE_TABLES, Phone, estate_and_phone, jpeg, sha, steward_phone, table_counts, ticket_fields,
)


def _no_server_error(response) -> None:
    assert response.status_code < 500, response.text


# --- revoked and expired phones ---------------------------------------------------------

async def test_revoked_phone_push_changes_nothing_and_its_outbox_continues_after_login(client) -> None:
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(unit, "第一单"))
    await phone.push()
    phone.create("ticket", ticket_fields(unit, "停用后记录的"))  # captured in the basement
    await staff.revoke_device(phone.device_id)
    before = await table_counts(*STATE_TABLES)
    refused = await phone.post_push(phone.outbox)
    assert refused.status_code == 401 and refused.json()["code"] == "device_revoked"
    assert "重新登录" in refused.json()["message"]
    pull = await client.post("/api/v1/sync/pull", headers=phone.headers,
                             json={"protocol": 2, "device_id": phone.device_id})
    assert pull.status_code == 401 and pull.json()["code"] == "device_revoked"
    assert await table_counts(*STATE_TABLES) == before
    assert await staff.device_seq(phone.device_id) == 1

    principal = await staff.principal_of(phone.user_id)
    phone.headers = await enrol(client, principal.username, phone.device_id)  # logs in again
    [result] = await phone.push()  # the same outbox, seq 2, goes through
    assert result["seq"] == 2 and result["status"] == "applied"
    assert await staff.device_seq(phone.device_id) == 2


async def test_expired_phone_push_changes_nothing(client) -> None:
    estate, phone = await estate_and_phone(client)
    phone.create("ticket", ticket_fields(estate.unit_ids[estate.building_ids[0]][0]))
    await SyncDevice.update({SyncDevice.expires_at: iso_in(-timedelta(seconds=1))}).where(
        SyncDevice.id == phone.device_id)
    before = await table_counts(*STATE_TABLES)
    refused = await phone.post_push(phone.outbox)
    assert refused.status_code == 401 and refused.json()["code"] == "device_expired"
    assert await table_counts(*STATE_TABLES) == before


# --- one steward, another steward's buildings -------------------------------------------

async def _two_stewards(client) -> tuple[object, Phone, Phone, dict[str, str]]:
    estate, mine = await estate_and_phone(client, buildings=2, assigned=1)
    theirs = await steward_phone(client, [estate.building_ids[1]])
    their_unit = estate.unit_ids[estate.building_ids[1]][0]
    ticket_id = theirs.create("ticket", ticket_fields(their_unit, "别人的工单"))
    finding_id = theirs.create("finding", {"kind": "public_damage", "unit_id": their_unit,
                                           "occurred_at": "2026-11-22T08:00:00.000Z"})
    photo = jpeg(b"their photo")
    theirs.create("attachment", {"sha256": sha(photo), "parent_collection": "finding",
                                 "parent_id": finding_id, "mime": "image/jpeg", "size": len(photo)})
    await theirs.sync()
    stored = await client.put(f"/api/v1/attachments/{sha(photo)}", content=photo, headers=theirs.headers)
    assert stored.status_code == 201
    return estate, mine, theirs, {"ticket": ticket_id, "finding": finding_id, "photo": sha(photo),
                                  "unit": their_unit}


async def test_steward_cannot_pull_push_fetch_photos_or_open_pages_of_other_buildings(client) -> None:
    estate, mine, theirs, their = await _two_stewards(client)
    other_building = estate.building_ids[1]

    await mine.pull()
    seen = {row.get("building_id") for row in mine.replica.values()}
    assert other_building not in seen
    assert ("ticket", their["ticket"]) not in mine.replica
    assert ("finding", their["finding"]) not in mine.replica

    before = await table_counts(*STATE_TABLES[:-3])
    mine.replica[("ticket", their["ticket"])] = {"id": their["ticket"], "title": "别人的工单", "version": 1}
    mine.update("ticket", their["ticket"], {"title": "篡改"})
    mine.create("ticket", ticket_fields(their["unit"], "越界新建"))
    results = await mine.push()
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert all(r["code"] in ("out_of_scope", "not_found") for r in results), results
    after = await table_counts(*STATE_TABLES[:-3])
    assert {k: v for k, v in after.items() if k != "applied_mutation"} == \
        {k: v for k, v in before.items() if k != "applied_mutation"}
    await theirs.pull()
    assert theirs.replica[("ticket", their["ticket"])]["title"] == "别人的工单"

    photo = await client.get(f"/api/v1/attachments/{their['photo']}", headers=mine.headers)
    assert photo.status_code == 404 and photo.content.find(b"their photo") == -1
    assert (await client.get(f"/api/v1/attachments/{their['photo']}", headers=theirs.headers)).status_code == 200

    principal = await staff.principal_of(mine.user_id)
    assert (await desk_login(client, principal.username)).status_code in (302, 303)
    for path in (f"/desk/tickets/{their['ticket']}", "/desk/tickets", "/admin/devices"):
        page = await client.get(path, headers={"Accept": "application/json"})
        assert page.status_code == 403, (path, page.status_code)


# --- malformed, oversized and poisoned input --------------------------------------------

async def test_login_and_enrolment_refuse_poisoned_fields_cleanly(client) -> None:
    await make_user("desk", username="clerk")
    for body in (
        {"username": "x" * 10_000, "password": PASSWORD, "device_id": new_id()},
        {"username": "cle\x00rk", "password": PASSWORD, "device_id": new_id()},
        {"username": "clerk", "password": PASSWORD, "device_id": "../../etc/passwd"},
        {"username": "clerk", "password": PASSWORD, "device_id": new_id(), "role": "admin"},
        {"username": ["clerk"], "password": PASSWORD, "device_id": new_id()},
    ):
        answer = await client.post("/api/v1/devices/enrol", json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["code"] in ("invalid_request", "malformed_json", "invalid_characters")
        assert answer.json()["message"]
    broken = await client.post("/api/v1/devices/enrol", content=b'{"username": ',
                               headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    await client.get("/login")
    form = await client.post("/login", data={"username": "a\x00b", "password": "x",
                                             "_csrf_token": client.cookies.get("csrftoken")})
    _no_server_error(form)
    assert form.status_code == 400
    assert await staff.failures_since("2000-01-01T00:00:00.000Z") == 0  # nothing was recorded


@pytest.mark.parametrize("path", [
    "/admin/users/%00/role", "/desk/tickets/%00", "/api/v1/attachments/%00",
    "/admin/audit?target=%00", "/static/..%2f..%2fserver%2fsettings.py", "/static/%2e%2e/%2e%2e/pyproject.toml",
])
async def test_nul_and_traversal_in_addresses_are_refused(client, path: str) -> None:
    await make_user("admin", username="root")
    await desk_login(client, "root")
    answer = await client.request("POST" if path.endswith("/role") else "GET", path,
                                  headers={"X-CSRFToken": client.cookies.get("csrftoken") or ""})
    _no_server_error(answer)
    assert answer.status_code in (400, 403, 404), answer.status_code
    assert b"STEWARDSYNC_" not in answer.content and b"[project]" not in answer.content


async def test_admin_forms_refuse_control_characters_and_oversize_values(client) -> None:
    await make_user("admin", username="root")
    await desk_login(client, "root")
    headers = {"X-CSRFToken": client.cookies.get("csrftoken") or ""}
    for data in ({"username": "ok.name", "display_name": "坏\x00名", "role": "desk", "password": "long-enough"},
                 {"username": "ok.name", "display_name": "名" * 51, "role": "desk", "password": "long-enough"},
                 {"username": "ok.name", "display_name": "名", "role": "desk", "password": "p" * 201}):
        answer = await client.post("/admin/users", data=data, headers=headers)
        assert answer.status_code == 400, answer.text
    assert await staff.user_by_username("ok.name") is None
    for query in ({"limit": "0"}, {"limit": "100000"}, {"before": "-5"}, {"since": "not-a-date"}):
        assert (await client.get("/admin/audit", params=query)).status_code == 400


async def test_nul_in_any_json_or_form_body_is_refused_before_it_reaches_the_database(client) -> None:
    """PostgreSQL cannot store NUL in text: refused at the edge for every route, API and desk."""
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", {**ticket_fields(unit), "description": "a\x00b"})
    before = await table_counts(*STATE_TABLES)
    pushed = await phone.post_push(phone.outbox)
    assert pushed.status_code == 400 and pushed.json()["code"] == "invalid_characters"
    await make_user("desk", username="clerk")
    await desk_login(client, "clerk")
    headers = {"X-CSRFToken": client.cookies.get("csrftoken") or "", "Accept": "application/json"}
    intake = await client.post("/desk/intake", data={"kind": "repair", "description": "漏水\x00"}, headers=headers)
    assert intake.status_code == 400 and intake.json()["code"] == "invalid_characters"
    assert await table_counts(*STATE_TABLES) == before
    # an escaped backslash before "u0000" is ordinary text, not NUL
    phone.outbox[0]["fields"]["description"] = "路径 C:\\u0000 写错了"
    assert (await phone.post_push(phone.outbox)).json()["results"][0]["status"] == "applied"


PUSH_POISON = {
    "a 100,000-character title": {"title": "长" * 100_000},
    "an integer beyond 64 bits": {"satisfaction": 10 ** 30},
}


@pytest.mark.parametrize("case", list(PUSH_POISON))
async def test_pushed_fields_that_cannot_be_stored_are_rejected_not_500(client, case: str) -> None:
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", {**ticket_fields(unit), **PUSH_POISON[case]})
    before = await table_counts("ticket", "ticket_event", "change_log")
    answer = await phone.post_push(phone.outbox)
    _no_server_error(answer)
    assert answer.status_code == 400 or answer.json()["results"][0]["status"] == "rejected"
    assert await table_counts("ticket", "ticket_event", "change_log") == before
