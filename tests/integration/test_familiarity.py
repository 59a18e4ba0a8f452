"""业主熟知 (issue 17) on both engines: what a steward must know of a household (应知 6)
written from the phone and the desk through the same merge, staying within the roles and
buildings the access table allows; record completeness per steward equal to a hand count of
the same rows; the estate's 熟知率/满意率 targets set by the manager, audited, bad input refused."""

from __future__ import annotations

import csv
import io
import json

from server.tables import AuditLog, Estate, Household
from sync.familiarity import RECORD_FIELDS, SEED_TARGETS, completeness
from tests.factories import make_estate, make_user
from tests.integration.test_desk_helpers import csrf, login
from tests.integration.test_estate_structure import shown
from tests.integration.test_security_personal import office_phone
from tests.integration.test_sync_support import steward_phone

KNOWLEDGE = {"spouse_name": "王芳", "owner_age": 46, "education": "本科", "hometown": "河南洛阳",
             "employer": "示范市实验中学", "work_address": "示范市文化路 5 号", "family_size": 3}
DESK_FIELDS = ("owner_name", "owner_phone", "owner_id_number", "residence", "tenant_name", "tenant_phone",
               "family_structure", "special_needs", "emergency_contact_name", "emergency_contact_phone", "opinions",
               "notes", "owner_class", "move_in_date", "key_customer_reason", *KNOWLEDGE)


async def test_the_phone_writes_what_a_steward_knows_within_its_buildings_and_role(client) -> None:
    estate = await make_estate(buildings=2, units_per_building=2, vacant_every=0)
    first, second = estate.building_ids
    mine = estate.household_ids[estate.unit_ids[first][0]]
    theirs = estate.household_ids[estate.unit_ids[second][0]]
    phone = await steward_phone(client, [first])
    await phone.pull()
    assert set(phone.live("household")) == {estate.household_ids[u] for u in estate.unit_ids[first]}
    phone.update("household", mine, KNOWLEDGE)
    assert [r["status"] for r in await phone.push()] == ["applied"]
    row = await Household.select().where(Household.id == mine).first()
    assert {k: row[k] for k in KNOWLEDGE} == KNOWLEDGE

    # the steward may not mark a key customer (the office's), nor write outside the buildings
    phone.update("household", mine, {"owner_class": "media", "key_customer_reason": "记者"})
    phone.update("household", theirs, {"employer": "别处"})
    results = await phone.push()
    assert [r["status"] for r in results] == ["rejected", "rejected"], results
    assert [r["code"] for r in results] == ["field_not_writable", "out_of_scope"], results
    after = await Household.select().where(Household.id.is_in([mine, theirs]))
    assert {r["id"]: (r["owner_class"], r["employer"]) for r in after} == {
        mine: ("ordinary", KNOWLEDGE["employer"]), theirs: ("ordinary", None)}

    # another steward, an engineer and the company's quality staff never receive them
    other = await steward_phone(client, [second])
    await other.pull()
    assert mine not in other.live("household")
    for role in ("engineer", "company"):
        reader = await office_phone(client, role)
        await reader.pull()
        assert all("employer" not in h and "spouse_name" not in h for h in reader.live("household").values()), role
    desk = await office_phone(client, "desk")
    await desk.pull()
    assert desk.live("household")[mine]["employer"] == KNOWLEDGE["employer"]


