"""Meters and their readings seen from the desk and the sync engine: a meter's one history
(its rounds' readings and its unit's vacant checks'), the readings to review (复核), and the
month's 分摊 sheet. Every desk read takes the reader's ``Scope``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

import msgspec

from server.store.places import building_codes, natural
from server.store.scoping import scope_where
from server.store.sync_storage import Conn
from server.store.terms import keep_own, own_or_seeded
from server.tables import Estate, Meter, MeterReading, Unit, VacantCheck
from sync.meters import SEED_METER_SETTINGS, MeterSettings, UnitArea, amount_fen, month_use, shares
from sync.scope import Scope
from sync.storage import Past

VACANT_FIELD = {"water": "water_reading", "electricity": "electric_reading"}
"""Which reading of a vacant check belongs to a household meter of each kind."""


async def settings_of(estate_id: str) -> tuple[MeterSettings, bool]:
    """The estate's 抄表 settings and whether they are its own (False: the seeded ones)."""
    return await own_or_seeded(estate_id, Estate.meter_settings, MeterSettings, SEED_METER_SETTINGS)


def _vacant_rows(meters: Iterable[dict[str, Any]], checks: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Vacant checks' readings as the readings of their unit's household meters."""
    by_unit: dict[tuple[str, str], str] = {(m["unit_id"], m["kind"]): m["id"] for m in meters if m["unit_id"]}
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in checks:
        for kind, field in VACANT_FIELD.items():
            meter_id = by_unit.get((c["unit_id"], kind))
            if meter_id and c.get(field) is not None:
                found[meter_id].append({"id": c["id"], "meter_id": meter_id, "reading": c[field],
                                        "read_at": c["checked_at"], "flag": None, "source": "vacant_check",
                                        "reader_id": c["steward_id"], "review": None})
    return found


async def past_of_meters(conn: Conn, meter_ids: Collection[str]) -> dict[str, Past]:
    """What the sync engine checks a new reading against, read inside the push's transaction:
    each meter's readings (its unit's vacant checks' included, those sent back for a re-read
    left out), its kind and its estate's settings. Scope is the merge's: a meter out of the writer's scope is refused there."""
    where, params = conn.in_list("id", sorted(meter_ids))
    meters = [{"id": r[0], "kind": r[1], "unit_id": r[2], "estate_id": r[3]} for r in await conn.fetch(
        f"SELECT id, kind, unit_id, estate_id FROM meter WHERE {where}", *params)]
    if not meters:
        return {}
    estates = sorted({m["estate_id"] for m in meters if m["estate_id"]})
    settings: dict[str, Any] = {}
    if estates:
        where, params = conn.in_list("id", estates)
        settings = {r[0]: msgspec.json.decode(r[1]) for r in await conn.fetch(
            f"SELECT id, meter_settings FROM estate WHERE {where} AND meter_settings IS NOT NULL", *params)}
    where, params = conn.in_list("meter_id", [m["id"] for m in meters])
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for meter_id, reading, read_at, flag in await conn.fetch(
            f"SELECT meter_id, reading, read_at, flag FROM meter_reading WHERE {where} AND deleted = ? "
            "AND (review IS NULL OR review <> ?)", *params, False, "reread"):
        rows[meter_id].append({"reading": reading, "read_at": read_at, "flag": flag})
    units = sorted({m["unit_id"] for m in meters if m["unit_id"]})
    if units:
        where, params = conn.in_list("unit_id", units)
        checks = [{"id": r[0], "unit_id": r[1], "checked_at": r[2], "water_reading": r[3],
                   "electric_reading": r[4], "steward_id": r[5]} for r in await conn.fetch(
            "SELECT id, unit_id, checked_at, water_reading, electric_reading, steward_id FROM vacant_check "
            f"WHERE {where} AND deleted = ?", *params, False)]
        for meter_id, found in _vacant_rows(meters, checks).items():
            rows[meter_id].extend(found)
    return {m["id"]: Past(rows=rows.get(m["id"], []),
                          about={"kind": m["kind"], "settings": settings.get(m["estate_id"])})
            for m in meters}


