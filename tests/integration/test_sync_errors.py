"""Bad input and old app versions: a 4xx with a code and a message, and nothing changed."""

from __future__ import annotations

import pytest

from schemas.sync import MAX_BATCH
from tests.integration.test_sync_support import (
    STATE_TABLES, estate_and_phone, table_counts, ticket_fields,
)


async def _refused(client, phone, response, status: int, code: str, before: dict) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message"]
    assert await table_counts(*STATE_TABLES) == before
    return body


@pytest.fixture
async def scene(client):
    estate, phone = await estate_and_phone(client)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    return estate, phone, unit


async def test_malformed_json(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    response = await client.post("/api/v1/sync/push", content=b'{"protocol": 2, "mutations": [',
                                 headers={**phone.headers, "Content-Type": "application/json"})
    await _refused(client, phone, response, 400, "malformed_json", before)


async def test_wrong_types_name_the_path(client, scene):
    _, phone, unit = scene
    before = await table_counts(*STATE_TABLES)
    bad = {"op": "create", "seq": "one", "collection": "ticket", "id": "x", "fields": {}}
    body = await _refused(client, phone, await phone.post_push([bad]), 400, "invalid_request", before)
    assert "$.mutations[0].seq" in body["message"]


async def test_unknown_op(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    bad = {"op": "upsert", "seq": 1, "collection": "ticket", "id": "x", "fields": {}}
    body = await _refused(client, phone, await phone.post_push([bad]), 400, "invalid_request", before)
    assert "upsert" in body["message"]


async def test_unknown_field_in_body(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    await _refused(client, phone, await phone.post_push([], surprise=1), 400, "invalid_request", before)


async def test_unknown_collection_is_a_rejected_mutation(client, scene):
    _, phone, unit = scene
    phone.create("spaceship", {"name": "x"})
    [result] = await phone.push()
    assert result["status"] == "rejected" and result["code"] == "unknown_collection"


async def test_oversized_batch(client, scene):
    _, phone, unit = scene
    before = await table_counts(*STATE_TABLES)
    for _ in range(MAX_BATCH + 1):
        phone.create("ticket", ticket_fields(unit))
    body = await _refused(client, phone, await phone.post_push(phone.outbox), 413, "batch_too_large", before)
    assert body["detail"] == {"max": MAX_BATCH, "got": MAX_BATCH + 1}


async def test_oversized_body(client, scene):
    _, phone, unit = scene
    before = await table_counts(*STATE_TABLES)
    limit = client.app.state.settings.max_body_bytes
    phone.create("ticket", {**ticket_fields(unit), "description": "长" * (limit // 2)})
    response = await phone.post_push(phone.outbox)
    body = await _refused(client, phone, response, 413, "body_too_large", before)
    assert body["message"].startswith("提交的内容太大") and "Entity" not in body["message"]


async def test_a_day_that_is_not_in_the_calendar_is_refused(client, scene):
    """2026-02-30, 2026-04-31 and 29 February of a common year are no days (issue 19)."""
    _, phone, unit = scene
    for day in ("2026-02-30", "2026-04-31", "2026-02-29", "2026-13-01"):
        phone.create("ticket", {**ticket_fields(unit), "promised_date": day})
    phone.create("ticket", {**ticket_fields(unit), "promised_date": "2028-02-29"})  # a leap year's
    results = await phone.push()
    assert [r["code"] for r in results[:4]] == ["invalid"] * 4
    assert results[4]["status"] == "applied"


async def test_foreign_device_id(client, scene):
    _, phone, unit = scene
    before = await table_counts(*STATE_TABLES)
    phone.create("ticket", ticket_fields(unit))
    response = await client.post("/api/v1/sync/push", headers=phone.headers, json={
        "protocol": 2, "device_id": "someone-elses-phone", "mutations": phone.outbox})
    await _refused(client, phone, response, 403, "foreign_device", before)
    response = await client.post("/api/v1/sync/pull", headers=phone.headers, json={
        "protocol": 2, "device_id": "someone-elses-phone"})
    await _refused(client, phone, response, 403, "foreign_device", before)


async def test_no_credential(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    response = await client.post("/api/v1/sync/push", json={"protocol": 2, "device_id": phone.device_id,
                                                             "mutations": []})
    await _refused(client, phone, response, 401, "not_authenticated", before)


async def test_unknown_record_is_rejected_and_changes_nothing(client, scene):
    _, phone, _ = scene
    phone.update("visit", "no-such-visit", {"outcome": "x"})
    phone.delete("finding", "no-such-finding")
    results = await phone.push()
    assert [r["code"] for r in results] == ["unknown_record", "unknown_record"]
    assert (await table_counts("visit", "finding")) == {"visit": 0, "finding": 0}


async def test_protocol_1_is_upgraded(client, scene):
    _, phone, unit = scene
    ticket_id = "0193f0a0-0000-7000-8000-000000000001"
    v1 = [{"type": "create", "seq": 1, "collection": "ticket", "id": ticket_id,
           "fields": ticket_fields(unit)}]
    response = await client.post("/api/v1/sync/push", headers=phone.headers, json={
        "protocol": 1, "device_id": phone.device_id, "mutations": v1})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied"
    await phone.pull()
    version = phone.replica[("ticket", ticket_id)]["version"]
    v1_update = [{"type": "update", "seq": 2, "collection": "ticket", "id": ticket_id,
                  "base_version": version, "base": {"title": "楼道灯不亮"}, "data": {"title": "新标题"}}]
    response = await client.post("/api/v1/sync/push", headers=phone.headers, json={
        "protocol": 1, "device_id": phone.device_id, "mutations": v1_update})
    assert response.json()["results"][0]["status"] == "applied", response.text
    await phone.pull()
    assert phone.replica[("ticket", ticket_id)]["title"] == "新标题"


async def test_protocol_0_gets_update_required_and_nothing_changes(client, scene):
    _, phone, unit = scene
    before = await table_counts(*STATE_TABLES)
    response = await client.post("/api/v1/sync/push", headers=phone.headers, json={
        "protocol": 0, "device_id": phone.device_id, "items": [{"kind": "ticket"}]})
    body = await _refused(client, phone, response, 426, "update_required", before)
    assert body["detail"]["oldest_supported"] == 1
    response = await client.post("/api/v1/sync/pull", headers=phone.headers, json={
        "protocol": 0, "device_id": phone.device_id})
    await _refused(client, phone, response, 426, "update_required", before)


async def test_future_protocol_is_refused(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    response = await phone.client.post("/api/v1/sync/push", headers=phone.headers, json={
        "protocol": 99, "device_id": phone.device_id, "mutations": []})
    await _refused(client, phone, response, 400, "unsupported_protocol", before)


async def test_seq_order_within_batch(client, scene):
    _, phone, unit = scene
    before = await table_counts(*STATE_TABLES)
    phone.create("ticket", ticket_fields(unit))
    phone.create("ticket", ticket_fields(unit))
    response = await phone.post_push(list(reversed(phone.outbox)))
    await _refused(client, phone, response, 400, "seq_order", before)


async def test_bad_pull_limit(client, scene):
    _, phone, _ = scene
    response = await client.post("/api/v1/sync/pull", headers=phone.headers, json={
        "protocol": 2, "device_id": phone.device_id, "limit": 0})
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"
