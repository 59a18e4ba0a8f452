"""The ticket queue: filters, counts, keyset pages, overdue, roles; full page and partial."""

from __future__ import annotations

import re

from server.tables import Ticket
from tests.factories import make_estate
from tests.integration.test_desk_helpers import HX, ago, login, seed_ticket


async def test_queue_needs_login_and_refuses_stewards(client) -> None:
    response = await client.get("/desk/tickets", headers={"accept": "text/html"})
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    await login(client, "steward")
    assert (await client.get("/desk/tickets")).status_code == 403


async def test_queue_filters_counts_and_overdue(client) -> None:
    estate = await make_estate(buildings=2)
    b1, b2 = estate.building_ids
    await login(client, "desk")
    late = await seed_ticket(b1, title="电梯困人", priority="urgent", created_at=ago(hours=30))
    await seed_ticket(b1, title="楼道灯坏", status="dispatched", assignee="工程部")
    await seed_ticket(b2, title="噪音投诉", kind="complaint")
    await seed_ticket(b2, title="已关单", status="closed")

    page = await client.get("/desk/tickets")
    assert page.status_code == 200
    html = page.text
    assert "<html" in html and "工单队列" in html
    assert all(t in html for t in ("电梯困人", "楼道灯坏", "噪音投诉", "已关单"))
    assert re.search(r'class="overdue[^"]*"[^>]*>\s*<td><a href="/desk/tickets/' + late["id"], html)

    part = await client.get("/desk/tickets", params={"building_id": b1}, headers=HX)
    assert part.status_code == 200 and "<html" not in part.text
    assert 'id="queue"' in part.text and "电梯困人" in part.text and "噪音投诉" not in part.text
    # counts per open status under the building filter
    assert re.search(r"已受理 <span class=\"count\">1</span>", part.text)
    assert re.search(r"已派单 <span class=\"count\">1</span>", part.text)

    overdue = await client.get("/desk/tickets", params={"overdue": "true"}, headers=HX)
    assert "电梯困人" in overdue.text and "楼道灯坏" not in overdue.text
    assignee = await client.get("/desk/tickets", params={"assignee": "工程部"}, headers=HX)
    assert "楼道灯坏" in assignee.text and "电梯困人" not in assignee.text
    kind = await client.get("/desk/tickets", params={"kind": "complaint", "status": "received"}, headers=HX)
    assert "噪音投诉" in kind.text and "楼道灯坏" not in kind.text


async def test_queue_keyset_pages_cover_everything_once(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "desk")
    ids = set()
    for i in range(120):
        row = await seed_ticket(estate.building_ids[0], title=f"T{i:03d}", created_at=ago(minutes=i // 3))
        ids.add(row["id"])
    seen: list[str] = []
    url, params = "/desk/tickets", {"sort": "newest"}
    for _ in range(5):
        response = await client.get(url, params=params, headers=HX)
        assert response.status_code == 200
        seen += re.findall(r'<td><a href="/desk/tickets/([0-9a-f-]+)">', response.text)
        nxt = re.search(r'href="\?([^"]+)"[^>]*rel="next"', response.text)
        if not nxt:
            break
        params = dict(p.split("=", 1) for p in nxt.group(1).replace("&amp;", "&").split("&"))
    assert len(seen) == 120 and set(seen) == ids
    assert "OFFSET" not in str(Ticket.select())  # keyset, not offset


async def test_queue_bad_filter_is_a_clear_error(client) -> None:
    await login(client, "desk")
    response = await client.get("/desk/tickets", params={"status": "lost"}, headers=HX)
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "invalid_form" in response.text
    response = await client.get("/desk/tickets", params={"sort": "random"},
                                headers={"accept": "text/html"})
    assert response.status_code == 422 and "<html" in response.text


async def test_stewards_are_refused_every_desk_page(client) -> None:
    await login(client, "steward")
    for path in ("/desk", "/desk/intake", "/desk/callbacks", "/desk/duplicates", "/desk/archive",
                 "/desk/vacant", "/desk/patrols", "/desk/stewards", "/desk/conflicts",
                 "/desk/escalations", "/desk/kpi", "/desk/live", "/desk/export/tickets.csv"):
        response = await client.get(path, headers=HX)
        assert response.status_code == 403, path
        assert "forbidden" in response.text
