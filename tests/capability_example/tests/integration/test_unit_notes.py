"""Notes on units, end to end on both engines: sync, merge, scope, phone and desk."""

from __future__ import annotations

from server.store import staff
from tests.factories import enrol, make_estate, make_user
from tests.integration.test_sync_support import Phone, steward_phone


async def office_phone(client, role: str, estate_id: str, name: str) -> Phone:
    user_id = await make_user(role, username=name, estate_ids=[estate_id])
    return Phone(client, await enrol(client, name), user_id)


async def test_a_note_syncs_merges_scopes_and_shows_at_the_desk(client) -> None:
    here = await make_estate(buildings=2)
    there = await make_estate(buildings=1, office=False)
    mine, other = here.building_ids
    unit = here.unit_ids[mine][0]
    steward = await steward_phone(client, [mine])
    neighbour = await steward_phone(client, [other])
    desk = await office_phone(client, "desk", here.estate_id, "desk_here")
    stranger = await office_phone(client, "desk", there.estate_id, "desk_there")

    note = steward.create("unit_note", {"unit_id": unit, "body": "业主出差，周五回"})
    outside = steward.create("unit_note", {"unit_id": here.unit_ids[other][0], "body": "x"})
    applied, refused = await steward.push()
    assert applied["status"] == "applied"
    assert (refused["status"], refused["code"]) == ("rejected", "out_of_scope")

    for phone in (steward, neighbour, desk, stranger):
        await phone.pull()
    row = steward.replica[("unit_note", note)]
    assert (row["building_id"], row["estate_id"], row["steward_id"]) == (
        mine, here.estate_id, steward.user_id)
    assert ("unit_note", note) in desk.replica
    assert ("unit_note", note) not in neighbour.replica
    assert ("unit_note", note) not in stranger.replica
    assert ("unit_note", outside) not in steward.replica

    # both edit the same field from the same base: the first to sync wins, the other is kept
    desk.update("unit_note", note, {"body": "业主出差，周六回"})
    steward.update("unit_note", note, {"body": "业主出差，下周回"})
    [first] = await desk.push()
    [second] = await steward.push()
    assert (first["status"], second["status"]) == ("applied", "conflict")
    await steward.pull()
    assert steward.replica[("unit_note", note)]["body"] == "业主出差，周六回"
    [conflict] = [c for c in steward.live("conflict").values() if c["record_id"] == note]
    assert conflict["lost_value"] == "业主出差，下周回"

    # the desk of the estate sees it on the unit's archive page; another estate's does not
    client.cookies["ss_session"] = await staff.open_session(desk.user_id)
    page = await client.get(f"/desk/archive/units/{unit}")
    assert page.status_code == 200 and "业主出差，周六回" in page.text and "便签" in page.text
    client.cookies["ss_session"] = await staff.open_session(stranger.user_id)
    assert (await client.get(f"/desk/archive/units/{unit}")).status_code == 404

    # the phone learns the collection from the served schema (its feature summarises it)
    schema = (await client.get("/app/schema.json")).json()
    assert "unit_note" in str(schema)
