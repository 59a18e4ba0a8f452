"""Pull through HTTP on both engines: scope, redaction, pagination, assignment changes,
tombstones and the horizon reset, desk edits reaching phones."""

from __future__ import annotations

from schemas.sync import Update
from server import sync_service
from server.store import pull as pulls
from server.store.staff import assign_buildings, principal_of
from tests.factories import make_estate, make_user
from tests.integration.test_sync_support import (
    estate_and_phone, steward_phone, table_counts, ticket_fields,
)


async def test_pull_holds_only_assigned_buildings_and_readable_fields(client):
    estate, phone = await estate_and_phone(client, buildings=3, assigned=1)
    own = estate.building_ids[0]
    await phone.pull()
    assert set(phone.live("building")) == {own}
    assert {u["building_id"] for u in phone.live("unit").values()} == {own}
    households = phone.live("household")
    assert households and {h["building_id"] for h in households.values()} == {own}
    assert all("owner_id_number" not in h for h in households.values())  # 身份证号 hidden
    assert all(h["owner_name"] for h in households.values())


async def test_office_device_sees_every_building_and_id_numbers(client):
    estate = await make_estate(buildings=2)
    desk_user = await make_user("desk")
    principal = await principal_of(desk_user)
    from tests.factories import enrol
    from tests.integration.test_sync_support import Phone

    phone = Phone(client, await enrol(client, principal.username), desk_user)
    await phone.pull()
    assert set(phone.live("building")) == set(estate.building_ids)
    assert all(h.get("owner_id_number") for h in phone.live("household").values())


async def test_pages_are_exact_never_skipping_or_repeating(client):
    estate, phone = await estate_and_phone(client, buildings=2, assigned=2)
    seen: list[tuple[str, str]] = []
    pages = 0
    while True:
        page = await phone.pull_page(limit=3)
        pages += 1
        batch = [(c, r["id"]) for c, rows in page["records"].items() for r in rows] if "records" in page else []
        assert len(batch) <= 3
        seen += batch
        if not page["more"]:
            break
        if pages == 2:  # a change commits between two pages: it must still arrive
            phone.create("ticket", ticket_fields(estate.unit_ids[estate.building_ids[0]][0]))
            await phone.push()
    assert len(seen) == len(set(seen)), "a record came twice"
    full = await steward_phone(client, estate.building_ids)
    await full.pull(limit=1000)
    assert set(seen) == set(full.replica), "paged pull differs from a one-page pull"
    assert pages > 5


async def test_assignment_change_delivers_entered_and_evicts_left_buildings(client):
    estate, phone = await estate_and_phone(client, buildings=2, assigned=1)
    first, second = estate.building_ids
    await phone.pull()
    phone.create("ticket", ticket_fields(estate.unit_ids[first][0]))
    await phone.sync()
    await assign_buildings(phone.user_id, [second])
    page = await phone.pull_page(limit=2)  # a small page: the backfill is paginated
    assert page["evict_buildings"] == [first]
    await phone.pull(limit=2)
    assert {r["building_id"] for r in phone.replica.values()} == {second}
    assert set(phone.live("unit")) == set(estate.unit_ids[second])
    # back to both: the first building's records (unchanged since) come again
    await assign_buildings(phone.user_id, [first, second])
    await phone.pull(limit=3)
    assert set(phone.live("unit")) == set(estate.unit_ids[first]) | set(estate.unit_ids[second])
    assert len(phone.live("ticket")) == 1


async def test_tombstones_are_pulled(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    finding_id = phone.create("finding", {"kind": "public_damage", "occurred_at": "2026-11-22T08:00:00.000Z",
                                          "unit_id": unit, "description": "门禁损坏"})
    await phone.sync()
    assert finding_id in phone.live("finding")
    phone.delete("finding", finding_id)
    [result] = await phone.push()
    assert result["status"] == "applied"
    page = await phone.pull_page()
    [tombstone] = page["records"]["finding"]
    assert tombstone["id"] == finding_id and tombstone["deleted"] is True
    assert finding_id not in phone.live("finding")


async def test_cursor_behind_the_tombstone_horizon_gets_a_reset(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    finding_id = phone.create("finding", {"kind": "other", "occurred_at": "2026-11-22T08:00:00.000Z",
                                          "unit_id": unit})
    await phone.sync()
    old_cursor = phone.cursor
    phone.delete("finding", finding_id)
    await phone.push()
    assert await pulls.purge_tombstones(tombstone_days=-1) == 1  # everything is "old"
    assert (await table_counts("finding"))["finding"] == 0
    # a phone that was offline since before the purge pushes its outbox first, then resyncs
    phone.create("ticket", ticket_fields(unit))
    assert (await phone.push())[0]["status"] == "applied"
    phone.cursor = old_cursor
    page = await phone.pull_page()
    assert page["reset"] is True
    await phone.pull()
    assert finding_id not in phone.replica and len(phone.live("ticket")) == 1
    # an up-to-date cursor is not reset
    assert (await phone.pull_page()).get("reset") is not True


async def test_bad_cursor_is_a_clear_error(client):
    _, phone = await estate_and_phone(client)
    phone.cursor = "not-a-cursor"
    response = await client.post("/api/v1/sync/pull", headers=phone.headers, json={
        "protocol": 2, "device_id": phone.device_id, "cursor": "not-a-cursor"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_cursor"


async def test_desk_edit_reaches_the_phone(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    ticket_id = phone.create("ticket", ticket_fields(unit))
    await phone.sync()
    desk = await principal_of(await make_user("desk"))
    ticket = phone.replica[("ticket", ticket_id)]
    [result] = await sync_service.apply_desk_mutations(desk, [Update(
        seq=1, collection="ticket", id=ticket_id, base_version=ticket["version"],
        base={"status": "received"}, changes={"status": "dispatched"})])
    assert result.status == "applied"
    await phone.pull()
    assert phone.replica[("ticket", ticket_id)]["status"] == "dispatched"
    lines = [e for e in phone.live("ticket_event").values() if e["ticket_id"] == ticket_id]
    assert {(e["from_status"], e["to_status"]) for e in lines} >= {("received", "dispatched")}


async def test_pull_records_last_pull_at(client):
    from server.store.sync_storage import read_snapshot

    _, phone = await estate_and_phone(client)
    await phone.pull()
    async with read_snapshot() as conn:
        row = await conn.fetchrow("SELECT last_pull_at FROM sync_device WHERE id = ?", phone.device_id)
    assert row[0]


async def test_conflict_records_hide_values_the_steward_may_not_see(client):
    """Two clerks change a household's 身份证号 from the same base: the conflict record
    lands in the steward's building, but its values must not reach the steward's phone."""
    estate, phone = await estate_and_phone(client, buildings=1, assigned=1)
    await phone.pull()
    household_id, household = next(iter(phone.live("household").items()))
    desk = await principal_of(await make_user("desk"))
    for n, number in enumerate(("110101199001011234", "110101199001015678")):
        await sync_service.apply_desk_mutations(desk, [Update(
            seq=2 + n, collection="household", id=household_id, base_version=household["version"],
            base={"owner_id_number": "110101198001010000"}, changes={"owner_id_number": number})])
    await phone.pull()
    conflicts = [c for c in phone.live("conflict").values() if c["record_id"] == household_id]
    assert conflicts, "the conflict record reaches the steward of the building"
    for conflict in conflicts:
        assert conflict["field"] == "owner_id_number"
        assert conflict["kept_value"] is None and conflict["lost_value"] is None
