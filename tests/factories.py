"""Test data, made through the real tables (one module for every test's factories)."""

from __future__ import annotations

import itertools

import msgspec

from server.clock import now_iso
from server.ids import uuid7
from server.store import staff
from server.tables import Building, Estate, Household, StaffEstate, StaffUser, Unit
from sync.scope import ESTATE_LIST_ROLES, OFFICE_ROLES

_n = itertools.count(1)
PASSWORD = "correct-horse-battery"


def new_id() -> str:
    """A UUIDv7, as a phone makes them."""
    return uuid7()


class SmallEstate(msgspec.Struct, kw_only=True):
    estate_id: str
    building_ids: list[str]
    unit_ids: dict[str, list[str]]  # building id -> unit ids
    household_ids: dict[str, str]  # unit id -> household id


async def make_estate(buildings: int = 2, units_per_building: int = 4, vacant_every: int = 4,
                      *, office: bool = True) -> SmallEstate:
    """Buildings with units and households (every ``vacant_every``-th unit vacant, no
    household); every row carries the estate. With ``office`` every office account that
    exists already works in the new estate too (the test's one office); a second estate
    with staff of its own is made with ``office=False``."""
    estate_id = new_id()
    number = next(_n)
    await Estate.insert(Estate(id=estate_id, code=f"T{number}", name=f"测试花园{number}", address="测试路1号"))
    at = now_iso()
    result = SmallEstate(estate_id=estate_id, building_ids=[], unit_ids={}, household_ids={})
    for b in range(1, buildings + 1):
        building_id = new_id()
        await Building.insert(Building(id=building_id, building_id=building_id, estate_id=estate_id,
                                       code=f"{b}栋", name=f"{b}号楼", floors=6, lifts=1,
                                       created_at=at, updated_at=at))
        result.building_ids.append(building_id)
        result.unit_ids[building_id] = []
        for u in range(1, units_per_building + 1):
            unit_id = new_id()
            vacant = vacant_every and u % vacant_every == 0
            await Unit.insert(Unit(id=unit_id, building_id=building_id, estate_id=estate_id,
                                   code=f"{b}-{u:02d}01",
                                   floor=u, unit_type="yangfang", area_m2=98.5,
                                   occupancy="vacant" if vacant else "occupied",
                                   created_at=at, updated_at=at))
            result.unit_ids[building_id].append(unit_id)
            if not vacant:
                household_id = new_id()
                await Household.insert(Household(
                    id=household_id, building_id=building_id, estate_id=estate_id,
                    unit_id=unit_id,
                    owner_name=f"业主{b}{u}", owner_phone=f"1380000{b:02d}{u:02d}",
                    owner_id_number=f"11010519800101{b:02d}{u:02d}", created_at=at, updated_at=at))
                result.household_ids[unit_id] = household_id
    if office:
        users = await StaffUser.select(StaffUser.id).where(
            StaffUser.role.is_in(sorted(OFFICE_ROLES)))
        if users:
            await StaffEstate.insert(*[StaffEstate(user_id=u["id"], estate_id=estate_id)
                                       for u in users])
    return result


async def make_user(role: str = "steward", building_ids: list[str] | None = None,
                    username: str | None = None, estate_ids: list[str] | None = None,
                    team: str | None = None) -> str:
    """A staff account with password ``PASSWORD``; stewards get ``building_ids`` assigned;
    an office account or an engineer works in ``estate_ids`` (default: every estate made so
    far); an engineer is in ``team`` (default 水电班)."""
    name = username or f"{role}{next(_n)}"
    if estate_ids is None and role in ESTATE_LIST_ROLES:
        estate_ids = [e["id"] for e in await Estate.select(Estate.id)]
    user_id = await staff.add_user(name, PASSWORD, f"测试{role}", role, estate_ids=estate_ids)
    if role == "engineer":
        await staff.set_team(user_id, team or "water_power")
    if building_ids:
        await staff.assign_buildings(user_id, building_ids)
    return user_id


async def enrol(client, username: str, device_id: str | None = None) -> dict[str, str]:
    """Enrol a phone through the API; returns the Authorization header for it."""
    device_id = device_id or new_id()
    response = await client.post("/api/v1/devices/enrol", json={
        "username": username, "password": PASSWORD, "device_id": device_id, "label": "test phone"})
    assert response.status_code == 201, response.text
    return {"Authorization": "Bearer " + response.json()["token"], "X-Device-Id": device_id}
