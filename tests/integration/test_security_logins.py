"""Issue 14, findings 2, 5, 9 and 10 (usernames): login throttling that a stranger cannot
turn against the account's owner, a lock the admin lifts, phone credentials that end with
a new password, CSRF tokens tied to the desk session, usernames in any case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from server.auth import throttle
from server.clock import now_iso
from server.store import audit, staff
from tests.factories import PASSWORD, enrol, make_estate, make_user, new_id
from tests.integration.test_auth_session import CSRF_INPUT, csrf_token, desk_login
from tests.integration.test_cli import env_of, stewardsync
from tests.integration.test_sync_support import steward_phone, ticket_fields

OFFICE = "192.0.2.10"  # the owner's usual address
STRANGER = "203.0.113.66"


@asynccontextmanager
async def from_address(client: httpx.AsyncClient, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser or phone, at ``ip``, on the same app."""
    transport = httpx.ASGITransport(app=client.app, client=(ip, 50000))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


async def _enrol(client: httpx.AsyncClient, username: str, password: str,
                 device_id: str | None = None) -> httpx.Response:
    return await client.post("/api/v1/devices/enrol", json={
        "username": username, "password": password, "device_id": device_id or new_id()})


def _csrf(client: httpx.AsyncClient, htmx: bool = False) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"], **({"HX-Request": "true"} if htmx else {})}


# --- finding 2: nobody can lock another person's account -----------------------------------------

async def test_a_strangers_failures_do_not_lock_the_owner_out(client) -> None:
    """Five wrong passwords from any address locked the account everywhere (423 for the owner)."""
    user_id = await make_user("steward", username="wang")
    async with from_address(client, OFFICE) as owner, from_address(client, STRANGER) as stranger:
        assert (await desk_login(owner, "wang")).status_code == 302  # the owner's usual address
        codes = [(await _enrol(stranger, "wang", f"guess{i}")).status_code for i in range(throttle.MAX_FAILURES)]
        assert codes == [401] * (throttle.MAX_FAILURES - 1) + [423]
        assert (await _enrol(stranger, "wang", PASSWORD)).status_code == 423  # locked there, even when right
        assert (await _enrol(owner, "wang", PASSWORD)).status_code == 201
        owner.cookies.clear()
        assert (await desk_login(owner, "wang")).status_code == 302
    async with from_address(client, "198.51.100.7") as elsewhere:  # a new address is not locked either
        assert (await _enrol(elsewhere, "wang", PASSWORD)).status_code == 201
    [lock] = (await audit.page(action="lockout", user_id=user_id)).entries
    assert lock.ip == STRANGER and lock.detail["reason"] == "account_at_address"
    assert lock.detail["minutes"] == 15 and lock.detail["failures"] == throttle.MAX_FAILURES
    assert (await audit.page(action="rate_limited", user_id=user_id)).entries[0].ip == STRANGER


async def test_guessing_one_account_from_many_addresses_slows_new_places_only(client) -> None:
    user_id = await make_user("steward", username="li")
    phone = new_id()
    async with from_address(client, OFFICE) as owner:
        assert (await desk_login(owner, "li")).status_code == 302
    async with from_address(client, "198.51.100.20") as mobile:
        assert (await _enrol(mobile, "li", PASSWORD, phone)).status_code == 201
    for i in range(throttle.ACCOUNT.threshold):  # one guess from each of many addresses
        async with from_address(client, f"203.0.113.{i + 1}") as stranger:
            assert (await _enrol(stranger, "li", "guess")).status_code == 401
    async with from_address(client, "203.0.113.200") as stranger:
        slowed = await _enrol(stranger, "li", PASSWORD)
        assert slowed.status_code == 429 and slowed.json()["code"] == "too_many_attempts"
        assert 0 < slowed.json()["detail"]["retry_after_s"] <= 61
        assert slowed.json()["detail"]["reason"] == "account"
    async with from_address(client, OFFICE) as owner:  # the owner's address and phone are not held back
        assert (await desk_login(owner, "li")).status_code == 302
    async with from_address(client, "198.51.100.99") as mobile:  # the phone, on a new mobile address
        assert (await _enrol(mobile, "li", PASSWORD, phone)).status_code == 201
    reasons = {e.detail["reason"] for e in (await audit.page(action="lockout", user_id=user_id)).entries}
    assert reasons == {"account"}


