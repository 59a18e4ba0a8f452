"""Issue 14's findings 7 and 10 (part): `%` and `_` in a clerk's search are not wildcards
(`q=%` lists no household, on the page or in the export); `/health` says only whether the
process and its database answer."""

from __future__ import annotations

from tests.factories import make_estate
from tests.integration.test_desk_helpers import login


async def test_like_wildcards_in_a_search_find_nothing(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=3)
    await login(client, "desk")
    code = "1-"  # every unit's code starts so: a real search still finds them
    assert len((await client.get("/desk/export/archive.csv", params={"q": code})).text.splitlines()) > 1
    for q in ("%", "%%", "_", "__", "%_%"):
        page = await client.get("/desk/archive", params={"q": q})
        assert page.status_code == 200
        assert not any(u in page.text for units in estate.unit_ids.values() for u in units), q
        export = await client.get("/desk/export/archive.csv", params={"q": q})
        assert export.status_code == 200 and len(export.text.strip().splitlines()) == 1, (q, export.text[:300])
        queue = await client.get("/desk/tickets", params={"q": q})
        assert queue.status_code == 200


async def test_health_tells_a_stranger_nothing_about_what_runs(client) -> None:
    """Issue 14, finding 10: /health gave anonymous callers the version and the engine."""
    answer = await client.get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}
