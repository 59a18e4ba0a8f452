"""拜访计划 (应会 1.4, issue 17) on both engines: the desk proposes a steward's households for
the month with a reason, the manager approves, each line becomes a planned visit the
steward's phone pulls, and a doorstep visit done counts against the plan; nothing doubles."""

from __future__ import annotations

from datetime import UTC, datetime

from server.clock import iso
from server.tables import Visit, VisitPlanItem
from tests.factories import enrol, make_estate, make_user
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import Phone


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def test_a_plan_proposed_and_approved_reaches_the_phone_and_counts_when_done(client) -> None:
    estate = await make_estate(buildings=2, units_per_building=3, vacant_every=0)
    first, second = estate.building_ids
    steward = await make_user("steward", [first], username="plan_steward")
    month = this_month()
    mine = estate.unit_ids[first][:2]
    elsewhere = estate.unit_ids[second][0]

    await login(client, "desk")
    page = await client.get(f"/desk/visit-plans?steward_id={steward}")
    assert page.status_code == 200 and "档案不全" in page.text and "Visit plan" not in page.text
    assert all(u in page.text for u in estate.unit_ids[first]) and elsewhere not in page.text
    form = {"month": month, "steward_id": steward, "unit_id": [*mine, elsewhere],
            f"reason_{mine[0]}": "new_owner", f"reason_{mine[1]}": "key_customer", f"reason_{elsewhere}": "low_rating"}
    added = await client.post("/desk/visit-plans/lines", headers=csrf(client, True), data=form)
    assert added.status_code == 200 and "已加入 2 户" in added.text  # the other building's unit is left out
    again = await client.post("/desk/visit-plans/lines", headers=csrf(client, True), data=form)
    assert "已加入 0 户" in again.text and await VisitPlanItem.count() == 2
    bad = await client.post("/desk/visit-plans/lines", headers=csrf(client),
                            data={**form, f"reason_{mine[0]}": "whim"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_form")
    past = await client.post("/desk/visit-plans/lines", headers=csrf(client), data={**form, "month": "2020-01"})
    assert (past.status_code, past.json()["code"]) == (422, "month_past")
    approve = {"month": month, "steward_id": steward}
    assert (await client.post("/desk/visit-plans/approve", headers=csrf(client), data=approve)).status_code == 403
    assert await Visit.count() == 0

    await login(client, "manager")
    approved = await client.post("/desk/visit-plans/approve", headers=csrf(client, True), data=approve)
    assert approved.status_code == 200 and "已批准 2 户" in approved.text
    visits = await Visit.select().order_by(Visit.unit_id)
    assert sorted((v["unit_id"], v["status"], v["steward_id"], v["plan_reason"]) for v in visits) == sorted([
        (mine[0], "planned", steward, "new_owner"), (mine[1], "planned", steward, "key_customer")])
    twice = await client.post("/desk/visit-plans/approve", headers=csrf(client), data=approve)
    assert (twice.status_code, twice.json()["code"]) == (409, "nothing_to_approve") and await Visit.count() == 2

    phone = Phone(client, await enrol(client, "plan_steward"), steward)
    await phone.pull()
    planned = {v["unit_id"]: v for v in phone.live("visit").values()}
    assert set(planned) == set(mine) and planned[mine[0]]["plan_reason"] == "new_owner"
    phone.update("visit", planned[mine[0]]["id"], {"status": "done", "visited_at": iso(datetime.now(UTC)),
                                                   "satisfaction": 5, "outcome": "业主在家，档案已补全"})
    assert [r["status"] for r in await phone.push()] == ["applied"]

    summary = await client.get(f"/desk/visit-plans?month={month}")
    line = summary.text.split(f'data-steward="{steward}"')[1].split("</tr>")[0]
    assert ">0<" in line and ">2<" in line and ">1<" in line and "50%" in line
    detail = await client.get(f"/desk/visit-plans?month={month}&steward_id={steward}")
    assert detail.text.count("已拜访") == 1 and detail.text.count("已批准，待拜访") == 1

