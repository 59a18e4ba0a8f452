"""The estate itself: buildings, units, the household archive (业户档案) and the staff."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from server.clock import iso
from server.demo import texts
from server.demo.context import DEMO_ESTATE_ID, DemoContext, Staff, UnitInfo, stable_id

HANDOVER = date(2019, 6, 1)  # the estate's handover: reference data dates from it
VACANT_UNITS = 35  # ~12% of 292
RENOVATING_UNITS = 6
STEWARD_BUILDINGS = (4, 4, 5, 4, 4, 4)  # consecutive buildings per steward: 25 in all


def build_estate(ctx: DemoContext, existing_staff: dict[str, str], password_hash: str) -> None:
    handover = datetime.combine(HANDOVER, time(9, 0), ctx.tz)
    ctx.add("estate", {"id": DEMO_ESTATE_ID, "code": "JXHT", "name": texts.ESTATE_NAME, "address": texts.ESTATE_ADDRESS,
                       "ticket_seq": 0, "terms": None, "prices": None, "property_fees": None,
                       "familiarity": None, "meter_settings": None, "renovation_fees": None,
                       "survey_terms": None, "fees": None})
    _staff(ctx, existing_staff, password_hash, handover)
    buildings = _buildings(ctx, handover)
    _assign(ctx, buildings, handover)
    _units_and_households(ctx, buildings, handover)


def _staff(ctx: DemoContext, existing: dict[str, str], password_hash: str, at: datetime) -> None:
    for username, display_name, role in texts.STAFF:
        person = Staff(id=existing.get(username) or stable_id("staff", username), username=username,
                       display_name=display_name, role=role, phone=ctx.fake_phone())
        ctx.staff.append(person)
        if role != "steward":  # the office works in the demo estate (stewards: by building)
            ctx.add("staff_estate", {"user_id": person.id, "estate_id": DEMO_ESTATE_ID})
        if username in existing:
            continue  # an account made before the demo keeps its password and details
        ctx.add("staff_user", {
            "id": person.id, "username": username, "display_name": display_name, "role": role,
            "phone": person.phone, "password_hash": password_hash, "active": True, "team": None,
            "failed_logins": 0, "locked_until": None, "created_at": iso(at),
        })


def _buildings(ctx: DemoContext, at: datetime) -> list[tuple[str, str, int, int]]:
    """(building id, unit type, floors, units per floor) in building-number order."""
    result = []
    number = 0
    for unit_type, count, floors, per_floor in texts.LAYOUT:
        for _ in range(count):
            number += 1
            building_id = stable_id("building", number)
            code = f"{number}栋"
            ctx.building_codes[building_id] = code
            ctx.add_synced("building", {
                "id": building_id, "code": code, "name": f"{number}号楼",
                "floors": floors if unit_type != "lianpai" else 3,
                "lifts": 1 if unit_type == "yangfang" else 0,
            }, at=at, by=None, building_id=building_id)
            result.append((building_id, unit_type, floors, per_floor))
    return result


def _assign(ctx: DemoContext, buildings: list[tuple[str, str, int, int]], at: datetime) -> None:
    stewards = ctx.by_role("steward")
    start = 0
    for steward, count in zip(stewards, STEWARD_BUILDINGS, strict=True):
        for building_id, *_ in buildings[start:start + count]:
            steward.building_ids.append(building_id)
            ctx.steward_of[building_id] = steward
            ctx.add("building_assignment", {"user_id": steward.id, "building_id": building_id,
                                            "assigned_at": iso(at)})
        start += count


def _units_and_households(ctx: DemoContext, buildings: list[tuple[str, str, int, int]],
                          at: datetime) -> None:
    slots = [(b, t, floor, n) for b, t, floors, per_floor in buildings
             for floor in range(1, floors + 1) for n in range(1, per_floor + 1)]
    picked = ctx.rng.sample(range(len(slots)), VACANT_UNITS + RENOVATING_UNITS)
    occupancy = {i: "vacant" for i in picked[:VACANT_UNITS]}
    occupancy.update({i: "renovating" for i in picked[VACANT_UNITS:]})
    for i, (building_id, unit_type, floor, n) in enumerate(slots):
        number = ctx.building_codes[building_id].removesuffix("栋")
        code = f"{number}-{n:02d}" if unit_type == "lianpai" else f"{number}-1-{floor:02d}{n:02d}"
        low, high = texts.AREA_RANGE[unit_type]
        unit = UnitInfo(id=stable_id("unit", code), building_id=building_id, code=code,
                        unit_type=unit_type, area_m2=round(ctx.rng.uniform(low, high), 2),
                        occupancy=occupancy.get(i, "occupied"), household_id=stable_id("household", code),
                        owner_name=ctx.person_name(), owner_phone=ctx.fake_phone())
        ctx.units.append(unit)
        ctx.add_synced("unit", {
            "id": unit.id, "code": code, "floor": floor if unit_type != "lianpai" else 1,
            "unit_type": unit_type, "area_m2": unit.area_m2, "occupancy": unit.occupancy,
        }, at=at, by=None, building_id=building_id)
        _household(ctx, unit, at)


def _household(ctx: DemoContext, unit: UnitInfo, handover: datetime) -> None:
    rng = ctx.rng
    latest = ctx.today - timedelta(days=40)
    move_in = HANDOVER + timedelta(days=rng.randrange(30, max(31, (latest - HANDOVER).days)))
    row: dict = {"id": unit.household_id, "unit_id": unit.id, "owner_name": unit.owner_name,
                 "owner_phone": unit.owner_phone,
                 "owner_id_number": f"999999{rng.randrange(1950, 2000)}{rng.randrange(1, 13):02d}"
                                    f"{rng.randrange(1, 29):02d}{rng.randrange(10000):04d}",
                 "co_residents": [], "family_structure": None, "residence": "unknown",
                 "tenant_name": None, "tenant_phone": None, "special_needs": None,
                 "emergency_contact_name": None, "emergency_contact_phone": None,
                 "opinions": None, "notes": None, "owner_class": "ordinary",
                 "known_by_steward": False, "move_in_date": None, "ended_on": None, "end_reason": None,
                 "key_customer_reason": None, "spouse_name": None, "owner_age": None, "education": None,
                 "hometown": None, "employer": None, "work_address": None, "family_size": None}
    if unit.occupancy == "vacant":
        row["notes"] = "空置房，钥匙存放客服前台"
    else:
        _living_household(ctx, unit, row, move_in)
    at = max(handover, datetime.combine(move_in, time(10, 0), ctx.tz)) if row["move_in_date"] else handover
    ctx.add_synced("household", row, at=at, by=None, building_id=unit.building_id)


def _knowledge(row: dict) -> None:
    """What the steward has learnt of the household so far (应知 6): most records part-filled,
    some complete, a few key customers with their reason. Drawn from a generator of the
    household's own, so that the rest of the demo stays as it was."""
    rng = random.Random(row["id"])
    spouse = next((p["name"] for p in row["co_residents"] if p["relation"] == "配偶"), None)
    known = rng.choice((0.3, 0.6, 0.9, 1.0))
    facts = {"spouse_name": spouse or "无", "owner_age": rng.randrange(28, 75),
             "education": rng.choice(texts.EDUCATION), "hometown": rng.choice(texts.HOMETOWNS),
             "employer": rng.choice(texts.EMPLOYERS), "work_address": rng.choice(texts.WORK_ADDRESSES),
             "family_size": 1 + len(row["co_residents"])}
    row.update({k: v for k, v in facts.items() if rng.random() < known})
    if row["opinions"] is None and rng.random() < known:
        row["opinions"] = "无"
    if row["special_needs"] is None and rng.random() < known:
        row["special_needs"] = "无"
    if rng.random() < 0.05:
        kind, reason = rng.choice(texts.KEY_CUSTOMERS)
        row.update(owner_class=kind, key_customer_reason=reason)


