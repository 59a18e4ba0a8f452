"""满意度调查 on both engines, through the desk's routes and the phones' sync: a campaign is
drawn and sent to the phones whose buildings hold sampled households; each household counts
once per campaign even when two phones answer it offline; the results equal a hand count;
scope; bad input changes nothing; a low score or a recurring complaint opens one tracked
corrective action."""

from __future__ import annotations

import re
from typing import Any

from server.tables import CorrectiveAction, SurveyCampaign, SurveyResponse, SurveySheet
from sync.surveys import sheet_id
from tests.factories import make_estate, make_user
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import Phone, steward_phone


async def new_campaign(client, estate_id: str, **form: Any) -> str:
    response = await client.post("/desk/surveys", headers=csrf(client), data={
        "estate_id": estate_id, "name": "2026年度满意度调查", "starts_on": "2026-01-01",
        "ends_on": "2099-12-31", **form})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


async def open_campaign(client, campaign_id: str) -> None:
    response = await client.post(f"/desk/surveys/{campaign_id}/open", headers=csrf(client))
    assert response.status_code == 303, response.text


def answer(sheet: str, unit: str, household: str, *scores: int, choice: int | None = None,
           words: str = "") -> dict[str, Any]:
    """A door-to-door answer: scores for q1..q5 (客服, 保洁, 绿化, 秩序, 工程), q6's choice, q7's words."""
    answers: list[dict[str, Any]] = [{"key": f"q{n}", "score": s} for n, s in enumerate(scores, start=1)]
    if choice is not None:
        answers.append({"key": "q6", "choice": choice})
    if words:
        answers.append({"key": "q7", "text": words})
    return {"sheet_id": sheet, "unit_id": unit, "household_id": household, "answered_at": "2026-12-04T02:00:00Z",
            "answers": answers}


def occupied(estate, building_id: str) -> list[tuple[str, str]]:
    """(unit, household) of a building's occupied units, in unit order."""
    return [(u, estate.household_ids[u]) for u in estate.unit_ids[building_id] if u in estate.household_ids]


async def test_each_household_counts_once_when_two_phones_answer_it_offline(client) -> None:
    estate = await make_estate(buildings=2)
    one, two = estate.building_ids
    await login(client, "manager")
    campaign_id = await new_campaign(client, estate.estate_id)
    await open_campaign(client, campaign_id)
    await open_campaign(client, campaign_id)  # a double click: the same sheets, once
    assert await SurveySheet.count() == 2
    sheet = sheet_id(campaign_id, one)
    [(unit, household), *_] = occupied(estate, one)

    first, second = await steward_phone(client, [one]), await steward_phone(client, [one])
    neighbour = await steward_phone(client, [two])
    for phone in (first, second, neighbour):
        await phone.pull()
    assert ("survey_sheet", sheet) in first.replica and ("survey_sheet", sheet) not in neighbour.replica
    assert first.replica[("survey_sheet", sheet)]["household_ids"] == [h for _, h in occupied(estate, one)]

    # both phones answer the same household offline; the second to sync is kept, not counted
    a = first.create("survey_response", answer(sheet, unit, household, 5, 5, 5, 5, 5))
    b = second.create("survey_response", answer(sheet, unit, household, 1, 1, 1, 1, 1))
    [pushed_b] = await second.push()
    [pushed_a] = await first.push()
    assert (pushed_a["status"], pushed_b["status"]) == ("applied", "applied")
    rows = {r["id"]: r for r in await SurveyResponse.select()}
    assert rows[b]["duplicate_of"] is None and rows[a]["duplicate_of"] == b  # server order, not phone order
    # a replay changes nothing
    first.outbox = [{"op": "create", "collection": "survey_response", "id": a, "seq": 1,
                     "fields": answer(sheet, unit, household, 5, 5, 5, 5, 5)}]
    assert (await first.push())[0]["status"] == "applied"
    assert await SurveyResponse.count() == 2
    for phone in (first, second):
        await phone.pull()
        assert phone.replica[("survey_response", a)]["duplicate_of"] == b

    page = await client.get(f"/desk/surveys/{campaign_id}")
    assert page.status_code == 200
    assert "已计入 1 户；重复答卷 1 份" in page.text and "重复（不计入）" in page.text
    assert "Duplicate" not in page.text  # a Chinese screen
    # the one counted answer scored 1 everywhere: 平均分 1.0, 满意率 0
    assert "总体平均分 1.0，满意率 0.0%" in page.text

    # scope: a phone may not answer for a household of another building
    stray_unit, stray = occupied(estate, two)[0]
    first.create("survey_response", answer(sheet_id(campaign_id, two), stray_unit, stray, 3))
    [refused] = await first.push()
    assert (refused["status"], refused["code"]) == ("rejected", "out_of_scope")
    # nor create or change a sheet
    first.create("survey_sheet", {"campaign_id": campaign_id, "name": "x", "starts_on": "2026-01-01",
                                  "ends_on": "2026-12-31", "building_id": one})
    [refused] = await first.push()
    assert (refused["status"], refused["code"]) == ("rejected", "create_not_allowed")


