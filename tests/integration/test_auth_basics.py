"""The auth core: desk login, device enrolment, bearer credentials."""

from __future__ import annotations

from tests.factories import PASSWORD, enrol, make_user, new_id


async def test_enrolled_device_authenticates_and_foreign_device_id_is_refused(client) -> None:
    await make_user("steward", username="wang")
    await make_user("steward", username="li")
    headers = await enrol(client, "wang")
    me = await client.get("/api/v1/me", headers={"Authorization": headers["Authorization"]})
    assert me.status_code == 200 and me.json()["device_id"] == headers["X-Device-Id"]
    taken = await client.post("/api/v1/devices/enrol", json={
        "username": "li", "password": PASSWORD, "device_id": headers["X-Device-Id"]})
    assert taken.status_code == 409 and taken.json()["code"] == "device_taken"


async def test_wrong_password_and_bad_credential_are_refused(client) -> None:
    await make_user("desk", username="desk1")
    bad = await client.post("/api/v1/devices/enrol", json={
        "username": "desk1", "password": "nope", "device_id": new_id()})
    assert bad.status_code == 401 and bad.json()["code"] == "bad_credentials"
    unknown = await client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert unknown.status_code == 401 and unknown.json()["code"] == "invalid_credential"
    anonymous = await client.get("/api/v1/me")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
