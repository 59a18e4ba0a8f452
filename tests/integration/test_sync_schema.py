"""The exported JSON Schema matches the Structs, and protocol 1 upgrades faithfully."""

from __future__ import annotations

import msgspec
import pytest

from schemas import export
from schemas.sync import Create, Delete, Update
from schemas.upgrade import body_protocol, decode_push


def test_committed_schema_is_current():
    assert export.SCHEMA_FILE.read_text(encoding="utf-8") == export.render(), (
        "schemas/stewardsync.schema.json is stale: run `python -m schemas.export`")


def test_schema_names_every_message_and_collection():
    document = export.build()
    assert set(document["x-messages"]) >= {"PushRequest", "PushResponse", "PullRequest",
                                           "PullResponse", "ErrorBody"}
    assert "ticket" in document["x-collections"] and "Ticket" in document["$defs"]


def test_protocol_1_mutations_upgrade_to_protocol_2():
    body = msgspec.json.encode({"protocol": 1, "device_id": "d1", "mutations": [
        {"type": "create", "seq": 1, "collection": "ticket", "id": "t", "fields": {"title": "x"}},
        {"type": "update", "seq": 2, "collection": "ticket", "id": "t", "base_version": 3,
         "base": {"title": "x"}, "data": {"title": "y"}},
        {"type": "delete", "seq": 3, "collection": "finding", "id": "f", "base_version": 4},
    ]})
    assert body_protocol(body) == 1
    request = decode_push(body, 1)
    assert request.protocol == 2
    assert request.mutations == [
        Create(seq=1, collection="ticket", id="t", fields={"title": "x"}),
        Update(seq=2, collection="ticket", id="t", base_version=3, base={"title": "x"}, changes={"title": "y"}),
        Delete(seq=3, collection="finding", id="f", base_version=4),
    ]


def test_protocol_1_body_in_protocol_2_shape_is_refused():
    body = msgspec.json.encode({"protocol": 1, "device_id": "d1", "mutations": [
        {"op": "create", "seq": 1, "collection": "ticket", "id": "t", "fields": {}}]})
    with pytest.raises(msgspec.ValidationError):
        decode_push(body, 1)
