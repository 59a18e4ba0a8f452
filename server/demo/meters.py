"""抄表 in the demo: the water and electricity meters of the first two buildings (each
unit's, and the lifts' and corridor lighting's public ones), read on the estate's round day
for the last six months with steady use, so that the round, the re-read rules and the
month's 分摊 sheet show real figures; a vacant unit's meters have its weekly checks' readings
(one history). Its own random source: the rest of the demo is as before."""

from __future__ import annotations

import random
from datetime import date

from server.clock import iso
from server.demo.context import DemoContext, stable_id
from sync.meters import SEED_METER_SETTINGS

BUILDINGS = 2
MONTHS = 6
PUBLIC = (("electricity", "电梯机房"), ("electricity", "走廊照明"), ("water", "二次供水泵房"))
MONTHLY_USE = {"water": (4.0, 12.0), "electricity": (120.0, 320.0)}
PUBLIC_USE = {"water": (30.0, 60.0), "electricity": (400.0, 900.0)}


def _round_days(today: date) -> list[date]:
    """The round days (the seeded day of the month) of the last ``MONTHS`` months before today."""
    days: list[date] = []
    year, month = today.year, today.month
    while len(days) < MONTHS:
        day = date(year, month, SEED_METER_SETTINGS.round_day)
        if day < today:
            days.append(day)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(days)


def meter_rounds(ctx: DemoContext) -> None:
    rng = random.Random(ctx.seed * 31 + 16)
    buildings = list(dict.fromkeys(u.building_id for u in ctx.units))[:BUILDINGS]
    days = _round_days(ctx.today)
    for building_id in buildings:
        steward = ctx.steward_of[building_id]
        at = ctx.local(days[0], 8)
        units = [u for u in ctx.units if u.building_id == building_id]
        meters: list[tuple[str, str, tuple[float, float]]] = []  # the meters read on the rounds
        for order, unit in enumerate(units):
            floor = int(unit.code.split("-")[-1][:-2] or 1)
            for kind in ("water", "electricity"):
                meter_id = stable_id("meter", unit.code, kind)
                ctx.add_synced("meter", {
                    "id": meter_id, "unit_id": unit.id, "kind": kind, "use": "household", "floor": floor,
                    "place": "水井" if kind == "water" else "电井", "walk_order": order * 2 + (kind == "electricity"),
                    "serial": f"{'S' if kind == 'water' else 'D'}-{unit.code}"}, at=at, by=None, building_id=building_id)
                if unit.occupancy != "vacant":  # a vacant unit's meters are read by its weekly checks
                    meters.append((meter_id, kind, MONTHLY_USE[kind]))
        for n, (kind, place) in enumerate(PUBLIC):
            meter_id = stable_id("meter", ctx.building_codes[building_id], place)
            ctx.add_synced("meter", {
                "id": meter_id, "unit_id": None, "kind": kind, "use": "public", "floor": 1, "place": place,
                "walk_order": 900 + n, "serial": f"G{building_id[-4:]}{n}"}, at=at, by=None, building_id=building_id)
            meters.append((meter_id, kind, PUBLIC_USE[kind]))
        for meter_id, kind, (low, high) in meters:
            value = round(rng.uniform(10, 900), 1)
            for day in days:
                value = round(value + rng.uniform(low, high), 1)
                read_at = ctx.local(day, 9)
                ctx.add_synced("meter_reading", {
                    "id": stable_id("meter_reading", meter_id, day.isoformat()), "meter_id": meter_id,
                    "reading": value, "read_at": iso(read_at), "reader_id": steward.id, "flag": None,
                    "photo_sha256": None, "source": "round", "note": "", "review": None, "review_note": ""},
                    at=read_at, by=steward.id, building_id=building_id)