def test_waits_double_with_each_failure_up_to_a_limit() -> None:
    def minutes(rule: throttle.Rule) -> list[int]:
        return [int(rule.wait(rule.threshold + i).total_seconds() // 60) for i in range(6)]

    pair = throttle.ACCOUNT_AT_ADDRESS
    assert pair.until(staff.Failures(count=pair.threshold - 1, last=now_iso())) is None
    assert pair.until(staff.Failures(count=pair.threshold, last=now_iso())) is not None
    assert minutes(pair) == [15, 30, 60, 120, 240, 240]
    assert minutes(throttle.ACCOUNT) == [1, 2, 4, 8, 15, 15]
    assert minutes(throttle.ADDRESS) == [15, 30, 60, 60, 60, 60]


async def test_the_address_limit_spares_accounts_that_logged_in_there(client) -> None:
    await make_user("desk", username="clerk")
    await make_user("desk", username="newcomer")
    async with from_address(client, OFFICE) as office:
        assert (await desk_login(office, "clerk")).status_code == 302
        for i in range(throttle.IP_MAX_FAILURES):  # someone in the office sprays usernames
            assert (await _enrol(office, f"guess{i}", "x")).status_code == 401
        held = await _enrol(office, "newcomer", PASSWORD)
        assert held.status_code == 429 and held.json()["detail"]["reason"] == "address"
        assert (await _enrol(office, "clerk", PASSWORD)).status_code == 201


async def test_an_admin_sees_what_is_locked_and_lifts_it(client) -> None:
    await make_estate(buildings=1)
    user_id = await make_user("steward", username="zhou")
    async with from_address(client, STRANGER) as stranger:
        for _ in range(throttle.MAX_FAILURES):
            await _enrol(stranger, "zhou", "bad")
        assert (await _enrol(stranger, "zhou", PASSWORD)).status_code == 423
        await make_user("admin", username="root")
        await desk_login(client, "root")
        page = (await client.get("/admin/users")).text
        row = page.split(f'id="user-{user_id}"')[1].split("</tr>")[0]
        assert STRANGER in row and "解除锁定" in row and 'data-lock="account_at_address"' in row
        lifted = await client.post(f"/admin/users/{user_id}/unlock", headers=_csrf(client, htmx=True))
        assert lifted.status_code == 200 and "已解除锁定" in lifted.text
        assert "/unlock" not in lifted.text and STRANGER not in lifted.text
        assert (await _enrol(stranger, "zhou", PASSWORD)).status_code == 201
    [entry] = (await audit.page(action="unlock")).entries
    admin = await staff.user_by_username("root")
    assert entry.target == user_id and entry.user_id == admin["id"]
    assert entry.detail == {"failures": throttle.MAX_FAILURES}


async def test_the_command_line_lifts_a_lock(client, settings) -> None:
    await make_user("steward", username="sun")
    async with from_address(client, STRANGER) as stranger:
        for _ in range(throttle.MAX_FAILURES):
            await _enrol(stranger, "sun", "bad")
        result = stewardsync("user", "unlock", "SUN", env=env_of(settings))
        assert result.returncode == 0, result.stderr
        assert "sun unlocked (5 failed login(s) forgotten)" in result.stdout
        assert (await _enrol(stranger, "sun", PASSWORD)).status_code == 201
    unknown = stewardsync("user", "unlock", "nobody", env=env_of(settings))
    assert unknown.returncode != 0 and "no user nobody" in unknown.stderr
    assert (await audit.page(action="unlock")).entries[0].user_id is None  # the command line


async def test_usernames_in_any_case_are_one_account(client) -> None:
    """Finding 10: ``Clerk`` logs in ``clerk``, and its failures count in any case."""
    await make_user("desk", username="clerk")
    assert (await desk_login(client, "Clerk")).status_code == 302
    assert (await client.get("/api/v1/me")).json()["username"] == "clerk"
    async with from_address(client, STRANGER) as stranger:
        codes = [(await _enrol(stranger, name, "bad")).status_code
                 for name in ("CLERK", "Clerk", "clerk", "cLeRk", "CLERK ")]
        assert codes == [401] * 4 + [423]


# --- finding 5: a new password ends the phone's credential; a building change narrows it -----------

async def test_user_add_of_an_existing_account_ends_its_phones_and_sessions(client) -> None:
    """``stewardsync user add`` of an existing account resets its password and role: its
    phone kept pulling with the old credential."""
    await make_user("steward", username="lin")
    phone = await enrol(client, "lin")
    await desk_login(client, "lin")
    await staff.add_user("lin", "brand-new-pass", "林管家", "steward")
    me = await client.get("/api/v1/me", headers={"Authorization": phone["Authorization"]})
    assert me.status_code == 401 and me.json()["code"] == "device_revoked"
    assert (await client.get("/api/v1/me")).status_code == 401  # the desk session ended too
    again = await _enrol(client, "lin", "brand-new-pass", phone["X-Device-Id"])
    assert again.status_code == 201  # the same phone logs in again and keeps its outbox


async def test_a_building_taken_away_narrows_the_phone_at_once(client) -> None:
    estate = await make_estate(buildings=2, units_per_building=1)
    first, second = estate.building_ids
    phone = await steward_phone(client, [first, second])
    await phone.pull()
    await make_user("admin", username="root")
    await desk_login(client, "root")
    taken = await client.post(f"/admin/users/{phone.user_id}/buildings", headers=_csrf(client),
                              data={"building_id": [first]})
    assert taken.status_code == 303
    phone.create("ticket", ticket_fields(estate.unit_ids[second][0]))
    [result] = await phone.push()
    assert result["status"] == "rejected" and result["code"] == "out_of_scope"
    page = await phone.pull_page()
    assert page["evict_buildings"] == [second]


# --- finding 9: CSRF tokens tied to the session -------------------------------------------------

async def test_a_token_from_the_login_page_is_refused_in_a_session(client) -> None:
    """Any cookie/token pair was accepted, also one from an anonymous /login page."""
    await make_estate(buildings=1)
    await make_user("admin", username="root")
    async with from_address(client, STRANGER) as stranger:
        pair = await csrf_token(stranger)  # a valid pre-session token and its cookie
    await desk_login(client, "root")
    client.cookies.delete("csrftoken")
    client.cookies.set("csrftoken", pair)
    forged = await client.post("/admin/users", headers={"Accept": "application/json"}, data={
        "username": "planted", "display_name": "x", "role": "admin", "password": "long-enough-1",
        "_csrf_token": pair})
    assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
    assert await staff.user_by_username("planted") is None


async def test_the_token_rotates_at_login_and_logout(client) -> None:
    """A token kept working after logout (the cookie never changed)."""
    await make_user("desk", username="clerk")
    before = await csrf_token(client)
    logged_in = await client.post("/login", data={"username": "clerk", "password": PASSWORD,
                                                  "_csrf_token": before})
    assert logged_in.status_code == 302
    session_token = client.cookies["csrftoken"]
    assert session_token != before
    page = await client.get("/desk/tickets")
    assert CSRF_INPUT.search(page.text).group(1) == session_token  # the forms carry it
    stale = await client.post("/logout", headers={"X-CSRFToken": before, "Accept": "application/json"})
    assert stale.status_code == 403 and stale.json()["code"] == "csrf_failed"  # the login page's: gone

    assert (await client.post("/logout", headers={"X-CSRFToken": session_token})).status_code == 302
    after_logout = client.cookies["csrftoken"]
    assert after_logout not in (before, session_token)
    refused = await client.post("/login", headers={"Accept": "application/json"}, data={
        "username": "clerk", "password": PASSWORD, "_csrf_token": session_token})
    assert refused.status_code == 403  # a closed session's token is no pre-session token
    assert (await desk_login(client, "clerk")).status_code == 302  # a new session
    replayed = await client.post("/logout", headers={"X-CSRFToken": session_token, "Accept": "application/json"})
    assert replayed.status_code == 403 and replayed.json()["code"] == "csrf_failed"
    htmx = await client.post("/logout", headers=_csrf(client, htmx=True))  # desk.js: the cookie's token
    assert htmx.status_code == 302


async def test_the_login_form_needs_its_own_pre_session_token(client) -> None:
    await make_user("desk", username="clerk")
    await csrf_token(client)
    async with from_address(client, STRANGER) as stranger:
        others = await csrf_token(stranger)
    for token in ("", others, "0" * 96):  # none, another browser's, made up
        answer = await client.post("/login", data={"username": "clerk", "password": PASSWORD, "_csrf_token": token})
        assert answer.status_code == 403 and "ss_session" not in client.cookies
