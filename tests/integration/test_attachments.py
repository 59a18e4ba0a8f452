"""Photos by sha256: idempotent, resumable, verified, type- and size-checked, scoped."""

from __future__ import annotations

import pytest

from tests.integration.test_sync_support import (  # noqa: F401 - both_photo_stores: a fixture
    STATE_TABLES, both_photo_stores, estate_and_phone, jpeg, sha, steward_phone, table_counts,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
async def scene(client):
    estate, phone = await estate_and_phone(client, buildings=2, assigned=1)
    unit = estate.unit_ids[estate.building_ids[0]][0]
    finding_id = phone.create("finding", {"kind": "public_damage", "unit_id": unit,
                                          "occurred_at": "2026-11-22T08:00:00.000Z"})
    await phone.sync()
    return estate, phone, finding_id


def attach(phone, finding_id: str, content: bytes) -> str:
    return phone.create("attachment", {"sha256": sha(content), "parent_collection": "finding",
                                       "parent_id": finding_id, "mime": "image/jpeg",
                                       "size": len(content)})


async def put(phone, content: bytes, digest: str | None = None, **headers: str):
    return await phone.client.put(f"/api/v1/attachments/{digest or sha(content)}", content=content,
                                  headers={**phone.headers, **headers})


async def test_record_syncs_before_its_photo_then_is_marked_stored(client, scene):
    _, phone, finding_id = scene
    photo = jpeg(b"crack in the wall")
    attachment_id = attach(phone, finding_id, photo)
    await phone.sync()
    first = phone.replica[("attachment", attachment_id)]
    assert first["stored"] is False
    response = await put(phone, photo)
    assert response.status_code == 201 and response.json()["complete"] is True
    await phone.pull()
    now = phone.replica[("attachment", attachment_id)]
    assert now["stored"] is True and now["version"] > first["version"]
    got = await client.get(f"/api/v1/attachments/{sha(photo)}", headers=phone.headers)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"].startswith("image/jpeg")


async def test_photo_before_its_record(client, scene):
    _, phone, finding_id = scene
    photo = jpeg(b"early")
    assert (await put(phone, photo)).status_code == 201
    attachment_id = attach(phone, finding_id, photo)
    await phone.sync()
    assert phone.replica[("attachment", attachment_id)]["stored"] is True


async def test_reupload_is_idempotent(client, scene):
    _, phone, _ = scene
    photo = jpeg(b"twice")
    assert (await put(phone, photo)).status_code == 201
    before = await table_counts(*STATE_TABLES)
    again = await put(phone, photo)
    assert again.status_code == 200 and again.json()["complete"] is True
    assert await table_counts(*STATE_TABLES) == before


async def test_resumable_upload_in_chunks(client, scene):
    _, phone, finding_id = scene
    photo = jpeg(bytes(range(256)) * 40)
    digest, total, half = sha(photo), len(photo), len(photo) // 2
    first = await put(phone, photo[:half], digest, **{"Content-Range": f"bytes 0-{half - 1}/{total}"})
    assert first.status_code == 202 and first.headers["upload-offset"] == str(half)
    head = await client.head(f"/api/v1/attachments/{digest}", headers=phone.headers)
    assert head.status_code == 200 and head.headers["upload-offset"] == str(half)
    # a chunk from the wrong place is refused with the offset to resume from
    wrong = await put(phone, photo[half + 1:], digest, **{"Content-Range": f"bytes {half + 1}-{total - 1}/{total}"})
    assert wrong.status_code == 409 and wrong.json()["detail"]["expected"] == half
    rest = await put(phone, photo[half:], digest, **{"Content-Range": f"bytes {half}-{total - 1}/{total}"})
    assert rest.status_code == 201
    attach(phone, finding_id, photo)
    await phone.sync()
    got = await client.get(f"/api/v1/attachments/{digest}", headers=phone.headers)
    assert got.content == photo
    assert (await table_counts("upload_part"))["upload_part"] == 0


async def test_hash_mismatch_stores_nothing(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    response = await put(phone, jpeg(b"these bytes"), sha(b"other bytes"))
    assert response.status_code == 422 and response.json()["code"] == "hash_mismatch"
    assert await table_counts(*STATE_TABLES) == before


async def test_type_is_checked_by_content(client, scene):
    _, phone, _ = scene
    before = await table_counts(*STATE_TABLES)
    text = b"MZ this is not a picture"
    response = await put(phone, text, **{"Content-Type": "image/jpeg"})
    assert response.status_code == 415 and response.json()["code"] == "unsupported_type"
    assert await table_counts(*STATE_TABLES) == before
    assert (await put(phone, PNG)).status_code == 201


async def test_size_limit(client, scene):
    _, phone, _ = scene
    limit = client.app.state.settings.max_photo_bytes
    big = jpeg(b"\x00" * limit)
    response = await put(phone, big)
    assert response.status_code == 413 and response.json()["code"] == "photo_too_large"
    response = await put(phone, big[:100], sha(big), **{"Content-Range": f"bytes 0-99/{len(big)}"})
    assert response.status_code == 413


async def test_bad_address(client, scene):
    _, phone, _ = scene
    response = await put(phone, jpeg(), "NOT-A-SHA")
    assert response.status_code == 400 and response.json()["code"] == "invalid_sha256"


async def test_download_only_within_scope(client, scene):
    estate, phone, finding_id = scene
    photo = jpeg(b"private")
    attach(phone, finding_id, photo)
    await phone.sync()
    await put(phone, photo)
    other = await steward_phone(client, [estate.building_ids[1]])
    refused = await client.get(f"/api/v1/attachments/{sha(photo)}", headers=other.headers)
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    unknown = await client.get(f"/api/v1/attachments/{sha(b'nothing')}", headers=phone.headers)
    assert unknown.status_code == 404


async def test_simultaneous_uploads_of_one_photo(client, scene):
    import asyncio

    _, phone, _ = scene
    photo = jpeg(b"same photo from two phones")
    answers = await asyncio.gather(*(put(phone, photo) for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert (await table_counts("attachment_blob"))["attachment_blob"] == 1
