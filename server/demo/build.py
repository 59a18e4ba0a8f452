"""The whole demo estate as plain rows, made in a fixed order from one seeded random source."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from server.clock import parse_iso
from server.demo.context import DAY_STARTS, DemoContext, stable_id
from server.demo.assessments import assessments
from server.demo.engineers import engineers
from server.demo.estate import build_estate
from server.demo.fees import fee_bills
from server.demo.meters import meter_rounds
from server.demo.renovation import renovations
from server.demo.second import second_estate
from server.demo.surveys import survey
from server.demo.field import patrol_rounds, vacant_checks
from server.demo.move_in import keys_and_move_in
from server.demo.tickets import desk_tickets
from server.demo.visits import routine_visits

DEFAULT_SEED = 292


def build_demo(seed: int, today: date, timezone: str = "Asia/Shanghai", *,
               clock: time = DAY_STARTS, existing_staff: dict[str, str] | None = None,
               password_hash: str = "") -> dict[str, list[dict[str, Any]]]:
    """Rows per table name, as of ``today`` at ``clock`` (estate time). The same seed, day,
    clock and staff give the same rows, byte for byte."""
    ctx = DemoContext(seed=seed, today=today, timezone=timezone, clock=clock)
    build_estate(ctx, existing_staff or {}, password_hash)
    engineers(ctx, existing_staff or {}, password_hash)  # before the tickets they are dispatched
    desk_tickets(ctx)
    patrol_rounds(ctx)
    vacant_checks(ctx)
    routine_visits(ctx)
    fee_bills(ctx)
    keys_and_move_in(ctx)
    open_conflicts(ctx)
    meter_rounds(ctx)  # its own random source: the rows above stay as they were
    second_estate(ctx, existing_staff or {}, password_hash)  # the first estate's rows stay as they are
    renovations(ctx)  # after: the rows above stay as they were before cases were added
    survey(ctx)  # its own random source: the rows before it stay as they are
    assessments(ctx)  # the same
    return dict(ctx.rows)


def open_conflicts(ctx: DemoContext) -> None:
    """Two merges that discarded a steward's value, waiting for the desk to review."""
    rng = ctx.rng
    desk = ctx.by_role("desk")[0]
    household = rng.choice([h for h in ctx.rows["household"] if h["residence"] == "self_occupied"])
    steward = ctx.steward_of[household["building_id"]]
    at = ctx.now - timedelta(hours=rng.randrange(2, 20))
    ctx.add_synced("conflict", {
        "id": stable_id("conflict", 1), "collection": "household", "record_id": household["id"],
        "field": "owner_phone", "kind": "field", "kept_value": household["owner_phone"],
        "lost_value": ctx.fake_phone(), "kept_source": f"user:{desk.id}",
        "lost_source": f"device:{stable_id('device', steward.username)}#41",
        "rule": "first_sync_wins", "status": "open", "resolved_by": None, "resolved_at": None,
    }, at=at, by=steward.id, building_id=household["building_id"])
    closed = [t for t in ctx.rows["ticket"] if t["status"] == "closed" and t["kind"] == "repair"]
    ticket = closed[-1]
    steward = ctx.steward_of[ticket["building_id"]]
    ctx.add_synced("conflict", {
        "id": stable_id("conflict", 2), "collection": "ticket", "record_id": ticket["id"],
        "field": "status", "kind": "status", "kept_value": "closed", "lost_value": "in_progress",
        "kept_source": f"user:{desk.id}",
        "lost_source": f"device:{stable_id('device', steward.username)}#17",
        "rule": "lifecycle", "status": "open", "resolved_by": None, "resolved_at": None,
    }, at=min(ctx.now, parse_iso(ticket["closed_at"]) + timedelta(minutes=rng.randrange(20, 200))),
        by=steward.id, building_id=ticket["building_id"])
