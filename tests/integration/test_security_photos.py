"""Issue 14, finding 8: a photo's hash worked as its key.

HEAD of another building's photo answered 200 with its size; a steward who knew a hash could
attach it to a record of their own and then download it; unreferenced uploads had no quota.
Now knowing a hash grants nothing: HEAD answers like GET, an attachment record may point at
stored bytes only if the user's own phone uploaded them (proved by sending them) or they are
already attached to a record in the user's scope, and a phone's unreferenced uploads have a
quota and are purged after a day. A steward's own photos keep working in either order.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from server import jobs
from server.clock import iso_in
from server.store import attachments
from server.store.sync_storage import write_transaction
from server.tables import Attachment
from tests.integration.test_sync_support import both_photo_stores  # noqa: F401 - every test on both stores
from tests.integration.test_sync_support import Phone, estate_and_phone, jpeg, sha, steward_phone, table_counts


async def finding(phone: Phone, unit_id: str) -> str:
    finding_id = phone.create("finding", {"kind": "public_damage", "unit_id": unit_id,
                                          "occurred_at": "2026-11-22T08:00:00.000Z"})
    await phone.sync()
    return finding_id


def attach(phone: Phone, finding_id: str, content: bytes) -> str:
    return phone.create("attachment", {"sha256": sha(content), "parent_collection": "finding",
                                       "parent_id": finding_id, "mime": "image/jpeg", "size": len(content)})


async def put(phone: Phone, content: bytes, digest: str | None = None, **headers: str):
    return await phone.client.put(f"/api/v1/attachments/{digest or sha(content)}", content=content,
                                  headers={**phone.headers, **headers})


def url(content: bytes) -> str:
    return f"/api/v1/attachments/{sha(content)}"


@pytest.fixture
async def two_buildings(client):
    """A steward of building 1 with a stored photo on a finding; a steward of building 2
    with a finding of their own; the units of both."""
    estate, mine = await estate_and_phone(client, buildings=2, assigned=1)
    first, second = estate.building_ids
    theirs = await steward_phone(client, [second])
    photo = jpeg(b"the lift's broken door, building 1")
    mine_finding = await finding(mine, estate.unit_ids[first][0])
    attach(mine, mine_finding, photo)
    await mine.sync()
    assert (await put(mine, photo)).status_code == 201
    their_finding = await finding(theirs, estate.unit_ids[second][0])
    return {"estate": estate, "mine": mine, "theirs": theirs, "photo": photo,
            "mine_finding": mine_finding, "their_finding": their_finding}


async def test_head_answers_like_get(client, two_buildings) -> None:
    mine, theirs, photo = two_buildings["mine"], two_buildings["theirs"], two_buildings["photo"]
    for phone, status in ((mine, 200), (theirs, 404)):
        got = await client.get(url(photo), headers=phone.headers)
        head = await client.head(url(photo), headers=phone.headers)
        assert (got.status_code, head.status_code) == (status, status)
    got = await client.get(url(photo), headers=theirs.headers)
    head = await client.head(url(photo), headers=theirs.headers)
    assert "upload-offset" not in head.headers and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]  # the same answer, no body
    seen = await client.head(url(photo), headers=mine.headers)
    assert seen.headers["upload-offset"] == str(len(photo)) and seen.headers["upload-complete"] == "1"
    nothing = jpeg(b"never uploaded")
    for phone in (mine, theirs):
        assert (await client.head(url(nothing), headers=phone.headers)).status_code == 404
        assert (await client.get(url(nothing), headers=phone.headers)).status_code == 404


async def test_knowing_a_hash_does_not_let_a_steward_attach_it(client, two_buildings) -> None:
    theirs, photo = two_buildings["theirs"], two_buildings["photo"]
    before = await table_counts("attachment")
    attach(theirs, two_buildings["their_finding"], photo)
    [result] = await theirs.push()
    assert (result["status"], result.get("code")) == ("rejected", "out_of_scope")
    assert await table_counts("attachment") == before
    assert (await client.get(url(photo), headers=theirs.headers)).status_code == 404


async def test_a_steward_taken_off_a_building_cannot_carry_its_photos_away(client, two_buildings) -> None:
    from server.store.staff import assign_buildings

    estate, photo = two_buildings["estate"], two_buildings["photo"]
    first, second = estate.building_ids
    moved = await steward_phone(client, [first, second])
    await moved.pull()
    known = [a["sha256"] for a in moved.live("attachment").values()]
    assert known == [sha(photo)]  # seen while it was their building
    own_finding = await finding(moved, estate.unit_ids[second][1])
    await assign_buildings(moved.user_id, [second])
    attach(moved, own_finding, photo)
    [result] = await moved.push()
    assert (result["status"], result.get("code")) == ("rejected", "out_of_scope")
    assert (await client.get(url(photo), headers=moved.headers)).status_code == 404


async def test_a_photo_attached_in_scope_may_be_attached_again(client, two_buildings) -> None:
    """Another steward of the same building may link the photo to their own record."""
    estate, photo = two_buildings["estate"], two_buildings["photo"]
    neighbour = await steward_phone(client, [estate.building_ids[0]])
    own = await finding(neighbour, estate.unit_ids[estate.building_ids[0]][1])
    attachment_id = attach(neighbour, own, photo)
    [result] = await neighbour.push()
    assert result["status"] == "applied"
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    assert row["stored"] is True


async def test_sending_the_bytes_proves_them(client, two_buildings) -> None:
    """A stored photo's hash with other bytes is refused as for a new upload (no oracle);
    with the very bytes, the phone has uploaded them and may attach them."""
    theirs, photo = two_buildings["theirs"], two_buildings["photo"]
    forged = await put(theirs, jpeg(b"anything"), sha(photo))
    assert forged.status_code == 422 and forged.json()["code"] == "hash_mismatch"
    assert (await client.head(url(photo), headers=theirs.headers)).status_code == 404
    sent = await put(theirs, photo)
    assert sent.status_code == 201 and sent.json()["complete"] is True
    assert (await client.head(url(photo), headers=theirs.headers)).status_code == 200
    attach(theirs, two_buildings["their_finding"], photo)
    [result] = await theirs.push()
    assert result["status"] == "applied"
    assert (await client.get(url(photo), headers=theirs.headers)).content == photo
    assert (await table_counts("attachment_blob"))["attachment_blob"] == 1  # stored once


@pytest.mark.parametrize("bytes_first", [True, False])
async def test_a_stewards_own_photo_works_in_either_order(client, two_buildings, bytes_first: bool) -> None:
    theirs = two_buildings["theirs"]
    photo = jpeg(b"building 2's own photo")
    if bytes_first:
        assert (await put(theirs, photo)).status_code == 201
        assert (await client.get(url(photo), headers=theirs.headers)).content == photo  # their own bytes
    attachment_id = attach(theirs, two_buildings["their_finding"], photo)
    [result] = await theirs.push()
    assert result["status"] == "applied"
    if not bytes_first:
        assert (await client.head(url(photo), headers=theirs.headers)).status_code == 404  # not here yet
        assert (await put(theirs, photo)).status_code == 201
    await theirs.pull()
    assert theirs.replica[("attachment", attachment_id)]["stored"] is True
    assert (await client.get(url(photo), headers=theirs.headers)).content == photo
    # the other phone of the same steward may attach it too
    from tests.factories import enrol
    from server.store.staff import principal_of

    principal = await principal_of(theirs.user_id)
    assert principal is not None
    second = Phone(client, await enrol(client, principal.username), theirs.user_id)
    attach(second, two_buildings["their_finding"], photo)
    assert (await second.push())[0]["status"] == "applied"


async def test_unreferenced_uploads_have_a_quota_per_phone(client, two_buildings) -> None:
    theirs, mine = two_buildings["theirs"], two_buildings["mine"]
    photos = [jpeg(bytes([n]) * 1000) for n in range(4)]
    client.app.state.settings = client.app.state.settings.with_(upload_quota_bytes=2 * len(photos[0]) + 10)
    assert [(await put(theirs, p)).status_code for p in photos[:2]] == [201, 201]
    refused = await put(theirs, photos[2])
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "upload_quota" and "上传" in body["message"]
    assert body["detail"]["quota"] == 2 * len(photos[0]) + 10
    chunk = await put(theirs, photos[2][:100], sha(photos[2]), **{"Content-Range": f"bytes 0-99/{len(photos[2])}"})
    assert chunk.status_code == 429  # a chunk counts as well
    # another phone has its own quota
    assert (await put(mine, photos[3])).status_code == 201
    # a photo whose record is on the server is not unreferenced: it always goes up
    attach(theirs, two_buildings["their_finding"], photos[2])
    assert (await theirs.push())[0]["status"] == "applied"
    assert (await put(theirs, photos[2])).status_code == 201
    # attaching the uploaded ones frees the quota
    for p in photos[:2]:
        attach(theirs, two_buildings["their_finding"], p)
    assert [r["status"] for r in await theirs.push()] == ["applied", "applied"]
    assert (await put(theirs, jpeg(b"one more"))).status_code == 201


async def test_the_quota_message_has_english_too(client, two_buildings) -> None:
    theirs = two_buildings["theirs"]
    client.app.state.settings = client.app.state.settings.with_(upload_quota_bytes=10)
    refused = await put(theirs, jpeg(b"x" * 100))
    assert refused.status_code == 429
    assert "upload" in refused.json()["message"].lower()


async def age(table: str, shas: list[str], days: float) -> None:
    async with write_transaction() as conn:
        for digest in shas:
            await conn.execute(f"UPDATE {table} SET created_at = ? WHERE sha256 = ?",
                               iso_in(timedelta(days=-days)), digest)


async def test_unreferenced_uploads_are_purged_after_a_day(client, two_buildings) -> None:
    theirs, referenced = two_buildings["theirs"], two_buildings["photo"]
    old, fresh = jpeg(b"old and alone"), jpeg(b"fresh and alone")
    for p in (old, fresh):
        assert (await put(theirs, p)).status_code == 201
    partial = jpeg(b"cut off" * 50)
    assert (await put(theirs, partial[:10], sha(partial), **{"Content-Range": f"bytes 0-9/{len(partial)}"})).status_code == 202
    await age("attachment_blob", [sha(old), sha(referenced)], days=2)
    await age("upload_part", [sha(partial)], days=2)
    purged = await attachments.purge_unreferenced()
    assert (purged.blobs, purged.parts) == (1, 1)
    assert (await client.head(url(old), headers=theirs.headers)).status_code == 404
    assert (await client.get(url(fresh), headers=theirs.headers)).status_code == 200
    assert (await client.get(url(referenced), headers=two_buildings["mine"].headers)).status_code == 200
    assert (await table_counts("upload_part"))["upload_part"] == 0
    assert (await attachments.purge_unreferenced()).blobs == 0  # twice is harmless
    assert attachments.PURGE_JOB in jobs.registered()  # hourly, in every server process
