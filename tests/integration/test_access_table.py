"""Every route × every role (and anonymous) against ONE expected-access table.

The table below is written by hand, independently of ``server.policy.ACCESS``: the test
walks ``app.routes`` (every handler, every method), so a new route without a line here
fails, and so does a line whose route is gone. A request counts as *refused* when the
access guard answers it (401/403 with the guard's codes, or a redirect to the login page
for a page); anything else (200, 400 for the empty body sent, 404 for a plausible id…)
means the route let that role in.
"""

from __future__ import annotations

import httpx

from server.policy import ACCESS
from server.store import staff
from tests.factories import make_estate, make_user, new_id

S, D, M, A, C, E, ANON = "steward", "desk", "manager", "admin", "company", "engineer", "anonymous"
ROLES = (S, D, M, A, C, E)
EVERYONE = frozenset({S, D, M, A, C, E, ANON})
STAFF = frozenset(ROLES)
OFFICE = frozenset({D, M, A})
MANAGEMENT = frozenset({M, A})
ADMIN = frozenset({A})

EXPECTED: dict[str, frozenset[str]] = {
    # site, docs, static files
    "GET /": EVERYONE,
    "GET /health": EVERYONE,
    "GET /favicon.ico": EVERYONE,
    "GET /static/{file_path:path}": EVERYONE,
    "HEAD /static/{file_path:path}": EVERYONE,
    "GET /vendor/{file_path:path}": EVERYONE,
    "HEAD /vendor/{file_path:path}": EVERYONE,
    "GET /api/docs": EVERYONE,
    "GET /api/docs/scalar": EVERYONE,
    "GET /api/docs/{path:str}": EVERYONE,
    "GET /api/docs/openapi.json": EVERYONE,
    # auth
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": STAFF,
    "POST /api/v1/devices/enrol": EVERYONE,
    "GET /api/v1/me": STAFF,
    "POST /api/v1/devices/logout": STAFF,
    # admin
    "GET /admin/users": ADMIN,
    "POST /admin/users": ADMIN,
    "POST /admin/users/{user_id:str}/role": ADMIN,
    "POST /admin/users/{user_id:str}/active": ADMIN,
    "POST /admin/users/{user_id:str}/password": ADMIN,
    "POST /admin/users/{user_id:str}/unlock": ADMIN,
    "POST /admin/users/{user_id:str}/buildings": ADMIN,
    "POST /admin/users/{user_id:str}/team": ADMIN,
    "GET /admin/devices": OFFICE,
    "POST /admin/devices/{device_id:str}/revoke": OFFICE,
    "GET /admin/audit": MANAGEMENT,
    "GET /admin/ledger": MANAGEMENT,
    "GET /admin/ledger/template.xlsx": MANAGEMENT,
    "GET /admin/ledger/estate.xlsx": MANAGEMENT,
    "POST /admin/ledger/preview": MANAGEMENT,
    "POST /admin/ledger/apply": MANAGEMENT,
    # sync API
    "POST /api/v1/sync/push": STAFF,
    "POST /api/v1/sync/pull": STAFF,
    "GET /api/v1/attachments/{sha256:str}": STAFF,
    "HEAD /api/v1/attachments/{sha256:str}": STAFF,
    "PUT /api/v1/attachments/{sha256:str}": STAFF,
    # desk pages
    "GET /desk": OFFICE,
    "GET /desk/tickets": OFFICE,
    "GET /desk/intake": OFFICE,
    "POST /desk/estate/choose": OFFICE,
    "POST /desk/intake": OFFICE,
    "GET /desk/intake/owners": OFFICE,
    "GET /desk/tickets/{ticket_id:str}": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/transition": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/assign": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/dispatch": OFFICE,
    "GET /desk/roster": OFFICE,
    "POST /desk/roster": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/promise": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/sign-off": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/callback": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/escalate": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/validity": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/paid-service": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/note": OFFICE,
    "GET /desk/escalations": OFFICE,
    "POST /desk/escalations/sweep": OFFICE,
    "GET /desk/callbacks": OFFICE,
    "GET /desk/duplicates": OFFICE,
    "POST /desk/duplicates": OFFICE,
    "GET /desk/archive": OFFICE,  # owners' personal data: desk and above, never stewards
    "GET /desk/archive/units/{unit_id:str}": OFFICE,
    "POST /desk/archive/households/{household_id:str}/id-number": OFFICE,
    # the estate's structure (issue 12): the manager and the admin shape it, the desk marks
    # occupancy and records households, their corrections and changes (过户, tenants)
    "GET /desk/estate": OFFICE,
    "POST /desk/estate/buildings": MANAGEMENT,
    "GET /desk/settings/time-limits": MANAGEMENT,
    "POST /desk/settings/time-limits": MANAGEMENT,
    "GET /desk/settings/paid-services": MANAGEMENT,
    "GET /desk/renovations": OFFICE,
    "POST /desk/renovations": OFFICE,
    "GET /desk/renovations/{renovation_id:str}": OFFICE,
    "POST /desk/renovations/{renovation_id:str}/step": OFFICE,
    "POST /desk/renovations/{renovation_id:str}/papers": OFFICE,
    "GET /desk/settings/renovation-fees": MANAGEMENT,
    "POST /desk/settings/renovation-fees": MANAGEMENT,
    "POST /desk/settings/paid-services": MANAGEMENT,
    # 入住办理, 钥匙登记 (issue 18): the office's; the 物业费 rates the manager's
    "GET /desk/move-ins": OFFICE,
    "POST /desk/move-ins": OFFICE,
    "GET /desk/move-ins/{move_in_id:str}": OFFICE,
    "POST /desk/move-ins/{move_in_id:str}/step": OFFICE,
    "GET /desk/keys": OFFICE,
    "POST /desk/keys": OFFICE,
    "POST /desk/keys/{key_id:str}/out": OFFICE,
    "POST /desk/keys/{key_id:str}/back": OFFICE,
    "GET /desk/settings/property-fees": MANAGEMENT,
    "POST /desk/settings/property-fees": MANAGEMENT,
    "GET /desk/settings/familiarity": MANAGEMENT,
    "POST /desk/settings/familiarity": MANAGEMENT,
    "GET /desk/familiarity": OFFICE,
    "GET /desk/visit-plans": OFFICE,
    "GET /desk/assessments": MANAGEMENT,
    "POST /desk/assessments": MANAGEMENT,
    "POST /desk/assessments/{assessment_id:str}/finish": MANAGEMENT,
    "POST /desk/visit-plans/lines": OFFICE,
    "POST /desk/visit-plans/lines/{line_id:str}/remove": OFFICE,
    "POST /desk/visit-plans/approve": MANAGEMENT,
    "GET /desk/surveys": OFFICE,
    "GET /desk/settings/surveys": MANAGEMENT,
    "POST /desk/settings/surveys": MANAGEMENT,
    "POST /desk/surveys": OFFICE,
    "GET /desk/surveys/{campaign_id:str}": OFFICE,
    "POST /desk/surveys/{campaign_id:str}/questions": OFFICE,
    "POST /desk/surveys/{campaign_id:str}/open": OFFICE,
    "POST /desk/surveys/{campaign_id:str}/close": OFFICE,
    "POST /desk/surveys/{campaign_id:str}/answers": OFFICE,
    "POST /desk/surveys/{campaign_id:str}/actions": OFFICE,
    "GET /desk/survey-actions": OFFICE,
    "POST /desk/survey-actions/{action_id:str}": OFFICE,
    # fee reminders (催缴, issue 16): the office reads the rates, the arrears and the log,
    # records payments and prints notices; the manager sets the calendar and targets
    "GET /desk/fees": OFFICE,
    "GET /desk/fees/units/{unit_id:str}": OFFICE,
    "POST /desk/fees/bills/{bill_id:str}/payment": OFFICE,
    "GET /desk/fees/notices": OFFICE,
    "GET /desk/settings/fees": MANAGEMENT,
    "POST /desk/settings/fees": MANAGEMENT,
    "GET /desk/estate/buildings/{building_id:str}": OFFICE,
    "POST /desk/estate/buildings/{building_id:str}": MANAGEMENT,
    "POST /desk/estate/buildings/{building_id:str}/units": MANAGEMENT,
    "POST /desk/archive/units/{unit_id:str}": MANAGEMENT,
    "POST /desk/archive/units/{unit_id:str}/occupancy": OFFICE,
    "POST /desk/archive/units/{unit_id:str}/household": OFFICE,
    "POST /desk/archive/households/{household_id:str}": OFFICE,
    "POST /desk/archive/households/{household_id:str}/change": OFFICE,
    "GET /desk/vacant": OFFICE,
    "GET /desk/patrols": OFFICE,
    "GET /desk/reports": OFFICE,
    "POST /desk/reports/{finding_id:str}": OFFICE,
    "GET /desk/meters": OFFICE,
    "POST /desk/meters/readings/{reading_id:str}": OFFICE,
    "GET /desk/meters/list": OFFICE,
    "POST /desk/meters/list": MANAGEMENT,
    "GET /desk/meters/sheet": OFFICE,
    "GET /desk/settings/meters": MANAGEMENT,
    "POST /desk/settings/meters": MANAGEMENT,
    "GET /desk/stewards": OFFICE,
    "GET /desk/conflicts": OFFICE,  # design.md: the desk sees conflicts and can reverse them
    "POST /desk/conflicts/{conflict_id:str}": OFFICE,
    "GET /desk/export/{name:str}": OFFICE,
    "GET /desk/kpi": MANAGEMENT | {C},  # the company reads every estate's KPIs, and nothing else
    "GET /desk/kpi/estates": MANAGEMENT | {C},
    "GET /desk/kpi/records": MANAGEMENT | {C},  # the records behind a figure; the company without names
    "GET /desk/live": OFFICE | {C},
    # phone app shell (holds no data)
    "GET /app": EVERYONE,
    "GET /sw.js": EVERYONE,
    "GET /app/manifest.webmanifest": EVERYONE,
    "GET /app/messages.json": EVERYONE,
    "GET /api/v1/schema.json": EVERYONE,  # the records' JSON Schema, beside the OpenAPI
    "GET /app/schema.json": EVERYONE,  # the phone's vocabularies from the server's schemas
}