def _living_household(ctx: DemoContext, unit: UnitInfo, row: dict, move_in: date) -> None:
    rng = ctx.rng
    surname = unit.owner_name[0]
    alone = rng.random() < 0.05
    if alone:
        structure, relations = texts.LIVING_ALONE, ()
        child = ctx.person_name(surname)
        row.update(special_needs=rng.choice(texts.SPECIAL_NEEDS_ALONE),
                   emergency_contact_name=f"{child}（子女）", emergency_contact_phone=ctx.fake_phone())
    else:
        structure, relations = rng.choice(texts.FAMILY_STRUCTURES)
        if rng.random() < 0.04:
            row["special_needs"] = rng.choice(texts.SPECIAL_NEEDS_OTHER)
    row["co_residents"] = [
        {"name": ctx.person_name(surname if relation != "配偶" else None), "relation": relation,
         "age": _age(rng, relation), "phone": ctx.fake_phone() if relation == "配偶" else None}
        for relation in relations
    ]
    rented = unit.occupancy == "occupied" and rng.random() < 0.14
    row.update(
        family_structure=structure, move_in_date=move_in.isoformat(),
        residence="rented" if rented else "self_occupied",
        owner_class="committee" if rng.random() < 0.03 else ("vip" if rng.random() < 0.04 else "ordinary"),
        known_by_steward=rng.random() < 0.86,
        opinions=rng.choice(texts.OPINIONS) if rng.random() < 0.35 else None,
        notes=rng.choice(texts.NOTES) if rng.random() < 0.2 else None,
    )
    if rented:
        row.update(tenant_name=ctx.person_name(), tenant_phone=ctx.fake_phone())
    _knowledge(row)
    if unit.occupancy == "renovating":
        row["notes"] = "装修中，已办理装修许可证，装修保证金已缴"


def _age(rng, relation: str) -> int:
    return {"子女": rng.randrange(3, 30), "母亲": rng.randrange(60, 85),
            "父亲": rng.randrange(60, 85)}.get(relation, rng.randrange(28, 70))
