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

S, D, M, A, ANON = "steward", "desk", "manager", "admin", "anonymous"
ROLES = (S, D, M, A)
EVERYONE = frozenset({S, D, M, A, ANON})
STAFF = frozenset(ROLES)
OFFICE = frozenset({D, M, A})
MANAGEMENT = frozenset({M, A})
ADMIN = frozenset({A})

EXPECTED: dict[str, frozenset[str]] = {
    # site, docs, static files
    "GET /": EVERYONE,
    "GET /health": EVERYONE,
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
    "POST /admin/users/{user_id:str}/buildings": ADMIN,
    "GET /admin/devices": OFFICE,
    "POST /admin/devices/{device_id:str}/revoke": OFFICE,
    "GET /admin/audit": MANAGEMENT,
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
    "POST /desk/intake": OFFICE,
    "GET /desk/intake/owners": OFFICE,
    "GET /desk/tickets/{ticket_id:str}": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/transition": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/assign": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/promise": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/sign-off": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/callback": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/escalate": OFFICE,
    "POST /desk/tickets/{ticket_id:str}/note": OFFICE,
    "GET /desk/escalations": OFFICE,
    "POST /desk/escalations/sweep": OFFICE,
    "GET /desk/callbacks": OFFICE,
    "GET /desk/duplicates": OFFICE,
    "POST /desk/duplicates": OFFICE,
    "GET /desk/archive": OFFICE,  # owners' personal data: desk and above, never stewards
    "GET /desk/archive/units/{unit_id:str}": OFFICE,
    "GET /desk/vacant": OFFICE,
    "GET /desk/patrols": OFFICE,
    "GET /desk/stewards": OFFICE,
    "GET /desk/conflicts": OFFICE,  # design.md: the desk sees conflicts and can reverse them
    "POST /desk/conflicts/{conflict_id:str}": OFFICE,
    "GET /desk/export/{name:str}": OFFICE,
    "GET /desk/kpi": MANAGEMENT,
    "GET /desk/live": OFFICE,
    # phone app shell (holds no data)
    "GET /app": EVERYONE,
    "GET /sw.js": EVERYONE,
    "GET /app/manifest.webmanifest": EVERYONE,
    "GET /app/messages.json": EVERYONE,
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
            cookies["ss_session"], _ = await staff.open_session(self.user_ids[role])
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
