"""The 25th assessments (应会 1.5) in the demo: last month, the manager assessed each steward
of the first estate the way the desk's 25日考核 does (10 units quizzed, 5 owners called, a
draw from the steward's buildings), with the results that ``sync.familiarity`` computes,
so that 业主熟知率 on the KPI dashboard has a month to show. Its own random source: the
rest of the demo is as before."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from server.clock import iso
from server.demo.context import DEMO_ESTATE_ID, DemoContext, stable_id
from sync.familiarity import (
    CALLED_OWNERS, QUIZ_FACTS, QUIZ_UNITS, SEED_TARGETS, assessment_rates, customer_class, target_for,
)


def assessments(ctx: DemoContext) -> None:
    rng = random.Random(ctx.seed * 31 + 25)
    first = ctx.today.replace(day=1)
    month_day = (first - timedelta(days=1)).replace(day=25)  # the 25th of last month
    month = month_day.strftime("%Y-%m")
    manager = ctx.by_role("manager")[0]
    at = iso(ctx.local(month_day, 15))
    for steward in ctx.by_role("steward"):
        units = [u for u in ctx.units if u.building_id in steward.building_ids and u.household_id
                 and ctx.estate_of.get(u.building_id, DEMO_ESTATE_ID) == DEMO_ESTATE_ID]
        if len(units) < QUIZ_UNITS + CALLED_OWNERS:
            continue
        skill = rng.uniform(0.7, 0.97)  # how well this steward knows their owners
        drawn = rng.sample(units, QUIZ_UNITS + CALLED_OWNERS)
        assessment_id = stable_id("assessment", steward.username, month)
        quiz, calls = [], []
        for n, unit in enumerate(drawn):
            check: dict[str, object] = {
                "id": stable_id("assessment_check", steward.username, month, n), "assessment_id": assessment_id,
                "estate_id": DEMO_ESTATE_ID, "building_id": unit.building_id, "position": n,
                "unit_id": unit.id, "household_id": unit.household_id, **dict.fromkeys(QUIZ_FACTS),
                "reached": None, "knows_steward": None, "rating": None}
            if n < QUIZ_UNITS:
                check |= {"kind": "quiz", **{f: rng.random() < skill for f in QUIZ_FACTS}}
                quiz.append(check)
            else:
                reached = rng.random() < 0.85
                check |= {"kind": "call", "reached": reached,
                          "knows_steward": (rng.random() < skill) if reached else None,
                          "rating": rng.choice([3, 4, 5, 5, 5]) if reached else None}
                calls.append(check)
            ctx.add("familiarity_check", check)
        familiarity, satisfaction = assessment_rates(quiz, calls)
        moved_in = {h["unit_id"]: h["move_in_date"] for h in ctx.rows["household"] if not h.get("ended_on")}
        classes = Counter(customer_class(date.fromisoformat(moved_in[u.id]) if moved_in.get(u.id) else None, month_day)
                          for u in units)
        target = target_for(SEED_TARGETS, classes, "B")  # the demo's stewards have served over half a year
        ctx.add("familiarity_assessment", {
            "id": assessment_id, "estate_id": DEMO_ESTATE_ID, "steward_id": steward.id, "month": month,
            "status": "done", "households": len(units), "completeness": None, "standard": "B",
            "target_familiarity": target.familiarity if target else 0,
            "target_satisfaction": target.satisfaction if target else 0, "familiarity": familiarity,
            "satisfaction": satisfaction, "started_by": manager.id, "started_at": at, "finished_at": at})
