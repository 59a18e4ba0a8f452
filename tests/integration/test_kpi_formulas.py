"""The KPIs as the manuals define them (issue 15), computed from a generated month of work
and, independently, by hand from the same rows.

- 客户服务满意率 = satisfied owners / owners surveyed: each owner once a month (the last
  rating), a callback by phone that rates the ticket and records a visit counts once, a fee
  reminder is no survey;
- 有偿服务满意率 = satisfied paid services / paid services done (rated or not).
"""

from __future__ import annotations

import random
from typing import Any

from server.store import kpi
from server.tables import Visit
from sync.scope import Scope
from tests.factories import make_estate, make_user, new_id
from tests.integration.test_desk_helpers import seed_ticket

START, END, MONTH = "2026-10-31T16:00:00.000Z", "2026-11-30T16:00:00.000Z", "2026-11"
BEFORE, AFTER = "2026-10-20T02:00:00.000Z", "2026-12-02T02:00:00.000Z"


def in_month(rng: random.Random) -> str:
    return f"2026-11-{rng.randint(1, 29):02d}T{rng.randint(0, 15):02d}:{rng.randint(0, 59):02d}:00.000Z"


async def seed_visit(estate_id: str, building_id: str, unit_id: str, steward: str, **fields: Any) -> dict[str, Any]:
    row = {"id": new_id(), "version": 1, "created_at": fields.get("visited_at") or BEFORE,
           "updated_at": fields.get("visited_at") or BEFORE, "building_id": building_id, "estate_id": estate_id,
           "unit_id": unit_id, "steward_id": steward, "status": "done", **fields}
    await Visit.insert(Visit(**row))
    return row


async def kpis_of(estate_id: str) -> dict[str, kpi.Kpi]:
    scope = Scope(estates=frozenset({estate_id}), buildings=None)
    return {k.key: k for k in await kpi.month_kpis(START, END, MONTH, None, scope=scope)}


async def test_satisfaction_counts_owners_once_and_fee_reminders_not_at_all(db) -> None:
    estate = await make_estate(buildings=1, units_per_building=3, vacant_every=0)
    building = estate.building_ids[0]
    first, second, third = estate.unit_ids[building]
    steward = await make_user("steward", [building])
    # the first owner: a phone callback rates the repair 2 and the visit records it; later a
    # routine visit rates 5: one owner, satisfied by the last rating
    ticket = await seed_ticket(building, unit_id=first, status="called_back", satisfaction=2,
                               done_at="2026-11-03T02:00:00.000Z", called_back_at="2026-11-04T02:00:00.000Z")
    await seed_visit(estate.estate_id, building, first, steward, purpose="repair_callback", ticket_id=ticket["id"],
                     satisfaction=2, visited_at="2026-11-04T02:00:00.000Z")
    await seed_visit(estate.estate_id, building, first, steward, purpose="routine", satisfaction=5,
                     visited_at="2026-11-20T02:00:00.000Z")
    # the second owner: only a fee reminder (with a rating a phone sent): not surveyed
    await seed_visit(estate.estate_id, building, second, steward, purpose="fee_reminder", satisfaction=1,
                     visited_at="2026-11-10T02:00:00.000Z")
    # the third: rated last month and next month only
    await seed_visit(estate.estate_id, building, third, steward, purpose="routine", satisfaction=1, visited_at=BEFORE)
    await seed_visit(estate.estate_id, building, third, steward, purpose="routine", satisfaction=1, visited_at=AFTER)
    satisfaction = (await kpis_of(estate.estate_id))["satisfaction"]
    assert (satisfaction.numerator, satisfaction.denominator) == (1, 1)


async def test_paid_service_satisfaction_divides_by_every_paid_service_done(db) -> None:
    estate = await make_estate(buildings=1, units_per_building=3, vacant_every=0)
    building = estate.building_ids[0]
    units = estate.unit_ids[building]
    done = "2026-11-05T02:00:00.000Z"
    await seed_ticket(building, unit_id=units[0], paid_service=True, status="closed", done_at=done, satisfaction=5)
    await seed_ticket(building, unit_id=units[1], paid_service=True, status="done", done_at=done)  # not rated
    await seed_ticket(building, unit_id=units[2], paid_service=True, status="in_progress")  # not done
    await seed_ticket(building, unit_id=units[2], status="closed", done_at=done, satisfaction=5)  # not paid
    paid = (await kpis_of(estate.estate_id))["paid_service_satisfaction"]
    assert (paid.numerator, paid.denominator) == (1, 2)


async def test_a_generated_month_equals_the_hand_computation(db) -> None:
    rng = random.Random(15)
    estate = await make_estate(buildings=2, units_per_building=6, vacant_every=0)
    steward = await make_user("steward", estate.building_ids)
    units = [(b, u) for b in estate.building_ids for u in estate.unit_ids[b]]
    ratings: list[tuple[str, str, int]] = []  # (owner, when, score) of the month's surveys
    paid: list[int | None] = []  # the rating of each paid service done in the month
    for n in range(120):
        building, unit = rng.choice(units)
        score = rng.choice([None, 1, 2, 3, 4, 5, 5, 5])
        when = rng.choice([BEFORE, AFTER, in_month(rng), in_month(rng), in_month(rng)])
        if n % 2:
            purpose = rng.choice(["routine", "complaint_callback", "repair_callback", "fee_reminder"])
            await seed_visit(estate.estate_id, building, unit, steward, purpose=purpose, satisfaction=score,
                             visited_at=when)
            if score is not None and purpose != "fee_reminder" and START <= when < END:
                ratings.append((unit, when, score))
        else:
            is_paid, status = rng.random() < 0.4, rng.choice(["done", "called_back", "closed", "in_progress"])
            done_at = when if status != "in_progress" else None
            called_back = when if score is not None and status != "in_progress" else None
            await seed_ticket(building, unit_id=unit, kind=rng.choice(["repair", "complaint"]), status=status,
                              paid_service=is_paid, done_at=done_at, called_back_at=called_back, satisfaction=score)
            if called_back is not None and START <= called_back < END:
                ratings.append((unit, called_back, score))  # type: ignore[arg-type]
            if is_paid and done_at is not None and START <= done_at < END:
                paid.append(score)
    last: dict[str, int] = {}
    for owner, when, score in sorted(ratings, key=lambda r: r[1]):
        last[owner] = score
    kpis = await kpis_of(estate.estate_id)
    assert (kpis["satisfaction"].numerator, kpis["satisfaction"].denominator) == \
        (sum(1 for s in last.values() if s >= 4), len(last))
    assert (kpis["paid_service_satisfaction"].numerator, kpis["paid_service_satisfaction"].denominator) == \
        (sum(1 for s in paid if s is not None and s >= 4), len(paid))
    assert len(last) > 5 and len(paid) > 3  # the month has work to count