GUARD_CODES = {"not_authenticated", "forbidden", "route_not_in_policy"}


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every handler of the app; OPTIONS (Litestar's automatic
    preflight answer, which carries no data) is checked separately."""
    found = []
    for route in app.routes:
        for method in getattr(route, "route_handler_map", {}):
            if method != "OPTIONS":
                found.append((method, route.path))
    return sorted(set(found))


def fill(path: str, ids: dict[str, str]) -> str:
    """A plausible concrete path: known ids for known parameter names, else a fresh id."""
    out = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1].split(":")[0]
            out.append(ids.get(name, new_id()))
        else:
            out.append(part)
    return "/".join(out)


def refused(response: httpx.Response) -> bool:
    if response.status_code in (401, 403):
        try:
            return response.json().get("code") in GUARD_CODES
        except ValueError:
            return True
    if response.status_code in (302, 303, 307):
        return response.headers.get("location", "").startswith("/login?next=")
    return False


class Actors:
    """Users of every role; each request gets a fresh session or device credential, so
    that a route that logs out or revokes cannot disturb the next check."""

    def __init__(self, user_ids: dict[str, str], csrf_cookie: str) -> None:
        self.user_ids = user_ids
        self.csrf_cookie = csrf_cookie

    async def credentials(self, role: str, path: str) -> tuple[dict[str, str], dict[str, str]]:
        headers = {"X-CSRFToken": self.csrf_cookie}
        cookies = {"csrftoken": self.csrf_cookie}
        if role == ANON:
            return headers, cookies
        if path.startswith("/api/"):
            token, _ = await staff.enrol_device(self.user_ids[role], new_id(), "access test", 1)
            headers["Authorization"] = "Bearer " + token
        else:
            cookies["ss_session"] = await staff.open_session(self.user_ids[role])
        return headers, cookies


async def _setup(client: httpx.AsyncClient) -> tuple[Actors, dict[str, str]]:
    estate = await make_estate(buildings=1, units_per_building=1)
    user_ids = {role: await make_user(role, building_ids=estate.building_ids if role == S else None)
                for role in ROLES}
    victim = await make_user("steward", building_ids=estate.building_ids)
    victim_device = new_id()
    await staff.enrol_device(victim, victim_device, "victim", 1)
    await client.get("/login")
    csrf = client.cookies.get("csrftoken")
    assert csrf, "the login page sets the CSRF cookie"
    client.cookies.clear()
    ids = {"user_id": victim, "device_id": victim_device, "ticket_id": new_id(), "sha256": "a" * 64,
           "unit_id": estate.unit_ids[estate.building_ids[0]][0], "name": "tickets",
           "building_id": estate.building_ids[0], "path": "openapi.json"}
    return Actors(user_ids, csrf), ids


async def test_every_route_has_an_expected_access_line(client) -> None:
    keys = {f"{method} {path}" for method, path in app_routes(client.app)}
    assert sorted(keys - EXPECTED.keys()) == [], "routes without a line in EXPECTED"
    assert sorted(EXPECTED.keys() - keys) == [], "lines in EXPECTED for routes that no longer exist"
    names = {handler.name for route in client.app.routes
             for handler in _handlers(route) if handler.name}
    assert sorted(set(ACCESS) - names) == [], "ACCESS entries for handlers that no longer exist"


def _handlers(route) -> list:
    found = []
    for value in getattr(route, "route_handler_map", {}).values():
        found.append(value[0] if isinstance(value, tuple) else value)
    return found


async def test_every_route_and_role_against_the_table(client) -> None:
    actors, ids = await _setup(client)
    static_files = {"/static/": "desk.css", "/vendor/": "htmx.org/dist/htmx.min.js"}
    mismatches = []
    for method, path in app_routes(client.app):
        expected = EXPECTED.get(f"{method} {path}")
        if expected is None:
            continue  # reported by the test above
        url = fill(path, {**ids, "file_path": next((f for p, f in static_files.items() if path.startswith(p)), "x")})
        for role in (*ROLES, ANON):
            headers, cookies = await actors.credentials(role, path)
            client.cookies.clear()
            for name, value in cookies.items():
                client.cookies.set(name, value)
            body = b"" if method in ("GET", "HEAD") else b"{}"
            response = await client.request(method, url, headers={**headers, "Content-Type": "application/json"},
                                            content=body)
            if refused(response) == (role in expected):
                mismatches.append(f"{method} {path} as {role}: {response.status_code} "
                                  f"{'refused' if refused(response) else 'allowed'}, expected "
                                  f"{'allowed' if role in expected else 'refused'} {response.text[:80]!r}")
    client.cookies.clear()
    assert not mismatches, "\n".join(mismatches)


async def test_options_preflight_never_carries_data(client) -> None:
    """Litestar answers OPTIONS itself: whatever the guard says, no body leaks."""
    for method, path in app_routes(client.app):
        response = await client.options(fill(path, {"file_path": "desk.css", "path": "openapi.json"}))
        assert response.status_code in (204, 401, 403, 302), (path, response.status_code)
        assert response.status_code != 204 or response.content == b""


# --- the estate dimension (issue 11) ------------------------------------------------------------
#
# An office account of estate A, whatever its role, answers 404 (or an empty list) for every
# page, action and export about estate B's records, and never shows B's data in a list, a
# count, a KPI or an export. ``seed_estate`` gives both estates one of everything; every text
# of B's records holds "乙", and B's ids are looked for too.


def b_ids(b) -> set[str]:
    """Every id of estate B's records (none may appear on A's pages)."""
    return {b.estate.estate_id, *b.estate.building_ids, *(u for us in b.estate.unit_ids.values() for u in us),
            *b.estate.household_ids.values(), *b.stewards, b.device_id, b.open_ticket, b.escalated_ticket,
            b.callback_ticket, b.complaint_ticket, *b.findings, b.linked_finding, b.conflict_id}


async def as_user(client: httpx.AsyncClient, user_id: str) -> dict[str, str]:
    """A desk session of ``user_id`` on ``client``; returns the CSRF header for posts: the
    session's own token, from a page it opened (issue 14, finding 9: this helper used the token
    of an anonymous page, which a session no longer accepts)."""
    client.cookies.clear()
    client.cookies.set("ss_session", await staff.open_session(user_id))
    await client.get("/login")
    return {"x-csrftoken": client.cookies["csrftoken"]}


def b_pages(b) -> list[str]:
    return [
        "/desk/tickets", "/desk/tickets?overdue=true", f"/desk/tickets?building_id={b.building_id}",
        "/desk/intake/owners?q=139", "/desk/intake/owners?q=1-", "/desk/archive?q=乙方", "/desk/archive?q=1-",
        "/desk/callbacks", "/desk/escalations", "/desk/duplicates", "/desk/vacant",
        f"/desk/vacant?building_id={b.building_id}", "/desk/patrols", "/desk/stewards", "/desk/familiarity", "/desk/visit-plans", "/desk/conflicts?all=true",
        "/desk/kpi", f"/desk/kpi?building_id={b.building_id}", "/desk/kpi/records?kpi=satisfaction&part=denominator",
        "/desk/kpi/records?kpi=owner_familiarity&part=numerator", "/admin/devices", "/admin/users",
    ]


def b_actions(b) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, form) of every page and action on one of B's records."""
    t = f"/desk/tickets/{b.open_ticket}"
    return [
        ("GET", t, {}),
        ("POST", f"{t}/transition", {"version": "1", "base_status": "received", "to_status": "dispatched"}),
        ("POST", f"{t}/assign", {"version": "1", "assignee": "工程部"}),
        ("POST", f"{t}/promise", {"version": "1", "promised_date": "2030-01-01"}),
        ("POST", f"{t}/sign-off", {"version": "1"}),
        ("POST", f"/desk/tickets/{b.callback_ticket}/callback",
         {"version": "1", "base_status": "done", "satisfaction": "5"}),
        ("POST", f"{t}/escalate", {"version": "1"}),
        ("POST", f"{t}/validity", {"version": "1", "invalid_category": "outside_contract"}),
        ("POST", f"{t}/paid-service", {"version": "1", "base_line": "{}", "paid_item": "tap"}),
        ("POST", f"{t}/note", {"note": "甲方备注"}),
        ("GET", f"/desk/archive/units/{b.unit_id}", {}),
        ("POST", f"/desk/archive/households/{b.household_id}/id-number", {}),
        ("POST", f"/desk/conflicts/{b.conflict_id}", {"version": "1", "decision": "take_other"}),
        ("POST", "/desk/duplicates", {"finding_ids": ",".join(b.findings), "decision": "confirm"}),
        ("POST", "/desk/intake", {"kind": "repair", "description": "甲方报修", "unit_id": b.unit_id}),
        ("POST", f"/admin/devices/{b.device_id}/revoke", {}),
        ("POST", f"/admin/users/{b.stewards[0]}/buildings", {"building_id": b.building_id}),
        ("POST", f"/admin/users/{b.stewards[0]}/active", {"active": "false"}),
        ("POST", f"/admin/users/{b.stewards[0]}/role", {"role": "desk"}),
        ("POST", f"/admin/users/{b.stewards[0]}/unlock", {}),
    ]


