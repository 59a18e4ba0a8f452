"""A satisfaction survey (满意度调查) of the demo estate, this month: the campaign with the
standard questionnaire, drawn per building (``sync.surveys.draw_sample``, as the desk draws
it), answered door to door by about two thirds of the sample, and the corrective actions its
results call for (``sync.surveys.triggers``, as the desk opens them)."""

from __future__ import annotations

import random
from datetime import timedelta

import msgspec

from server.clock import iso
from server.demo.context import DEMO_ESTATE_ID, DemoContext, stable_id
from server.store.surveys import standard_questions, trigger_text
from sync.surveys import SEED_SURVEY_TERMS, draw_sample, sheet_id, tally, triggers

PER_BUILDING = 8
ANSWERED_SHARE = 0.7
SCORE_WEIGHTS = (1, 2, 8, 40, 49)  # scores 1..5
CLEANING_SCORE_WEIGHTS = (3, 8, 20, 40, 29)  # 保洁 fares worse: the results call for an action


def survey(ctx: DemoContext) -> None:
    """Uses its own random source, so the rows made before it stay as they were."""
    rng = random.Random(ctx.seed * 31 + 17)
    campaign_id = stable_id("survey_campaign", 1)
    start = ctx.today.replace(day=1)
    questions = standard_questions()
    opened = ctx.local(start, 9)
    ctx.add("survey_campaign", {
        "id": campaign_id, "estate_id": DEMO_ESTATE_ID, "name": f"{start.year}年{start.month}月业户满意度调查",
        "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=40)).replace(day=1).isoformat(),
        "sample_mode": "per_building", "per_building": PER_BUILDING, "status": "open",
        "questions": msgspec.json.encode(questions).decode(), "created_by": ctx.by_role("manager")[0].id,
        "created_at": iso(opened - timedelta(hours=1)), "opened_at": iso(opened)})
    living = [u for u in ctx.units if u.occupancy != "vacant" and u.building_id not in ctx.estate_of]
    by_building: dict[str, list[str]] = {}
    for unit in living:
        by_building.setdefault(unit.building_id, []).append(unit.household_id)
    unit_of = {u.household_id: u for u in living}
    drawn = draw_sample(campaign_id, by_building, "per_building", PER_BUILDING)
    desk = ctx.by_role("manager")[0]
    sheets, answers = [], []
    for building_id, household_ids in sorted(drawn.items()):
        sheet = ctx.add_synced("survey_sheet", {
            "id": sheet_id(campaign_id, building_id), "campaign_id": campaign_id, "name": ctx.rows[
                "survey_campaign"][-1]["name"], "starts_on": start.isoformat(),
            "ends_on": ctx.rows["survey_campaign"][-1]["ends_on"], "questions": msgspec.to_builtins(questions),
            "household_ids": household_ids}, at=opened, by=desk.id, building_id=building_id)
        sheets.append(sheet)
        steward = ctx.steward_of[building_id]
        for n, household_id in enumerate(household_ids):
            if rng.random() >= ANSWERED_SHARE:
                continue
            at = min(ctx.now - timedelta(minutes=30), opened + timedelta(hours=rng.randrange(2, 24 * 20)))
            scores = [{"key": q.key, "score": rng.choices(range(1, 6), weights=CLEANING_SCORE_WEIGHTS
                                                          if q.service == "cleaning" else SCORE_WEIGHTS)[0]}
                      for q in questions if q.kind == "rating"]
            choice = [{"key": q.key, "choice": rng.choices(range(len(q.choices)), weights=(6, 3, 2, 1))[0]}
                      for q in questions if q.kind == "choice"]
            unit = unit_of[household_id]
            answers.append(ctx.add_synced("survey_response", {
                "id": stable_id("survey_response", building_id, n), "sheet_id": sheet["id"], "unit_id": unit.id,
                "household_id": household_id, "channel": "door", "answered_at": iso(at),
                "steward_id": steward.id, "answers": scores + choice, "duplicate_of": None},
                at=at, by=steward.id, building_id=building_id))
    result = tally(questions, sheets, answers, {b: ctx.steward_of[b].id for b in drawn})
    codes = ctx.building_codes
    for n, cause in enumerate(triggers(campaign_id, questions, result, SEED_SURVEY_TERMS)):
        ctx.add("corrective_action", {
            "id": stable_id("corrective_action", n), "estate_id": DEMO_ESTATE_ID, "campaign_id": campaign_id,
            "building_id": cause.building_id, "service": cause.service, "cause": cause.cause,
            "trigger_key": cause.key, "detail": trigger_text(cause, questions, codes),
            "owner_id": ctx.steward_of[cause.building_id].id if cause.building_id else desk.id,
            "due_on": (ctx.today + timedelta(days=SEED_SURVEY_TERMS.action_days)).isoformat(),
            "status": "open", "closing_note": "", "created_at": iso(ctx.now - timedelta(hours=2)), "closed_at": None})