async def test_the_desk_keeps_the_record_and_sees_each_stewards_completeness(client) -> None:
    estate = await make_estate(buildings=2, units_per_building=3, vacant_every=0)
    first, second = estate.building_ids
    steward = await make_user("steward", [first])
    await make_user("steward", [second])
    unit_id = estate.unit_ids[first][0]
    household_id = estate.household_ids[unit_id]
    await login(client, "desk")
    loaded = await Household.select().where(Household.id == household_id).first()
    form = {"version": loaded["version"], **shown(loaded, *DESK_FIELDS)}
    form.update({k: str(v) for k, v in KNOWLEDGE.items()}, owner_class="government", key_customer_reason="区政府工作人员",
                move_in_date="2026-03-01", residence="self_occupied", family_structure="三口之家",
                opinions="希望加强夜间巡逻", special_needs="无")
    saved = await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client, True), data=form)
    assert saved.status_code == 200, saved.text
    row = await Household.select().where(Household.id == household_id).first()
    assert (row["owner_class"], row["key_customer_reason"], row["owner_age"]) == ("government", "区政府工作人员", 46)
    assert completeness(row) == 100

    page = await client.get(f"/desk/archive/units/{unit_id}?day=2026-12-04")
    assert 'data-record-completeness="100"' in page.text and "重点客户" in page.text and "政府" in page.text

    bad = await client.post(f"/desk/archive/households/{household_id}", headers=csrf(client),
                            data={**form, "version": row["version"], "owner_age": "200"})
    assert bad.status_code == 422 and "年龄" in bad.json()["message"]
    assert (await Household.select().where(Household.id == household_id).first())["version"] == row["version"]

    # the steward's scope: the mean of the same rows' completeness, counted by hand
    rows = await Household.select().where(Household.building_id == first)
    by_hand = []
    for r in rows:
        filled = sum(1 for f in RECORD_FIELDS if r[f] not in (None, "", "unknown"))
        by_hand.append(round(100 * filled / len(RECORD_FIELDS)))
    overview = await client.get("/desk/familiarity")
    assert overview.status_code == 200 and "Record completeness" not in overview.text
    line = overview.text.split(f'data-steward="{steward}"')[1].split("</tr>")[0]
    assert f"{round(sum(by_hand) / len(by_hand))}%" in line
    reads = await AuditLog.count().where(AuditLog.action == "archive_read")
    detail = await client.get(f"/desk/familiarity?steward_id={steward}&day=2026-12-04")
    assert detail.status_code == 200 and "磨合期客户" in detail.text and row["owner_name"] in detail.text
    assert estate.household_ids[estate.unit_ids[second][0]] not in detail.text
    assert await AuditLog.count().where(AuditLog.action == "archive_read") == reads + 1
    export = await client.get(f"/desk/export/familiarity.csv?steward_id={steward}&day=2026-12-04")
    lines = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(lines) == 1 + len(rows) and any(r[2] == row["owner_name"] and r[3] == "磨合期客户" for r in lines)
    missing = await client.get("/desk/familiarity?steward_id=nobody")
    assert missing.status_code == 404


async def test_the_manager_sets_the_targets_audited_and_bad_input_changes_nothing(client) -> None:
    estate = await make_estate(buildings=1)
    await login(client, "manager")
    page = await client.get("/desk/settings/familiarity")
    assert page.status_code == 200 and "解读值" in page.text and "Standard B" not in page.text
    values = {"estate_id": estate.estate_id}
    for c, levels in SEED_TARGETS.classes.items():
        for level, target in levels.items():
            values |= {f"{c}_{level}_familiarity": target.familiarity, f"{c}_{level}_satisfaction": target.satisfaction}
    for change in ({"new_A_familiarity": "0"}, {"old_B_satisfaction": "101"}, {"stable_A_familiarity": "abc"},
                   {"settling_B_familiarity": ""}):
        answer = await client.post("/desk/settings/familiarity", headers=csrf(client), data={**values, **change})
        assert (answer.status_code, answer.json()["code"]) == (422, "invalid_target"), change
    assert (await Estate.select(Estate.familiarity).where(Estate.id == estate.estate_id).first())["familiarity"] is None
    saved = await client.post("/desk/settings/familiarity", headers=csrf(client, True),
                              data={**values, "new_B_familiarity": "92"})
    assert saved.status_code == 200 and "目标已保存" in saved.text
    own = json.loads((await Estate.select(Estate.familiarity).where(Estate.id == estate.estate_id).first())["familiarity"])
    assert own["classes"]["new"]["B"] == {"familiarity": 92, "satisfaction": SEED_TARGETS.of("new", "B").satisfaction}
    entry = await AuditLog.select().where(AuditLog.action == "familiarity_targets_change").first()
    detail = json.loads(entry["detail"]) if isinstance(entry["detail"], str) else entry["detail"]
    assert detail["before"]["new"]["B"]["familiarity"] == 90 and detail["after"]["new"]["B"]["familiarity"] == 92
    await login(client, "desk")
    assert (await client.get("/desk/settings/familiarity")).status_code == 403
    assert (await client.post("/desk/settings/familiarity", headers=csrf(client), data=values)).status_code == 403