async def test_two_answers_of_one_household_in_one_batch_count_once(client) -> None:
    estate = await make_estate(buildings=1)
    [one] = estate.building_ids
    await login(client, "desk")
    campaign_id = await new_campaign(client, estate.estate_id)
    await open_campaign(client, campaign_id)
    phone = await steward_phone(client, [one])
    unit, household = occupied(estate, one)[0]
    sheet = sheet_id(campaign_id, one)
    first = phone.create("survey_response", answer(sheet, unit, household, 4))
    again = phone.create("survey_response", answer(sheet, unit, household, 2))
    assert [r["status"] for r in await phone.push()] == ["applied", "applied"]
    rows = {r["id"]: r["duplicate_of"] for r in await SurveyResponse.select()}
    assert rows == {first: None, again: first}


async def test_results_equal_a_hand_count_by_building_service_and_steward(client) -> None:
    estate = await make_estate(buildings=2)  # 3 households per building (every 4th unit vacant)
    one, two = estate.building_ids
    manager = await login(client, "manager")
    campaign_id = await new_campaign(client, estate.estate_id, sample_mode="per_building", per_building="2")
    await open_campaign(client, campaign_id)
    sheets = {s["building_id"]: s for s in await SurveySheet.select().output(load_json=True)}
    assert sorted(len(s["household_ids"]) for s in sheets.values()) == [2, 2]
    # drawn reproducibly: the same campaign draws the same households
    from sync.surveys import draw_sample
    redraw = draw_sample(campaign_id, {b: [h for _, h in occupied(estate, b)] for b in (one, two)}, "per_building", 2)
    assert {b: s["household_ids"] for b, s in sheets.items()} == redraw

    alice = await steward_phone(client, [one])
    bob = await steward_phone(client, [two])
    units = {h: u for u, h in estate.household_ids.items()}
    (h1, h2), (h3, h4) = sheets[one]["household_ids"], sheets[two]["household_ids"]
    alice.create("survey_response", answer(sheets[one]["id"], units[h1], h1, 5, 4, 3, 5, 2, choice=2))
    alice.create("survey_response", answer(sheets[one]["id"], units[h2], h2, 4, 2, 4, 5, 4, choice=2,
                                            words="垃圾桶太少"))
    await alice.push()
    bob.create("survey_response", answer(sheets[two]["id"], units[h3], h3, 3, 5, 5, 4, 1, choice=2))
    await bob.push()
    # the fourth household answers by phone at the desk
    saved = await client.post(f"/desk/surveys/{campaign_id}/answers", headers=csrf(client), data={
        "household_id": h4, "q1": "5", "q2": "5", "q3": "4", "q4": "4", "q5": "5", "q6": "0"})
    assert saved.status_code == 303, saved.text
    taken = (await SurveyResponse.select().where(SurveyResponse.household_id == h4).first())
    assert (taken["channel"], taken["steward_id"]) == ("phone", manager)

    # by hand: 客服 5,4,3,5 → 4.25, 3 of 4 satisfied = 75%; 保洁 4,2,5,5 → 4.0, 75%;
    # 绿化 3,4,5,4 → 4.0, 75%; 秩序 5,5,4,4 → 4.5, 100%; 工程 2,4,1,5 → 3.0, 50%
    # building one: 5,4,3,5,2,4,2,4,5,4 → 3.8, 7/10 = 70%; building two: 3,5,5,4,1,5,5,4,4,5 → 4.1, 80%
    # overall: 20 ratings, sum 79 → 3.95, 15 satisfied = 75%
    export = await client.get(f"/desk/export/survey_results.csv?campaign_id={campaign_id}")
    assert export.status_code == 200, export.text
    table = [line.split(",") for line in export.text.lstrip("\ufeff").splitlines()[1:]]
    lines = {tuple(row[:2]): row[2:] for row in table}
    assert lines[("总体", "")] == ["20", "3.95", "75.0"]
    assert lines[("服务类别", "客服")] == ["4", "4.25", "75.0"]
    assert lines[("服务类别", "保洁")] == ["4", "4.0", "75.0"]
    assert lines[("服务类别", "秩序")] == ["4", "4.5", "100.0"]
    assert lines[("服务类别", "工程")] == ["4", "3.0", "50.0"]
    assert lines[("楼栋", "1栋")] == ["10", "3.8", "70.0"]
    assert lines[("楼栋", "2栋")] == ["10", "4.1", "80.0"]
    # each building has its steward (both named 测试steward, counted apart)
    assert sorted(row[2:] for row in table if row[0] == "楼栋管家") == [["10", "3.8", "70.0"], ["10", "4.1", "80.0"]]
    xlsx = await client.get(f"/desk/export/survey_results.xlsx?campaign_id={campaign_id}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    page = await client.get(f"/desk/surveys/{campaign_id}")
    assert "总体平均分 3.95，满意率 75.0%（目标 90.0%）" in page.text and "垃圾桶太少" in page.text
    assert 'id="survey-services"' in page.text

    # causes: below 90% with 3+ answers per building and service, and 垃圾清运不及时 picked by 3
    opened = await client.post(f"/desk/surveys/{campaign_id}/actions", headers=csrf(client))
    assert opened.status_code == 303
    await client.post(f"/desk/surveys/{campaign_id}/actions", headers=csrf(client))  # twice: once each
    actions = await CorrectiveAction.select().order_by(CorrectiveAction.trigger_key)
    assert [a["cause"] for a in actions] == ["complaint"]  # 2 answers per building: under min_answers
    assert "垃圾清运不及时" in actions[0]["detail"] and actions[0]["status"] == "open"
    assert actions[0]["due_on"] and actions[0]["service"] == "cleaning"


async def test_a_low_score_opens_an_action_that_is_owned_due_and_closed_with_a_note(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=4, vacant_every=99)
    [one] = estate.building_ids
    await login(client, "manager")
    campaign_id = await new_campaign(client, estate.estate_id)
    await open_campaign(client, campaign_id)
    for n, (_, household) in enumerate(occupied(estate, one)):
        saved = await client.post(f"/desk/surveys/{campaign_id}/answers", headers=csrf(client), data={
            "household_id": household, "q5": "2" if n < 2 else "5"})  # 工程: 2,2,5,5 → 50%
        assert saved.status_code == 303, saved.text
    await client.post(f"/desk/surveys/{campaign_id}/actions", headers=csrf(client))
    [action] = await CorrectiveAction.select()
    assert action["cause"] == "low_score" and action["service"] == "engineering"
    assert "满意率 50.0%（4 个评分）低于目标" in action["detail"]
    owner = await make_user("steward", [one])

    refused = await client.post(f"/desk/survey-actions/{action['id']}", headers=csrf(client), data={
        "owner_id": owner, "status": "closed"})
    assert refused.status_code == 422 and "closing_note_required" in refused.text
    stranger = await make_user("steward", [(await make_estate(buildings=1, office=False)).building_ids[0]])
    refused = await client.post(f"/desk/survey-actions/{action['id']}", headers=csrf(client), data={
        "owner_id": stranger})
    assert refused.status_code == 422 and "bad_owner" in refused.text
    assert (await CorrectiveAction.select().first())["owner_id"] is None  # nothing changed
    saved = await client.post(f"/desk/survey-actions/{action['id']}", headers=csrf(client), data={
        "owner_id": owner, "due_on": "2026-12-20", "status": "closed", "closing_note": "工程部约谈，报修回访加强"})
    assert saved.status_code == 303
    done = await CorrectiveAction.select().first()
    assert (done["owner_id"], done["due_on"], done["status"], done["closing_note"]) == (
        owner, "2026-12-20", "closed", "工程部约谈，报修回访加强") and done["closed_at"]
    listed = await client.get("/desk/survey-actions")
    assert listed.status_code == 200 and "工程部约谈" in listed.text


async def test_bad_input_is_refused_and_changes_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    [one] = estate.building_ids
    await login(client, "desk")
    bad = await client.post("/desk/surveys", headers=csrf(client), data={
        "estate_id": estate.estate_id, "name": "x", "starts_on": "2026-12-31", "ends_on": "2026-01-01"})
    assert bad.status_code == 422 and "bad_period" in bad.text
    bad = await client.post("/desk/surveys", headers=csrf(client), data={
        "estate_id": estate.estate_id, "name": "x", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "sample_mode": "per_building", "per_building": "0"})
    assert bad.status_code == 422 and "bad_sample" in bad.text
    assert await SurveyCampaign.count() == 0
    campaign_id = await new_campaign(client, estate.estate_id)
    bad = await client.post(f"/desk/surveys/{campaign_id}/questions", headers=csrf(client), data={
        "service": "greening", "kind": "choice", "text": "草坪", "choices": "只有一个"})
    assert bad.status_code == 422 and "bad_choice" in bad.text
    added = await client.post(f"/desk/surveys/{campaign_id}/questions", headers=csrf(client), data={
        "service": "greening", "kind": "choice", "text": "草坪修剪", "choices": "及时\n*不及时"})
    assert added.status_code == 303
    await open_campaign(client, campaign_id)
    late = await client.post(f"/desk/surveys/{campaign_id}/questions", headers=csrf(client), data={
        "service": "greening", "kind": "rating", "text": "x"})
    assert late.status_code == 409
    sheet = await SurveySheet.select().output(load_json=True).first()
    assert sheet["questions"][-1] == {"key": "q8", "service": "greening", "kind": "choice", "text": "草坪修剪",
                                      "choices": [{"label": "及时"}, {"label": "不及时", "complaint": True}]}
    outsider = (await make_estate(buildings=1, office=False)).household_ids
    for data in ({"household_id": next(iter(outsider.values())), "q1": "5"},
                 {"household_id": sheet["household_ids"][0], "q1": "6"},
                 {"household_id": sheet["household_ids"][0], "q6": "9"},
                 {"household_id": sheet["household_ids"][0]}):
        refused = await client.post(f"/desk/surveys/{campaign_id}/answers", headers=csrf(client), data=data)
        assert refused.status_code == 422, (data, refused.text)
        assert re.search(r"not_sampled|bad_answer|empty_answer", refused.text)
    assert await SurveyResponse.count() == 0


async def test_another_estates_office_sees_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    campaign_id = await new_campaign(client, estate.estate_id)
    other = await make_estate(buildings=1, office=False)
    stranger = await make_user("manager", estate_ids=[other.estate_id])
    from server.store import staff

    client.cookies.delete("ss_session")
    client.cookies["ss_session"] = await staff.open_session(stranger)
    assert (await client.get(f"/desk/surveys/{campaign_id}")).status_code == 404
    assert (await client.post(f"/desk/surveys/{campaign_id}/open", headers=csrf(client))).status_code == 404
    assert (await client.get(f"/desk/export/survey_results.csv?campaign_id={campaign_id}")).status_code == 404
    assert "2026年度满意度调查" not in (await client.get("/desk/surveys")).text
    steward = await steward_phone(client, estate.building_ids)
    assert (await client.get("/desk/surveys", headers=steward.headers)).status_code in (401, 403)


async def test_the_manager_sets_the_thresholds_audited_and_the_results_follow(client) -> None:
    from server.tables import AuditLog

    estate = await make_estate(buildings=1, units_per_building=2, vacant_every=99)
    [one] = estate.building_ids
    await login(client, "manager")
    page = await client.get("/desk/settings/surveys")
    assert page.status_code == 200 and "《应知》第 3 条" in page.text and 'value="90"' in page.text
    bad = await client.post("/desk/settings/surveys", headers=csrf(client), data={
        "estate_id": estate.estate_id, "target_percent": "150", "min_answers": "1", "complaint_repeats": "1",
        "action_days": "3"})
    assert bad.status_code == 422 and await AuditLog.count().where(AuditLog.action == "survey_terms_change") == 0
    saved = await client.post("/desk/settings/surveys", headers=csrf(client), data={
        "estate_id": estate.estate_id, "target_percent": "100", "min_answers": "1", "complaint_repeats": "1",
        "action_days": "3"})
    assert saved.status_code == 303
    [entry] = await AuditLog.select().where(AuditLog.action == "survey_terms_change").output(load_json=True)
    assert entry["detail"]["before"]["target_rate"] == 0.9 and entry["detail"]["after"]["target_rate"] == 1.0
    campaign_id = await new_campaign(client, estate.estate_id)
    await open_campaign(client, campaign_id)
    household = occupied(estate, one)[0][1]
    await client.post(f"/desk/surveys/{campaign_id}/answers", headers=csrf(client), data={
        "household_id": household, "q3": "4"})  # 绿化 4: 100% satisfied, not below a 100% target
    await client.post(f"/desk/surveys/{campaign_id}/answers", headers=csrf(client), data={
        "household_id": occupied(estate, one)[1][1], "q3": "3"})  # now 50%, with 1 rating needed
    await client.post(f"/desk/surveys/{campaign_id}/actions", headers=csrf(client))
    [action] = await CorrectiveAction.select()
    assert (action["cause"], action["service"]) == ("low_score", "greening")
    desk = await make_user("desk")
    from server.store import staff

    client.cookies.delete("ss_session")
    client.cookies["ss_session"] = await staff.open_session(desk)
    assert (await client.get("/desk/settings/surveys")).status_code == 403
