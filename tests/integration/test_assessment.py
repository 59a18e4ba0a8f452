"""The assessment on the 25th (应会 1.5, issue 17) on both engines: the manager draws 10 units
and 5 owners from one steward's scope, marks them, and 熟知率 / 满意率 equal a hand count of
the same rows; it is kept once per steward and month, and only the manager runs it."""

from __future__ import annotations

from datetime import UTC, datetime

from server.tables import FamiliarityAssessment, FamiliarityCheck, Household
from tests.factories import make_estate, make_user
from tests.integration.test_desk_helpers import csrf, login


async def test_a_manager_assesses_a_steward_and_the_rates_equal_a_hand_count(client) -> None:
    estate = await make_estate(buildings=2, units_per_building=12, vacant_every=0)
    first, second = estate.building_ids
    steward = await make_user("steward", [first])
    month = datetime.now(UTC).strftime("%Y-%m")
    form = {"month": month, "steward_id": steward}
    units = estate.unit_ids[first]  # 4 new customers, 8 long-standing: the targets weigh by class
    await Household.update({Household.move_in_date: month + "-01"}).where(Household.unit_id.is_in(units[:4]))
    await Household.update({Household.move_in_date: "2020-01-01"}).where(Household.unit_id.is_in(units[4:]))

    await login(client, "desk")
    assert (await client.get("/desk/assessments")).status_code == 403
    assert (await client.post("/desk/assessments", headers=csrf(client), data=form)).status_code == 403

    await login(client, "manager")
    started = await client.post("/desk/assessments", headers=csrf(client, True), data=form)
    assert started.status_code == 200 and "报房号" in started.text and "Unit quiz" not in started.text
    again = await client.post("/desk/assessments", headers=csrf(client, True), data=form)
    assert again.status_code == 200
    assert await FamiliarityAssessment.count() == 1
    begun = await FamiliarityAssessment.select().first()
    # a steward of less than half a year: standard A; new 80/80, long-standing 95/80 (seeded)
    assert (begun["standard"], begun["target_familiarity"], begun["target_satisfaction"]) == (
        "A", round((80 * 4 + 95 * 8) / 12), 80)
    checks = await FamiliarityCheck.select().order_by(FamiliarityCheck.kind, FamiliarityCheck.position)
    quiz = [c for c in checks if c["kind"] == "quiz"]
    calls = [c for c in checks if c["kind"] == "call"]
    assert (len(quiz), len(calls)) == (10, 5) and len({c["unit_id"] for c in quiz}) == 10
    assert {c["building_id"] for c in checks} == {first}  # drawn from the steward's scope only
    owners = {h["id"]: h["owner_name"] for h in await Household.select(Household.id, Household.owner_name)}
    assert all(owners[c["household_id"]] in started.text for c in quiz)  # the true values, for the manager

    marks: dict[str, str] = {}
    right = 0
    for n, c in enumerate(quiz):
        for k, fact in enumerate(("owner_ok", "employer_ok", "family_ok", "payment_ok")):
            ok = (n + k) % 3 != 0
            right += ok
            marks[f"{c['id']}:{fact}"] = "yes" if ok else "no"
    plan = [("yes", "yes", "5"), ("yes", "yes", "4"), ("yes", "no", "2"), ("yes", "yes", ""), ("no", "", "")]
    for c, (reached, knows, rating) in zip(calls, plan):
        marks |= {f"{c['id']}:reached": reached, f"{c['id']}:knows_steward": knows, f"{c['id']}:rating": rating}
    assessment = await FamiliarityAssessment.select().first()
    unmarked = dict(marks)
    del unmarked[f"{quiz[3]['id']}:employer_ok"]
    refused = await client.post(f"/desk/assessments/{assessment['id']}/finish", headers=csrf(client),
                                data={**form, **unmarked})
    assert (refused.status_code, refused.json()["code"]) == (422, "unmarked")
    assert (await FamiliarityAssessment.select().first())["status"] == "open"

    done = await client.post(f"/desk/assessments/{assessment['id']}/finish", headers=csrf(client, True),
                             data={**form, **marks})
    assert done.status_code == 200, done.text
    # by hand: facts right + owners reached who know the steward, over facts + owners reached;
    # satisfied (4–5) over owners reached who rated
    familiarity = round(100 * (right + 3) / (40 + 4))
    satisfaction = round(100 * 2 / 3)
    row = await FamiliarityAssessment.select().first()
    assert (row["status"], row["familiarity"], row["satisfaction"]) == ("done", familiarity, satisfaction)
    assert f"本月熟知率 {familiarity}%，满意率 {satisfaction}%" in done.text
    stored = {c["id"]: c for c in await FamiliarityCheck.select()}
    assert stored[calls[4]["id"]]["reached"] is False and stored[calls[4]["id"]]["knows_steward"] is None
    twice = await client.post(f"/desk/assessments/{assessment['id']}/finish", headers=csrf(client),
                              data={**form, **marks})
    assert (twice.status_code, twice.json()["code"]) == (409, "assessment_done")

    # the three owners reached who rated are owners surveyed for 客户服务满意率 (this month, the
    # desk's default; 2 satisfied), listed behind the KPI
    surveyed = await client.get("/desk/kpi/records", params={"kpi": "satisfaction", "part": "denominator"})
    satisfied = await client.get("/desk/kpi/records", params={"kpi": "satisfaction", "part": "numerator"})
    assert surveyed.text.count("25日考核·业主回访") == 3 and satisfied.text.count("25日考核·业主回访") == 2

    page = await client.get(f"/desk/assessments?month={month}&steward_id={steward}")
    assert f'data-month="{month}"' in page.text
    export = await client.get(f"/desk/export/assessments.csv?steward_id={steward}")
    assert export.status_code == 200 and f"{month}" in export.text and str(familiarity) in export.text