async def test_office_roles_of_one_estate_see_nothing_of_another(client) -> None:
    from server.desk.registry import export_lists
    from server.tables import Conflict, Finding, SyncDevice, Ticket, TicketEvent
    from tests.integration.test_scope_estates import seed_estate

    a = await seed_estate("甲")
    b = await seed_estate("乙", office=False)
    hidden = b_ids(b)
    before = {t["id"]: t for t in await Ticket.select().where(Ticket.estate_id == b.estate.estate_id)}
    problems = []
    for role in (D, M, A):
        user_id = await make_user(role, estate_ids=[a.estate.estate_id])
        csrf_header = await as_user(client, user_id)
        exports = [f"/desk/export/{name}.{fmt}" for name in export_lists() for fmt in ("csv", "xlsx")]
        for path in b_pages(b) + [e + ("?q=1-" if "archive" in e else "") for e in exports]:
            response = await client.get(path)
            if response.status_code in (401, 403):  # a page of a higher role: refused anyway
                continue
            body = _xlsx_text(response) if ".xlsx" in path else response.text
            for echoed in httpx.URL(path).params.values():  # the page repeats what was asked
                body = body.replace(echoed, "").replace(str(httpx.QueryParams({"q": echoed}))[2:], "")
            if response.status_code != 200:
                problems.append(f"{role} GET {path}: {response.status_code}")
            elif "乙" in body or any(i in body for i in hidden):
                problems.append(f"{role} GET {path}: shows estate B")
        for method, path, form in b_actions(b):
            response = await client.request(method, path, headers=csrf_header, data=form or None)
            if response.status_code in (401, 403) and response.json().get("code") in GUARD_CODES:
                continue  # the route is not this role's at all
            expected = {"/desk/duplicates": (409,), "/desk/intake": (422,)}.get(path, (404,))
            if response.status_code not in expected:
                problems.append(f"{role} {method} {path}: {response.status_code} {response.text[:120]!r}")
        swept = await client.post("/desk/escalations/sweep", headers=csrf_header)
        assert swept.status_code in (200, 303)
    after = {t["id"]: t for t in await Ticket.select().where(Ticket.estate_id == b.estate.estate_id)}
    assert after == before, "nothing of B's tickets changed (actions refused, the sweep stayed in A)"
    assert not await TicketEvent.exists().where(TicketEvent.ticket_id.is_in(list(before))
                                                & (TicketEvent.body != "乙方备注标记"))
    assert all(f["ticket_id"] is None for f in await Finding.select(Finding.ticket_id).where(
        Finding.id.is_in(b.findings)))
    assert (await Conflict.select(Conflict.status).where(Conflict.id == b.conflict_id).first())["status"] == "open"
    assert (await SyncDevice.select(SyncDevice.revoked_at).where(SyncDevice.id == b.device_id).first())[
        "revoked_at"] is None
    assert (await staff.user_by_id(b.stewards[0])).building_ids == [b.building_id]
    client.cookies.clear()
    assert not problems, "\n".join(problems)


