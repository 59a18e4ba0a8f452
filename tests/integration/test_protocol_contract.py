"""Issue 19 (the protocol contract): what a client written from docs/sync-protocol.md alone
needs from the server itself: the push and pull request schemas in the OpenAPI, the records'
JSON Schema served beside it, and the answers the doc describes for uploads, methods and
disabled accounts (both engines)."""

from __future__ import annotations

import json

from schemas.export import SCHEMA_FILE
from server.tables import StaffUser
from tests.integration.test_sync_support import PROTOCOL, estate_and_phone, jpeg, sha


async def test_the_openapi_declares_the_push_and_pull_request_bodies(client):
    document = (await client.get("/api/docs/openapi.json")).json()
    push = document["paths"]["/api/v1/sync/push"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pull = document["paths"]["/api/v1/sync/pull"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert push["required"] == ["protocol", "device_id", "mutations"]
    assert push["additionalProperties"] is False  # unknown fields are refused (invalid_request)
    ops = {variant["properties"]["op"]["enum"][0] for variant in push["properties"]["mutations"]["items"]["anyOf"]}
    assert ops == {"create", "update", "delete"}
    assert set(pull["properties"]) == {"protocol", "device_id", "cursor", "limit"}
    assert "$ref" not in json.dumps([push, pull])  # self-contained: no dangling $defs
    assert "/api/v1/schema.json" in document["paths"]


async def test_the_records_json_schema_is_served_beside_the_openapi(client):
    answer = await client.get("/api/v1/schema.json")  # public, like the OpenAPI
    assert answer.status_code == 200
    assert answer.json() == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert {"ticket", "household", "attachment"} <= set(answer.json()["x-collections"])


async def test_upload_refusals_and_a_completed_uploads_headers(client):
    _, phone = await estate_and_phone(client)
    photo = jpeg(b"contract")
    digest, total = sha(photo), len(photo)
    url = f"/api/v1/attachments/{digest}"

    unknown = await client.head(url, headers=phone.headers)
    assert unknown.status_code == 404  # nothing of it held: start at 0

    empty = await client.put(url, content=b"", headers=phone.headers)
    assert empty.status_code == 400 and empty.json()["code"] == "empty_upload"
    garbled = await client.put(url, content=photo, headers={**phone.headers, "Content-Range": "0-9"})
    assert garbled.status_code == 400 and garbled.json()["code"] == "invalid_range"
    first = await client.put(url, content=photo[:4], headers={**phone.headers, "Content-Range": f"bytes 0-3/{total}"})
    assert first.status_code == 202
    skipped = await client.put(url, content=photo[6:],
                               headers={**phone.headers, "Content-Range": f"bytes 6-{total - 1}/{total}"})
    assert skipped.status_code == 409 and skipped.json()["code"] == "offset_mismatch"
    assert skipped.json()["detail"]["expected"] == 4

    done = await client.put(url, content=photo[4:],
                            headers={**phone.headers, "Content-Range": f"bytes 4-{total - 1}/{total}"})
    assert done.status_code == 201 and done.json() == {"sha256": digest, "offset": total, "complete": True}
    assert done.headers["upload-offset"] == str(total)
    head = await client.head(url, headers=phone.headers)
    assert head.status_code == 200 and head.headers["upload-offset"] == str(total)
    assert head.headers["upload-complete"] == "1"


async def test_a_wrong_method_is_method_not_allowed(client):
    answer = await client.get("/api/v1/sync/push")
    assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"
    assert "/" in answer.json()["message"]  # Chinese, then English


async def test_a_disabled_accounts_phone_is_user_inactive(client):
    _, phone = await estate_and_phone(client)
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == phone.user_id)
    answer = await client.post("/api/v1/sync/pull", headers=phone.headers,
                               json={"protocol": PROTOCOL, "device_id": phone.device_id})
    assert answer.status_code == 401 and answer.json()["code"] == "user_inactive"
