"""The company role (公司品质部 / a regional manager): every estate's KPIs side by side,
read-only, no owners' personal data, nothing through sync."""

from __future__ import annotations

from schemas.sync import PROTOCOL_VERSION
from server.tables import Ticket
from tests.factories import enrol, make_estate, make_user, new_id
from tests.integration.test_auth_session import desk_login
from tests.integration.test_desk_helpers import seed_ticket


async def test_the_company_sees_every_estates_kpis_and_writes_nothing(client) -> None:
    first, second = await make_estate(buildings=1, office=False), await make_estate(buildings=1, office=False)
    await seed_ticket(first.building_ids[0], kind="complaint", title="甲苑投诉")
    await make_user("company", username="quality")
    login = await desk_login(client, "quality")
    assert login.headers["location"] == "/desk/kpi/estates"  # its home: the estates side by side
    page = await client.get("/desk/kpi/estates")
    assert page.status_code == 200
    assert "测试花园" in page.text and page.text.count('data-estate="T') == 2  # both estates, as columns
    for path in ("/desk/tickets", "/desk/archive?q=1-", "/desk/intake", "/admin/users", "/admin/ledger"):
        assert (await client.get(path)).status_code == 403, path
    phone = await enrol(client, "quality")
    push = await client.post("/api/v1/sync/push", headers=phone, json={
        "protocol": PROTOCOL_VERSION, "device_id": phone["X-Device-Id"], "pending": 1, "mutations": [{
            "op": "create", "seq": 1, "collection": "ticket", "id": new_id(),
            "fields": {"kind": "repair", "title": "公司下单", "unit_id": first.unit_ids[first.building_ids[0]][0]}}]})
    assert push.status_code == 200 and push.json()["results"][0]["status"] == "rejected"
    assert await Ticket.count() == 1
    pulled = await client.post("/api/v1/sync/pull", headers=phone, json={
        "protocol": PROTOCOL_VERSION, "device_id": phone["X-Device-Id"], "cursor": None, "limit": 100})
    assert pulled.status_code == 200 and not any(pulled.json().get("records", {}).values())
