"""The demo's second, small estate (翠湖苑, code CHY): three buildings numbered like the
first estate's (1栋…3栋: each estate numbers its own), 36 units with their households, its
own desk clerk and steward, and a few tickets. Built after everything of the first estate,
so that the first estate's rows stay the same whatever is added here."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from server.clock import iso
from server.demo import texts
from server.demo.context import SECOND_ESTATE_ID, DemoContext, Staff, UnitInfo, stable_id
from server.demo.estate import HANDOVER, _household
from server.demo.tickets import TicketSpec, add_ticket

BUILDINGS, FLOORS, PER_FLOOR = 3, 6, 2
VACANT = {"2-1-0302", "3-1-0601", "3-1-0102"}
TICKETS = (  # kind, title, part, priority, hours ago, assignee
    ("repair", "卫生间下水道堵塞", "卫生间", "high", 3, "工程部"),
    ("repair", "阳台门把手松动", "阳台", "normal", 30, "工程部"),
    ("complaint", "楼下装修噪音大", "楼道", "normal", 6, "秩序维护部"),
    ("inquiry", "物业费缴费方式咨询", "", "low", 50, "客服前台"),
)


def second_estate(ctx: DemoContext, existing_staff: dict[str, str], password_hash: str) -> None:
    code, name, address = texts.SECOND_ESTATE
    ctx.add("estate", {"id": SECOND_ESTATE_ID, "code": code, "name": name, "address": address,
                       "ticket_seq": 0, "terms": None, "prices": None, "property_fees": None,
                       "familiarity": None, "meter_settings": None, "renovation_fees": None,
                       "survey_terms": None, "fees": None})
    handover = datetime.combine(HANDOVER, time(9, 0), ctx.tz)
    people = []
    for username, display_name, role in texts.SECOND_STAFF:
        person = Staff(id=existing_staff.get(username) or stable_id("staff", username), username=username,
                       display_name=display_name, role=role, phone=ctx.fake_phone())
        people.append(person)
        if role != "steward":
            ctx.add("staff_estate", {"user_id": person.id, "estate_id": SECOND_ESTATE_ID})
        if username not in existing_staff:
            ctx.add("staff_user", {
                "id": person.id, "username": username, "display_name": display_name, "role": role,
                "phone": person.phone, "password_hash": password_hash, "active": True, "team": None,
                "failed_logins": 0, "locked_until": None, "created_at": iso(handover),
            })
    clerk, steward = people
    for username in ("jingli", "admin"):  # the manager and the admin run both estates (the estate switch)
        ctx.add("staff_estate", {"user_id": existing_staff.get(username) or stable_id("staff", username),
                                 "estate_id": SECOND_ESTATE_ID})
    units: list[UnitInfo] = []
    for number in range(1, BUILDINGS + 1):
        building_id = stable_id("building", code, number)
        ctx.estate_of[building_id] = SECOND_ESTATE_ID
        ctx.building_codes[building_id] = f"{number}栋"
        ctx.steward_of[building_id] = steward
        ctx.add_synced("building", {"id": building_id, "code": f"{number}栋", "name": f"翠湖{number}号楼",
                                    "floors": FLOORS, "lifts": 1}, at=handover, by=None, building_id=building_id)
        ctx.add("building_assignment", {"user_id": steward.id, "building_id": building_id,
                                        "assigned_at": iso(handover)})
        for floor in range(1, FLOORS + 1):
            for n in range(1, PER_FLOOR + 1):
                unit_code = f"{number}-1-{floor:02d}{n:02d}"
                unit = UnitInfo(id=stable_id("unit", code, unit_code), building_id=building_id, code=unit_code,
                                unit_type="yangfang", area_m2=round(ctx.rng.uniform(89, 126), 2),
                                occupancy="vacant" if unit_code in VACANT else "occupied",
                                household_id=stable_id("household", code, unit_code),
                                owner_name=ctx.person_name(), owner_phone=ctx.fake_phone())
                units.append(unit)
                ctx.add_synced("unit", {"id": unit.id, "code": unit_code, "floor": floor, "unit_type": "yangfang",
                                        "area_m2": unit.area_m2, "occupancy": unit.occupancy},
                               at=handover, by=None, building_id=building_id)
                _household(ctx, unit, handover)
    occupied = [u for u in units if u.occupancy == "occupied"]
    for kind, title, part, priority, hours, assignee in TICKETS:
        unit = ctx.rng.choice(occupied)
        place = f"{ctx.building_codes[unit.building_id]} {unit.code} {part}".strip()
        add_ticket(ctx, TicketSpec(kind=kind, created=ctx.now - timedelta(hours=hours), title=title,
                                   priority=priority, first_responder=clerk, building_id=unit.building_id,
                                   place=place, assignee=assignee, unit=unit,
                                   description=f"业主来电：{title}"))
