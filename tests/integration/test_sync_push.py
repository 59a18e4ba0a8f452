"""Push through HTTP on both engines: exactly once, order, seq gaps, no deadlock, scope."""

from __future__ import annotations

from server.tables import Estate
from tests.integration.test_sync_support import (
    STATE_TABLES, estate_and_phone, table_counts, ticket_fields,
)


async def test_push_creates_and_pull_returns_it(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    ticket_id = phone.create("ticket", ticket_fields(unit))
    [result] = await phone.push()
    assert result["status"] == "applied" and result["version"] > 0
    await phone.pull()
    ticket = phone.replica[("ticket", ticket_id)]
    code = (await Estate.select(Estate.code).where(Estate.id == estate.estate_id).first())["code"]
    assert ticket["status"] == "received" and ticket["number"] == f"{code}-000001"  # the estate's first
    assert ticket["building_id"] == estate.building_ids[0]
    events = phone.live("ticket_event")
    assert [e["type"] for e in events.values() if e["ticket_id"] == ticket_id] == ["created"]


async def test_replayed_push_returns_identical_results_and_changes_nothing(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(unit))
    phone.create("ticket", ticket_fields(unit, "电梯异响"))
    batch = list(phone.outbox)
    first = await phone.post_push(batch)
    assert first.status_code == 200
    before = await table_counts(*STATE_TABLES)
    # the response was "lost": the phone sends the same batch again, twice
    for _ in range(2):
        again = await phone.post_push(batch)
        assert again.status_code == 200
        assert again.json() == first.json()
    assert await table_counts(*STATE_TABLES) == before


async def test_partly_replayed_batch_applies_only_the_new_tail_in_order(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    ticket_id = phone.create("ticket", ticket_fields(unit))
    first = await phone.post_push(list(phone.outbox))
    phone.replica[("ticket", ticket_id)] = {"id": ticket_id, "title": "楼道灯不亮", "version": 0}
    phone.update("ticket", ticket_id, {"title": "楼道灯不亮（3楼）"})
    # the outbox still holds seq 1 (its ack was lost) and now seq 2
    response = await phone.post_push(phone.outbox)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == first.json()["results"][0]
    assert results[1]["seq"] == 2 and results[1]["status"] == "applied"
    assert response.json()["last_seq"] == 2
    await phone.pull()
    assert phone.replica[("ticket", ticket_id)]["title"] == "楼道灯不亮（3楼）"
    assert (await table_counts("ticket"))["ticket"] == 1  # seq 1 was not applied twice


async def test_updates_apply_in_seq_order(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    ticket_id = phone.create("ticket", ticket_fields(unit))
    await phone.push()
    await phone.pull()
    phone.update("ticket", ticket_id, {"title": "一"})
    phone.replica[("ticket", ticket_id)]["title"] = "一"  # the phone's own local edit
    phone.update("ticket", ticket_id, {"title": "二"})
    results = await phone.push()
    assert [r["status"] for r in results] == ["applied", "applied"]
    await phone.pull()
    assert phone.replica[("ticket", ticket_id)]["title"] == "二"


async def test_seq_gap_is_refused_without_applying(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(unit))
    phone.create("ticket", ticket_fields(unit))
    before = await table_counts(*STATE_TABLES)
    response = await phone.post_push(phone.outbox[1:])  # seq 2 without seq 1
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "seq_gap" and body["detail"] == {"expected": 1, "got": 2}
    assert body["message"]
    assert await table_counts(*STATE_TABLES) == before
    assert len(await phone.push()) == 2  # the whole outbox then goes through


async def test_rejected_mutation_advances_seq_and_says_why(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.update("ticket", "no-such-ticket", {"title": "x"})  # an unknown record
    phone.create("ticket", ticket_fields(unit))
    results = await phone.push()
    assert results[0]["status"] == "rejected" and results[0]["code"] == "unknown_record"
    assert results[0]["message"]
    assert results[1]["status"] == "applied"  # the outbox is not stuck behind it
    phone.create("ticket", ticket_fields(unit))
    [third] = await phone.push()
    assert third["seq"] == 3 and third["status"] == "applied"


async def test_push_outside_scope_is_rejected_for_that_mutation(client):
    estate, phone = await estate_and_phone(client, buildings=2, assigned=1)
    foreign_unit = estate.unit_ids[estate.building_ids[1]][0]
    own_unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(foreign_unit))
    phone.create("ticket", ticket_fields(own_unit))
    results = await phone.push()
    assert results[0]["status"] == "rejected" and results[0]["code"] == "out_of_scope"
    assert results[1]["status"] == "applied"
    counts = await table_counts("ticket")
    assert counts["ticket"] == 1


async def test_device_row_records_the_push(client):
    from server.store.sync_storage import read_snapshot

    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    phone.create("ticket", ticket_fields(unit))
    response = await phone.post_push(phone.outbox, app_version="0.3.1", pending=7)
    assert response.status_code == 200
    async with read_snapshot() as conn:
        row = await conn.fetchrow("SELECT last_seq, reported_pending, app_version, protocol, "
                                  "last_push_at FROM sync_device WHERE id = ?", phone.device_id)
    assert tuple(row[:4]) == (1, 6, "0.3.1", 2) and row[4]  # 7 before this one mutation: 6 left
    phone.create("ticket", ticket_fields(unit))
    assert (await phone.post_push(phone.outbox[1:], pending=1)).status_code == 200  # the last one
    async with read_snapshot() as conn:
        left = await conn.fetchrow("SELECT reported_pending FROM sync_device WHERE id = ?", phone.device_id)
    assert left[0] == 0  # the desk's 待上传条数 says the phone is done, not what it had before


async def test_device_clocks_never_decide(client):
    """Two phones change the same field; the one whose clock says 2099 syncs second and
    loses: order is the server's, and the losing value is kept in a conflict record."""
    from tests.integration.test_sync_support import steward_phone

    estate, first = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    ticket_id = first.create("ticket", ticket_fields(unit))
    await first.sync()
    second = await steward_phone(client, [estate.building_ids[0]])
    await second.pull()
    first.update("ticket", ticket_id, {"title": "先同步"})
    first.outbox[-1]["client_time"] = "2020-01-01T00:00:00.000Z"
    second.update("ticket", ticket_id, {"title": "时钟快的手机"})
    second.outbox[-1]["client_time"] = "2099-01-01T00:00:00.000Z"
    second.outbox[-1]["hlc"] = "2099-01-01T00:00:00.000Z/9999/zz"
    assert (await first.push())[0]["status"] == "applied"
    [late] = await second.push()
    assert late["status"] == "conflict" and late["conflict_ids"]
    await second.pull()
    assert second.replica[("ticket", ticket_id)]["title"] == "先同步"
    conflict = second.replica[("conflict", late["conflict_ids"][0])]
    assert conflict["lost_value"] == "时钟快的手机" and conflict["kept_value"] == "先同步"