def _xlsx_text(response: httpx.Response) -> str:
    import io

    from openpyxl import load_workbook

    if response.status_code != 200:
        return ""
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row)
                     for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


async def test_a_role_not_in_the_role_table_sees_nothing(client) -> None:
    """A staff row with a role nobody described (inserted straight into the table) logs in
    or pulls, and sees nothing: scopes fail closed."""
    from server.auth.passwords import hash_password
    from server.clock import now_iso
    from server.tables import StaffEstate, StaffUser
    from tests.factories import PASSWORD
    from tests.integration.test_scope_estates import seed_estate

    a = await seed_estate("甲")
    gardener = new_id()
    await StaffUser.insert(StaffUser(id=gardener, username="gardener1", display_name="园艺工", role="gardener",
                                     password_hash=hash_password(PASSWORD), created_at=now_iso()))
    await StaffEstate.insert(StaffEstate(user_id=gardener, estate_id=a.estate.estate_id))
    await staff.assign_buildings(gardener, [a.building_id])
    await client.get("/login")
    await client.post("/login", data={"username": "gardener1", "password": PASSWORD, "next": "/desk",
                                      "_csrf_token": client.cookies["csrftoken"]})
    for path in ("/desk", "/desk/tickets", f"/desk/tickets/{a.open_ticket}", "/desk/export/tickets.csv",
                 "/admin/devices"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303, 401, 403, 404), (path, response.status_code)
        assert "甲方" not in response.text and a.open_ticket not in response.text
    client.cookies.clear()
    device = new_id()
    token, _ = await staff.enrol_device(gardener, device, "gardener phone", 1)
    response = await client.post("/api/v1/sync/pull", headers={"Authorization": "Bearer " + token},
                                 json={"protocol": 2, "device_id": device, "cursor": None})
    if response.status_code == 200:
        assert not any(response.json()["records"].values()), "an undescribed role pulls nothing"
    else:
        assert response.status_code in (401, 403), response.text
    assert "甲方" not in response.text
