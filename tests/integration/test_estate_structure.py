"""The estate's structure at the desk (issue 12): buildings, units and households added and
edited through the sync merge; a change of owner (过户) or tenant keeps the former household
and its history; occupancy marks; on SQLite and PostgreSQL."""

from __future__ import annotations


from server.ids import next_household_id
from server.store import kpi as kpi_store
from server.store import tickets as ticket_store
from server.store.archive import search
from server.store.rows import json_value
from server.tables import Building, ChangeLog, Conflict, Household, Unit, Visit
from sync.scope import Scope
from tests.factories import make_estate, new_id
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_sync_support import steward_phone, table_counts

TRANSFER = {"kind": "transfer", "ended_on": "2026-11-20", "owner_name": "王新主", "owner_phone": "13912345678",
            "owner_id_number": "110105199001011234", "residence": "self_occupied", "move_in_date": "2026-11-25"}


def shown(row: dict, *fields: str) -> dict[str, str]:
    """What an edit form shows: the value and its base_<field> twin."""
    out: dict[str, str] = {}
    for f in fields:
        value = "" if row.get(f) is None else str(row[f])
        out[f] = out[f"base_{f}"] = value
    return out


async def household_of(unit_id: str) -> dict:
    return await Household.select().where((Household.unit_id == unit_id) & Household.ended_on.is_null()).first()