async def meters(building_id: str | None = None, *, scope: Scope) -> list[dict[str, Any]]:
    """The meters of the scope (of one building), floor by floor in walking order, each with
    its unit's code and its building's code."""
    query = Meter.select().where((Meter.deleted == False) & scope_where(Meter, scope))  # noqa: E712
    if building_id:
        query = query.where(Meter.building_id == building_id)
    rows = await query
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(
        Unit.id.is_in(sorted({r["unit_id"] for r in rows if r["unit_id"]}) or [""]) & scope_where(Unit, scope))}
    codes = await building_codes(scope=scope)
    for r in rows:
        r["unit_code"] = units.get(r["unit_id"] or "", "")
        r["building_code"] = codes.get(r["building_id"] or "", "")
    return sorted(rows, key=lambda r: (natural(r["building_code"]), r["floor"], r["walk_order"], natural(r["unit_code"])))


async def history(meter_ids: Collection[str], *, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Each meter's one history, oldest first: its readings and its unit's vacant checks'.
    A reading sent back for a re-read no longer counts (the re-read replaces it)."""
    if not meter_ids:
        return {}
    found = await Meter.select().where(Meter.id.is_in(sorted(meter_ids)) & scope_where(Meter, scope))
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in await MeterReading.select().where(
            MeterReading.meter_id.is_in([m["id"] for m in found]) & (MeterReading.deleted == False)  # noqa: E712
            & (MeterReading.review.is_null() | (MeterReading.review != "reread")) & scope_where(MeterReading, scope)):
        result[r["meter_id"]].append(r)
    units = sorted({m["unit_id"] for m in found if m["unit_id"]})
    if units:
        checks = await VacantCheck.select().where(
            VacantCheck.unit_id.is_in(units) & (VacantCheck.deleted == False) & scope_where(VacantCheck, scope))  # noqa: E712
        for meter_id, rows in _vacant_rows(found, checks).items():
            result[meter_id].extend(rows)
    return {k: sorted(v, key=lambda r: r["read_at"] or "") for k, v in result.items()}


async def to_review(*, scope: Scope) -> list[dict[str, Any]]:
    """Flagged readings not reviewed yet (复核), newest first, with their meter."""
    rows = await MeterReading.select().where(
        MeterReading.flag.is_not_null() & MeterReading.review.is_null()
        & (MeterReading.deleted == False) & scope_where(MeterReading, scope)  # noqa: E712
    ).order_by(MeterReading.read_at, ascending=False)
    return await _with_meters(rows, scope=scope)


async def rereads(*, scope: Scope) -> list[dict[str, Any]]:
    """Readings sent back for a re-read, each ``done`` once a newer reading of its meter is in."""
    sent = await MeterReading.select().where(
        (MeterReading.review == "reread") & (MeterReading.deleted == False) & scope_where(MeterReading, scope))  # noqa: E712
    past = await history({r["meter_id"] for r in sent}, scope=scope)
    for r in sent:
        r["done"] = any(p["read_at"] > r["read_at"] and p["source"] == "round" for p in past.get(r["meter_id"], []))
    return await _with_meters(sorted(sent, key=lambda r: r["read_at"], reverse=True), scope=scope)


async def _with_meters(rows: list[dict[str, Any]], *, scope: Scope) -> list[dict[str, Any]]:
    by_id = {m["id"]: m for m in await meters(scope=scope)}
    past = await history({r["meter_id"] for r in rows}, scope=scope)
    for r in rows:
        r["meter"] = by_id.get(r["meter_id"], {})
        earlier = [p for p in past.get(r["meter_id"], []) if p["read_at"] < r["read_at"]]
        r["last"] = earlier[-1]["reading"] if earlier else None
    return rows


async def month_sheet(month_start: str, month_end: str, *, settings: MeterSettings,
                      scope: Scope) -> list[dict[str, Any]]:
    """The month's sheet for finance: per unit and kind, the last reading before the month,
    the month's last reading, the use, the unit's share of its building's public use and the
    amount at the tariff. ``[month_start, month_end)`` in ISO UTC."""
    all_meters = await meters(scope=scope)
    past = await history({m["id"] for m in all_meters}, scope=scope)
    units = await Unit.select(Unit.id, Unit.code, Unit.area_m2, Unit.building_id).where(
        (Unit.deleted == False) & scope_where(Unit, scope))  # noqa: E712
    use_of: dict[str, dict[str, Any]] = {m["id"]: _meter_month(past.get(m["id"], []), month_start, month_end)
                                         for m in all_meters}
    public: dict[tuple[str, str], float] = defaultdict(float)
    for m in all_meters:
        if m["use"] == "public":
            public[(m["building_id"], m["kind"])] += use_of[m["id"]]["use"] or 0.0
    household = {(m["unit_id"], m["kind"]): m for m in all_meters if m["use"] == "household"}
    codes = await building_codes(scope=scope)
    rows: list[dict[str, Any]] = []
    by_building: dict[str, list[UnitArea]] = defaultdict(list)
    for u in units:
        by_building[u["building_id"]].append(UnitArea(unit_id=u["id"], code=u["code"], area_m2=u["area_m2"]))
    for building_id, members in by_building.items():
        total_area = sum(u.area_m2 for u in members)
        for kind in ("water", "electricity"):
            public_use = public.get((building_id, kind), 0.0)
            split = shares(members, public_use, settings.share_by)
            if not any((u.unit_id, kind) in household for u in members) and not public_use:
                continue
            for u in members:
                meter = household.get((u.unit_id, kind))
                own = use_of[meter["id"]] if meter else {"last": None, "current": None, "use": None}
                share = split.get(u.unit_id, 0.0)
                tariff = settings.tariff_fen[kind]
                rows.append({
                    "building_code": codes.get(building_id, ""), "unit_id": u.unit_id, "unit_code": u.code,
                    "area_m2": u.area_m2, "kind": kind, "last": own["last"], "current": own["current"],
                    "use": own["use"], "public_use": round(public_use, 4), "building_area": total_area,
                    "units": len(members), "share": round(share, 4), "tariff_fen": tariff,
                    "amount_fen": amount_fen(own["use"] or 0.0, share, tariff),
                })
    return sorted(rows, key=lambda r: (natural(r["building_code"]), natural(r["unit_code"]), r["kind"]))


def _meter_month(chain: list[dict[str, Any]], start: str, end: str) -> dict[str, Any]:
    """A meter's last reading before the month, its last in the month, and the use between."""
    before = [r for r in chain if r["read_at"] < start]
    within = [r for r in chain if start <= r["read_at"] < end]
    if not within or not before:
        return {"last": before[-1]["reading"] if before else None,
                "current": within[-1]["reading"] if within else None, "use": None}
    return {"last": before[-1]["reading"], "current": within[-1]["reading"],
            "use": month_use([before[-1], *within])}


async def reading_exists(reading_id: str, *, scope: Scope) -> bool:
    """Whether a reading is in scope (reviewed or not)."""
    return bool(await MeterReading.select(MeterReading.id).where(
        (MeterReading.id == reading_id) & scope_where(MeterReading, scope)).first())


async def unit_id_of(building_id: str, code: str, *, scope: Scope) -> str | None:
    """The id of a unit by its code within a building of the scope."""
    row = await Unit.select(Unit.id).where(
        (Unit.building_id == building_id) & (Unit.code == code) & (Unit.deleted == False)  # noqa: E712
        & scope_where(Unit, scope)).first()
    return row["id"] if row else None


async def set_settings(estate_id: str, settings: MeterSettings, *, user_id: str, ip: str) -> None:
    """Keep ``settings`` as the estate's own (under the sync write lock: a push checks its
    readings against one set of settings) and audit the change: before and after."""
    before, _ = await settings_of(estate_id)
    await keep_own(estate_id, Estate.meter_settings, settings, action="meter_settings_change", user_id=user_id,
                   ip=ip, before=msgspec.to_builtins(before), after=msgspec.to_builtins(settings))
