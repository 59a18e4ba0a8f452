"""Older wire versions, and their upgrade to the current one.

Protocol 1 (app versions before 0.2): the mutation's union tag is ``type`` (not ``op``) and
an update carries its new values under ``data`` (not ``changes``). Everything else is as in
protocol 2. ``decode_push`` reads a push body of any supported version and returns the
current ``PushRequest``; the caller refuses versions older than OLDEST_SUPPORTED_PROTOCOL.
"""

from __future__ import annotations

from typing import Any

import msgspec

from schemas.base import Wire
from schemas.limits import Short
from schemas.sync import Create, Delete, Mutation, PushRequest, Update, push_request_decoder


class CreateV1(Wire, tag="create", tag_field="type", kw_only=True):
    seq: int
    collection: str
    id: str
    fields: dict[str, Any]
    hlc: str = ""
    client_time: str | None = None


class UpdateV1(Wire, tag="update", tag_field="type", kw_only=True):
    seq: int
    collection: str
    id: str
    base_version: int
    base: dict[str, Any]
    data: dict[str, Any]
    hlc: str = ""
    client_time: str | None = None


class DeleteV1(Wire, tag="delete", tag_field="type", kw_only=True):
    seq: int
    collection: str
    id: str
    base_version: int
    hlc: str = ""
    client_time: str | None = None


MutationV1 = CreateV1 | UpdateV1 | DeleteV1


class PushRequestV1(Wire, kw_only=True):
    protocol: int
    device_id: str
    app_version: Short[32] = ""  # shown to the desk (管家同步)
    pending: int = 0
    mutations: list[MutationV1]


class ProtocolProbe(msgspec.Struct):
    """Only the version of a body (every other field ignored)."""

    protocol: int = 0


push_request_v1_decoder = msgspec.json.Decoder(PushRequestV1)
protocol_probe_decoder = msgspec.json.Decoder(ProtocolProbe)


def upgrade_mutation(old: MutationV1) -> Mutation:
    common = {"seq": old.seq, "collection": old.collection, "id": old.id, "hlc": old.hlc,
              "client_time": old.client_time}
    match old:
        case CreateV1():
            return Create(fields=old.fields, **common)
        case UpdateV1():
            return Update(base_version=old.base_version, base=old.base, changes=old.data, **common)
        case DeleteV1():
            return Delete(base_version=old.base_version, **common)
    raise TypeError(f"not a protocol 1 mutation: {old!r}")  # unreachable: the union is closed


def upgrade_push(old: PushRequestV1) -> PushRequest:
    return PushRequest(protocol=2, device_id=old.device_id, app_version=old.app_version,
                       pending=old.pending, mutations=[upgrade_mutation(m) for m in old.mutations])


def body_protocol(body: bytes) -> int:
    """The ``protocol`` of a JSON body (0 when absent); raises msgspec.DecodeError on bad JSON
    or a non-integer version."""
    return protocol_probe_decoder.decode(body).protocol


def decode_push(body: bytes, protocol: int) -> PushRequest:
    """The body as a current ``PushRequest`` (protocol 1 upgraded); raises msgspec errors."""
    if protocol == 1:
        return upgrade_push(push_request_v1_decoder.decode(body))
    return push_request_decoder.decode(body)