async def test_a_manager_adds_a_building_and_units_that_a_steward_pulls(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    await login(client, "manager")
    response = await client.post("/desk/estate/buildings", headers=csrf(client),
                                 data={"code": "9栋", "name": "9号楼", "floors": "18", "lifts": "2"})
    assert response.status_code == 303, response.text
    building = await Building.select().where(Building.code == "9栋").first()
    assert building["estate_id"] == estate.estate_id and building["floors"] == 18 and building["version"] > 0
    assert response.headers["location"] == f"/desk/estate/buildings/{building['id']}"
    added = await client.post(f"/desk/estate/buildings/{building['id']}/units", headers=csrf(client, True),
                              data={"code": "9-1-0301", "floor": "3", "unit_type": "diejia", "area_m2": "120.5",
                                    "occupancy": "vacant"})
    assert added.status_code == 200 and "9-1-0301" in added.text and 'id="building"' in added.text
    unit = await Unit.select().where(Unit.code == "9-1-0301").first()
    assert (unit["building_id"], unit["estate_id"], unit["area_m2"]) == (building["id"], estate.estate_id, 120.5)
    logged = {r["collection"] for r in await ChangeLog.select(ChangeLog.collection).where(
        ChangeLog.record_id.is_in([building["id"], unit["id"]]))}
    assert logged == {"building", "unit"}

    phone = await steward_phone(client, [building["id"]])
    await phone.pull()
    assert [u["code"] for u in phone.live("unit").values()] == ["9-1-0301"]
    assert list(phone.live("building")) == [building["id"]]

    page = await client.get("/desk/estate")
    assert page.status_code == 200 and "9栋" in page.text and "1栋" in page.text


async def test_bad_structure_input_is_refused_and_changes_nothing(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    building_id = estate.building_ids[0]
    await login(client, "manager")
    before = await table_counts("building", "unit", "change_log")
    for data, code in (
        ({"code": "1栋", "name": "重复", "floors": "6"}, 409),  # the estate has a 1栋
        ({"code": "8栋", "name": "八号楼", "floors": "-2"}, 422),
        ({"code": "8栋", "name": "", "floors": "6"}, 422),
    ):
        response = await client.post("/desk/estate/buildings", headers=csrf(client, True), data=data)
        assert response.status_code == code, (data, response.text)
        assert response.headers.get("hx-retarget") == "#flash"
    negative = await client.post(f"/desk/estate/buildings/{building_id}/units", headers=csrf(client, True),
                                 data={"code": "1-0901", "floor": "2", "unit_type": "yangfang", "area_m2": "-5"})
    assert negative.status_code == 422 and "面积" in negative.text and "Area" not in negative.text
    english = await client.post(f"/desk/estate/buildings/{building_id}/units?lang=en", headers=csrf(client, True),
                                data={"code": "1-0901", "floor": "2", "unit_type": "yangfang", "area_m2": "-5"})
    assert english.status_code == 422 and "Area" in english.text and "面积" not in english.text
    for data in ({"code": "1-0101", "floor": "1", "unit_type": "yangfang", "area_m2": "90"},  # taken
                 {"code": "1-9901", "floor": "99", "unit_type": "yangfang", "area_m2": "90"},  # above 6 floors
                 {"code": "1-0901", "floor": "2", "unit_type": "villa", "area_m2": "90"}):
        refused = await client.post(f"/desk/estate/buildings/{building_id}/units", headers=csrf(client, True), data=data)
        assert refused.status_code in (409, 422), data
    assert await table_counts("building", "unit", "change_log") == before


async def test_the_desk_marks_occupancy_but_may_not_add_buildings(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    refused = await client.post("/desk/estate/buildings", headers=csrf(client),
                                data={"code": "7栋", "name": "七号楼", "floors": "6"})
    assert refused.status_code == 403 and await Building.count().where(Building.code == "7栋") == 0
    unit = await Unit.select().where(Unit.id == unit_id).first()
    response = await client.post(f"/desk/archive/units/{unit_id}/occupancy", headers=csrf(client, True), data={
        "version": unit["version"], "base_occupancy": "occupied", "occupancy": "renovating"})
    assert response.status_code == 200 and "装修中" in response.text
    row = await Unit.select().where(Unit.id == unit_id).first()
    assert row["occupancy"] == "renovating" and row["version"] > unit["version"]
    assert await ChangeLog.exists().where(ChangeLog.record_id == unit_id)
    # the unit's other fields are the manager's: the route refuses the desk
    edit = await client.post(f"/desk/archive/units/{unit_id}", headers=csrf(client),
                             data={"version": row["version"], **shown(row, "floor", "unit_type"), "area_m2": "1"})
    assert edit.status_code == 403


async def test_a_transfer_keeps_the_former_household_and_its_history(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    building_id = estate.building_ids[0]
    unit_id = estate.unit_ids[building_id][0]
    old_id = estate.household_ids[unit_id]
    old = await Household.select().where(Household.id == old_id).first()
    phone = await steward_phone(client, [building_id])
    visit_id = phone.create("visit", {"unit_id": unit_id, "household_id": old_id, "purpose": "routine",
                                      "status": "done", "visited_at": "2026-10-01T02:00:00.000Z",
                                      "steward_id": phone.user_id, "owner_words": "楼道灯坏了"})
    assert [r["status"] for r in await phone.push()] == ["applied"]
    await phone.pull()

    await login(client, "desk")
    response = await client.post(f"/desk/archive/households/{old_id}/change", headers=csrf(client, True),
                                 data={"version": old["version"], **TRANSFER})
    assert response.status_code == 200, response.text
    assert "已过户" in response.text and "王新主" in response.text and "历史住户" in response.text

    former = await Household.select().where(Household.id == old_id).first()
    assert (former["ended_on"], former["end_reason"], former["owner_name"]) == ("2026-11-20", "transfer", "业主11")
    current = await household_of(unit_id)
    assert current["id"] == next_household_id(old_id) and current["owner_name"] == "王新主"
    assert current["move_in_date"] == "2026-11-25" and current["building_id"] == building_id
    assert await Household.count().where(Household.unit_id == unit_id) == 2
    assert (await Visit.select(Visit.household_id).where(Visit.id == visit_id).first())["household_id"] == old_id

    # the phone pulls both: the former one ended, the new one current
    await phone.pull()
    mine = {h["id"]: h for h in phone.live("household").values() if h["unit_id"] == unit_id}
    assert mine[old_id]["ended_on"] == "2026-11-20" and mine[current["id"]]["ended_on"] is None

    # the archive page: the current household, the former one with its visit
    page = await client.get(f"/desk/archive/units/{unit_id}")
    assert "王新主" in page.text and f'data-former="{old_id}"' in page.text and "业主11" in page.text
    assert "过户" in page.text and "家访" in page.text

    # the former owner is no longer the unit's owner: search, intake, KPI, export
    scope = Scope(estates=frozenset({estate.estate_id}), buildings=None)
    assert await search("业主11", "desk", scope=scope) == []
    assert [u["household"]["owner_name"] for u in await search("王新主", "desk", scope=scope)] == ["王新主"]
    by_phone = await ticket_store.find_owners(old["owner_phone"], scope=scope)
    assert all(u["id"] != unit_id for u in by_phone)
    owners = await ticket_store.find_owners("1-0101", scope=scope)
    assert owners[0]["household"]["owner_name"] == "王新主"
    export = await client.get("/desk/export/archive.csv?q=1-0101")
    assert "王新主" in export.text and "业主11" not in export.text

    # a steward's edit made offline before the change lands on the former household, not the new owner's
    phone.replica[("household", old_id)] = {**mine[old_id], "version": old["version"], "special_needs": None}
    phone.update("household", old_id, {"special_needs": "老人行动不便"})
    assert [r["status"] for r in await phone.push()] == ["applied"]
    assert (await Household.select().where(Household.id == old_id).first())["special_needs"] == "老人行动不便"
    assert (await household_of(unit_id))["special_needs"] is None

    # the same form again (a double submit) changes nothing
    versions = await ChangeLog.count()
    again = await client.post(f"/desk/archive/households/{old_id}/change", headers=csrf(client, True),
                              data={"version": old["version"], **TRANSFER})
    assert again.status_code == 200 and await ChangeLog.count() == versions
    assert await Household.count().where(Household.unit_id == unit_id) == 2


async def test_a_former_household_does_not_count_in_the_kpis(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    old = await Household.select().where(Household.id == estate.household_ids[unit_id]).first()
    await login(client, "desk")
    response = await client.post(f"/desk/archive/households/{old['id']}/change", headers=csrf(client, True),
                                 data={"version": old["version"], **TRANSFER})
    assert response.status_code == 200
    scope = Scope(estates=frozenset({estate.estate_id}), buildings=None)
    kpis = {k.key: k for k in await kpi_store.month_kpis("2026-10-31T16:00:00.000Z", "2026-11-30T16:00:00.000Z",
                                                          "2026-11", None, scope=scope)}
    assert kpis["valid_complaint_rate"].denominator == len(estate.household_ids)


async def test_two_clerks_transferring_at_once_leave_one_current_household(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    old_id = estate.household_ids[unit_id]
    old = await Household.select().where(Household.id == old_id).first()
    await login(client, "desk")
    first = await client.post(f"/desk/archive/households/{old_id}/change", headers=csrf(client, True),
                              data={"version": old["version"], **TRANSFER})
    assert first.status_code == 200
    # the second clerk's form was loaded before the first one's change
    second = await client.post(f"/desk/archive/households/{old_id}/change", headers=csrf(client, True),
                               data={"version": old["version"], **TRANSFER, "ended_on": "2026-11-21",
                                     "owner_name": "李另主"})
    assert second.status_code == 200 and "有人先修改了同一项" in second.text
    current = await Household.select().where((Household.unit_id == unit_id) & Household.ended_on.is_null())
    assert [h["owner_name"] for h in current] == ["王新主"]
    conflicts = {c["kind"]: c for c in await Conflict.select().where(Conflict.collection == "household")}
    assert conflicts["field"]["field"] == "ended_on" and json_value(conflicts["field"]["lost_value"]) == "2026-11-21"
    assert json_value(conflicts["create_exists"]["lost_value"])["owner_name"] == "李另主"


async def test_a_tenant_change_keeps_the_owner_and_the_former_tenant(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    old_id = estate.household_ids[unit_id]
    await Household.update({Household.residence: "rented", Household.tenant_name: "赵租客",
                            Household.owner_class: "vip"}).where(Household.id == old_id)
    old = await Household.select().where(Household.id == old_id).first()
    await login(client, "desk")
    response = await client.post(f"/desk/archive/households/{old_id}/change", headers=csrf(client, True), data={
        "version": old["version"], "kind": "tenancy", "ended_on": "2026-11-01", "residence": "rented",
        "tenant_name": "钱新租", "tenant_phone": "13700001111", "family_structure": "两口之家"})
    assert response.status_code == 200, response.text
    current = await household_of(unit_id)
    assert (current["owner_name"], current["owner_phone"], current["owner_class"]) == (
        old["owner_name"], old["owner_phone"], "vip")
    assert (current["tenant_name"], current["family_structure"], current["move_in_date"]) == ("钱新租", "两口之家", "2026-11-01")
    former = await Household.select().where(Household.id == old_id).first()
    assert (former["tenant_name"], former["end_reason"]) == ("赵租客", "tenancy")


async def test_a_desk_correction_merges_with_a_stewards_concurrent_edit(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    building_id = estate.building_ids[0]
    unit_id = estate.unit_ids[building_id][0]
    household_id = estate.household_ids[unit_id]
    phone = await steward_phone(client, [building_id])
    await phone.pull()
    await login(client, "desk")
    loaded = await Household.select().where(Household.id == household_id).first()  # the clerk's form

    phone.update("household", household_id, {"special_needs": "独居老人", "notes": "周末在家"})
    assert [r["status"] for r in await phone.push()] == ["applied"]

    form = {"version": loaded["version"], **shown(loaded, "owner_name", "owner_phone", "owner_id_number", "residence",
                                                  "tenant_name", "tenant_phone", "family_structure", "special_needs",
                                                  "emergency_contact_name", "emergency_contact_phone", "opinions",
                                                  "notes", "owner_class", "move_in_date")}
    form.update(owner_phone="13811112222", notes="业主要求短信通知")
    response = await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client, True), data=form)
    assert response.status_code == 200 and "有人先修改了同一项" in response.text
    row = await Household.select().where(Household.id == household_id).first()
    # the desk's phone number applied, the steward's fields kept; the same field: first sync wins
    assert (row["owner_phone"], row["special_needs"], row["notes"]) == ("13811112222", "独居老人", "周末在家")
    conflict = await Conflict.select().where(Conflict.record_id == household_id).first()
    assert (conflict["field"], json_value(conflict["lost_value"])) == ("notes", "业主要求短信通知")
    await phone.pull()
    assert phone.live("household")[household_id]["owner_phone"] == "13811112222"

    bad = await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client, True),
                            data={**form, "version": row["version"], "owner_phone": "call me"})
    assert bad.status_code == 422 and "业主电话" in bad.text
    assert (await Household.select().where(Household.id == household_id).first())["version"] == row["version"]


async def test_a_household_for_a_vacant_unit_and_refusals(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=4, vacant_every=4)
    vacant = estate.unit_ids[estate.building_ids[0]][3]
    occupied = estate.unit_ids[estate.building_ids[0]][0]
    await login(client, "desk")
    response = await client.post(f"/desk/archive/units/{vacant}/household", headers=csrf(client, True),
                                 data={"owner_name": "孙首主", "owner_phone": "13600000000", "move_in_date": "2026-11-02"})
    assert response.status_code == 200 and "孙首主" in response.text
    made = await household_of(vacant)
    assert made["id"] == next_household_id(vacant) and made["version"] > 0
    before = await table_counts("household", "change_log")
    taken = await client.post(f"/desk/archive/units/{occupied}/household", headers=csrf(client, True),
                              data={"owner_name": "周某"})
    assert taken.status_code == 409
    old = await household_of(occupied)
    for data in ({**TRANSFER, "ended_on": "2026-02-30"}, {**TRANSFER, "ended_on": "2099-01-01"},
                 {**TRANSFER, "owner_name": ""}, {**TRANSFER, "kind": "sold"}):
        refused = await client.post(f"/desk/archive/households/{old['id']}/change", headers=csrf(client, True),
                                    data={"version": old["version"], **data})
        assert refused.status_code == 422, data
    missing = await client.post(f"/desk/archive/households/{new_id()}/change", headers=csrf(client, True),
                                data={"version": 1, **TRANSFER})
    assert missing.status_code == 404
    assert await table_counts("household", "change_log") == before


async def test_a_manager_edits_a_unit_while_the_desk_marks_it(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=2)
    building_id = estate.building_ids[0]
    unit_id = estate.unit_ids[building_id][1]
    unit = await Unit.select().where(Unit.id == unit_id).first()  # the manager's form
    await login(client, "desk")
    marked = await client.post(f"/desk/archive/units/{unit_id}/occupancy", headers=csrf(client), data={
        "version": unit["version"], "base_occupancy": "occupied", "occupancy": "vacant"})
    assert marked.status_code == 303
    await login(client, "manager")
    form = {"version": unit["version"], **shown(unit, "floor", "unit_type", "area_m2")}
    response = await client.post(f"/desk/archive/units/{unit_id}", headers=csrf(client, True),
                                 data={**form, "area_m2": "101.25", "unit_type": "lianpai"})
    assert response.status_code == 200 and "联排" in response.text and "有人先修改" not in response.text
    row = await Unit.select().where(Unit.id == unit_id).first()
    assert (row["occupancy"], row["area_m2"], row["unit_type"], row["floor"]) == ("vacant", 101.25, "lianpai", 2)
    assert await Conflict.count() == 0

    building = await Building.select().where(Building.id == building_id).first()
    other = await make_estate(buildings=2, units_per_building=1)  # its 2栋 is another estate's
    assert other.estate_id != estate.estate_id
    data = {"version": building["version"], **shown(building, "code", "name", "floors", "lifts")}
    renamed = await client.post(f"/desk/estate/buildings/{building_id}", headers=csrf(client, True),
                                data={**data, "code": "2栋", "name": "二号楼", "floors": "9"})
    assert renamed.status_code == 200 and "二号楼" in renamed.text
    row = await Building.select().where(Building.id == building_id).first()
    assert (row["code"], row["name"], row["floors"], row["lifts"]) == ("2栋", "二号楼", 9, 1)
    await client.post("/desk/estate/buildings", headers=csrf(client),
                      data={"code": "3栋", "name": "三号楼", "floors": "6", "estate_id": estate.estate_id})
    clash = await client.post(f"/desk/estate/buildings/{building_id}", headers=csrf(client, True),
                              data={**data, "version": row["version"], "base_code": "2栋", "code": "3栋"})
    assert clash.status_code == 409
    assert (await Building.select().where(Building.id == building_id).first())["code"] == "2栋"


async def test_another_estates_structure_is_not_found(client) -> None:
    mine = await make_estate(buildings=1, units_per_building=1)
    await login(client, "manager")  # works in the estates made so far: mine
    theirs = await make_estate(buildings=1, units_per_building=1, office=False)
    building_id = theirs.building_ids[0]
    unit_id = theirs.unit_ids[building_id][0]
    household = await Household.select().where(Household.id == theirs.household_ids[unit_id]).first()
    before = await table_counts("building", "unit", "household", "change_log")
    answers = [
        await client.get(f"/desk/estate/buildings/{building_id}"),
        await client.post(f"/desk/estate/buildings/{building_id}", headers=csrf(client),
                          data={"version": 1, "code": "X栋", "name": "X", "floors": "3"}),
        await client.post(f"/desk/estate/buildings/{building_id}/units", headers=csrf(client),
                          data={"code": "X-0101", "floor": "1", "unit_type": "yangfang", "area_m2": "80"}),
        await client.post(f"/desk/archive/units/{unit_id}", headers=csrf(client),
                          data={"version": 1, "floor": "1", "unit_type": "yangfang", "area_m2": "80"}),
        await client.post(f"/desk/archive/units/{unit_id}/occupancy", headers=csrf(client),
                          data={"version": 1, "base_occupancy": "occupied", "occupancy": "vacant"}),
        await client.post(f"/desk/archive/units/{unit_id}/household", headers=csrf(client), data={"owner_name": "X"}),
        await client.post(f"/desk/archive/households/{household['id']}", headers=csrf(client),
                          data={"version": household["version"], "owner_name": "X", "base_owner_name": "业主11"}),
        await client.post(f"/desk/archive/households/{household['id']}/change", headers=csrf(client),
                          data={"version": household["version"], **TRANSFER}),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    refused = await client.post("/desk/estate/buildings", headers=csrf(client),
                                data={"code": "X栋", "name": "X", "floors": "3", "estate_id": theirs.estate_id})
    assert refused.status_code == 422
    assert await table_counts("building", "unit", "household", "change_log") == before
    page = await client.get("/desk/estate")
    assert mine.building_ids[0] in page.text and building_id not in page.text


async def test_the_desk_keeps_co_residents_a_line_a_person(client) -> None:
    estate = await make_estate(buildings=1, units_per_building=1)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    household_id = estate.household_ids[unit_id]
    row = await Household.select().where(Household.id == household_id).first()
    await login(client, "desk")
    form = {"version": row["version"], **shown(row, "owner_name", "residence", "owner_class"),
            "co_residents": "李梅 配偶 45 13700000001\r\n王小明，儿子，12\r\n", "base_co_residents": ""}
    response = await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client, True), data=form)
    assert response.status_code == 200 and "李梅" in response.text
    row = await Household.select().where(Household.id == household_id).first()
    assert json_value(row["co_residents"]) == [{"name": "李梅", "relation": "配偶", "age": 45, "phone": "13700000001"},
                                               {"name": "王小明", "relation": "儿子", "age": 12}]
    page = await client.get(f"/desk/archive/units/{unit_id}")
    assert "李梅 配偶 45 13700000001\n王小明 儿子 12</textarea>" in page.text
    # the form sent back as shown (CRLF from the browser) changes nothing
    again = {**form, "version": row["version"], "co_residents": "李梅 配偶 45 13700000001\r\n王小明 儿子 12",
             "base_co_residents": "李梅 配偶 45 13700000001\r\n王小明 儿子 12"}
    versions = await ChangeLog.count()
    assert (await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client, True),
                              data=again)).status_code == 200
    assert await ChangeLog.count() == versions and await Conflict.count() == 0
    bad = await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client, True),
                            data={**again, "co_residents": "张三 父亲 七十 岁 很多 字"})
    assert bad.status_code == 422 and "同住人第 1 行" in bad.text


