"""Desk sessions: login through the real form (CSRF token included), logout ends the
session, a desk POST without the CSRF token is refused. ``desk_login`` is the helper other
tests use to act as a desk user."""

from __future__ import annotations

import re

import httpx

from server.store import audit
from tests.factories import PASSWORD, make_user

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The CSRF token of a form page (also sets the csrftoken cookie on the client)."""
    page = await client.get(path)
    found = CSRF_INPUT.search(page.text)
    assert found, f"no CSRF token on {path}: {page.status_code}"
    return found.group(1)


async def desk_login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the desk form; the client keeps the session cookie. Returns the answer."""
    token = await csrf_token(client)
    return await client.post("/login", data={"username": username, "password": password,
                                             "_csrf_token": token})


async def test_login_sets_http_only_session_and_logout_revokes_it(client) -> None:
    user_id = await make_user("desk", username="clerk")
    answer = await desk_login(client, "clerk")
    assert answer.status_code in (302, 303), answer.text
    cookie = answer.headers["set-cookie"]
    assert "ss_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    session = client.cookies.get("ss_session")
    me = await client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["user_id"] == user_id

    token = client.cookies.get("csrftoken")
    out = await client.post("/logout", headers={"x-csrftoken": token})
    assert out.status_code in (302, 303)
    # the old cookie no longer works, even replayed by hand
    client.cookies.clear()
    client.cookies.set("ss_session", session)
    replay = await client.get("/api/v1/me")
    assert replay.status_code == 401 and replay.json()["code"] == "not_authenticated"
    actions = [e.action for e in (await audit.page(user_id=user_id)).entries]
    assert actions == ["logout", "login"]


async def test_desk_post_without_csrf_token_is_refused(client) -> None:
    await make_user("desk", username="clerk2")
    await client.get("/login")  # gets the csrftoken cookie, but the form field is left out
    answer = await client.post("/login", data={"username": "clerk2", "password": PASSWORD})
    assert answer.status_code == 403
    assert "ss_session" not in client.cookies
    assert await desk_login(client, "clerk2") is not None and "ss_session" in client.cookies
    logout = await client.post("/logout")  # no token header
    assert logout.status_code == 403
    assert (await client.get("/api/v1/me")).status_code == 200  # still logged in


async def test_wrong_password_page_is_401_and_audited(client) -> None:
    user_id = await make_user("desk", username="clerk3")
    answer = await desk_login(client, "clerk3", "wrong")
    assert answer.status_code == 401 and "ss_session" not in client.cookies
    entries = (await audit.page(action="login_failed")).entries
    assert [(e.user_id, e.target) for e in entries] == [(user_id, "clerk3")]
    assert "wrong" not in repr(entries)  # the password never reaches the log


async def test_phone_logout_revokes_its_credential_and_re_login_continues(client) -> None:
    from server.tables import SyncDevice
    from tests.factories import enrol

    user_id = await make_user("steward", username="phone.user")
    phone = await enrol(client, "phone.user")
    auth = {"Authorization": phone["Authorization"]}
    await SyncDevice.update({SyncDevice.last_seq: 9}).where(SyncDevice.id == phone["X-Device-Id"])
    out = await client.post("/api/v1/devices/logout", headers=auth)
    assert out.status_code == 204
    after = await client.get("/api/v1/me", headers=auth)
    assert after.status_code == 401 and after.json()["code"] == "device_revoked"
    assert (await audit.page(action="logout", user_id=user_id)).entries[0].target == phone["X-Device-Id"]
    again = await enrol(client, "phone.user", phone["X-Device-Id"])
    me = await client.get("/api/v1/me", headers={"Authorization": again["Authorization"]})
    assert me.status_code == 200
    from server.store import staff
    assert await staff.device_seq(phone["X-Device-Id"]) == 9
    await make_user("desk", username="desk.user")
    await desk_login(client, "desk.user")
    no_device = await client.post("/api/v1/devices/logout")  # a desk session has no phone
    assert no_device.status_code == 400 and no_device.json()["code"] == "device_required"


async def test_pages_and_api_carry_security_headers(client) -> None:
    for path in ("/", "/login", "/health", "/app/"):
        response = await client.get(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff", path
