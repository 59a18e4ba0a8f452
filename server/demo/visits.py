"""Doorstep visits (上门家访 / 回访): routine visits, callbacks and planned appointments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.clock import iso
from server.demo import texts
from server.demo.context import DemoContext, UnitInfo, stable_id

ROUTINE_SHARE = 0.4  # households visited at home over the last 60 days
PLANNED_VISITS = 12
SATISFACTION_WEIGHTS = (1, 1, 4, 30, 64)  # scores 1..5: ~94% satisfied (4 or 5)


def satisfaction(ctx: DemoContext) -> int:
    return ctx.rng.choices(range(1, 6), weights=SATISFACTION_WEIGHTS)[0]


def add_visit(ctx: DemoContext, unit: UnitInfo, purpose: str, *, visited_at: datetime | None,
              appointment_at: datetime | None = None, status: str = "done",
              ticket_id: str | None = None, score: int | None = None,
              outcome: str | None = None) -> dict[str, Any]:
    rng = ctx.rng
    steward = ctx.steward_of[unit.building_id]
    key = len(ctx.rows["visit"])
    done = status == "done"
    made_at = appointment_at - timedelta(days=rng.randrange(1, 4)) if appointment_at else visited_at
    assert made_at is not None
    made_at = min(made_at, ctx.now - timedelta(minutes=30))  # booked before the demo's now
    row = {
        "id": stable_id("visit", key), "unit_id": unit.id, "household_id": unit.household_id,
        "purpose": purpose, "status": status,
        "appointment_at": iso(appointment_at) if appointment_at else None,
        "visited_at": iso(visited_at) if visited_at and done else None,
        "steward_id": steward.id,
        "outcome": (outcome or rng.choice(texts.VISIT_OUTCOMES[purpose])) if done else
                   ("业主不在家，改约" if status == "missed" else ""),
        "satisfaction": (score if score is not None else satisfaction(ctx)) if done else None,
        "owner_words": rng.choice(texts.OWNER_WORDS) if done else "",
        "follow_ups": rng.choice(texts.FOLLOW_UPS) if done else "",
        "ticket_id": ticket_id, "signature_sha256": None, "plan_reason": None,
    }
    updated = visited_at if visited_at and status != "planned" else made_at
    return ctx.add_synced("visit", row, at=made_at, by=steward.id, building_id=unit.building_id,
                          updated=max(made_at, updated))


def routine_visits(ctx: DemoContext) -> None:
    """Home visits to know the household, a few missed, and appointments still to come."""
    rng = ctx.rng
    living = [u for u in ctx.units if u.occupancy != "vacant"]
    for unit in living:
        if rng.random() >= ROUTINE_SHARE:
            continue
        day = ctx.days_ago(rng.randrange(1, 60))
        appointment = ctx.local(day, rng.choice((9, 10, 14, 15, 16, 19)), rng.choice((0, 30)))
        status = "missed" if rng.random() < 0.06 else "done"
        add_visit(ctx, unit, "routine", appointment_at=appointment, status=status,
                  visited_at=appointment + timedelta(minutes=rng.randrange(0, 15)))
    for unit in rng.sample(living, PLANNED_VISITS):
        day = ctx.today + timedelta(days=rng.randrange(0, 7))
        appointment = ctx.local(day, rng.choice((10, 14, 15, 16, 19)), rng.choice((0, 30)))
        add_visit(ctx, unit, "routine", appointment_at=appointment, status="planned",
                  visited_at=None)