async def test_the_id_number_is_masked_and_its_reveal_is_audited(client) -> None:
    from server.tables import AuditLog
    from tests.integration.test_desk_helpers import csrf

    estate = await make_estate(buildings=1, units_per_building=2)
    unit_id = estate.unit_ids[estate.building_ids[0]][0]
    household = await Household.select().where(Household.unit_id == unit_id).first()
    await Household.update({Household.owner_id_number: "330106198001011234"}).where(Household.id == household["id"])
    await login(client, "desk")
    page = (await client.get(f"/desk/archive/units/{unit_id}")).text
    assert "330106198001011234" not in page and "**************1234" in page
    export = await client.get("/desk/export/archive.csv", params={"q": "1-"})
    assert "330106198001011234" not in export.text and "**************1234" in export.text
    shown = await client.post(f"/desk/archive/households/{household['id']}/id-number", headers=csrf(client, True))
    assert shown.status_code == 200 and "330106198001011234" in shown.text
    assert await AuditLog.count().where(AuditLog.action == "id_number_reveal") == 1
    # the edit form shows the mask; saving it untouched keeps the number, a new one replaces it
    form = {"version": str(household["version"]), "owner_name": household["owner_name"],
            "base_owner_name": household["owner_name"], "owner_id_number": "**************1234",
            "base_owner_id_number": "**************1234", "notes": "改了备注", "base_notes": household["notes"] or ""}
    saved = await client.post(f"/desk/archive/households/{household['id']}", data=form, headers=csrf(client))
    assert saved.status_code in (200, 303), saved.text
    row = await Household.select().where(Household.id == household["id"]).first()
    assert row["owner_id_number"] == "330106198001011234" and row["notes"] == "改了备注"
    form = {**form, "version": str(row["version"]), "owner_id_number": "33010619800101123X", "base_notes": "改了备注"}
    await client.post(f"/desk/archive/households/{household['id']}", data=form, headers=csrf(client))
    assert (await Household.select().where(Household.id == household["id"]).first())["owner_id_number"] == "33010619800101123X"
