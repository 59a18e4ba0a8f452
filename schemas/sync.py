"""Push, pull and error bodies of the sync protocol (see docs/sync-protocol.md).

Wire version 2 is current; version 1 (tag field ``type``, update values under ``data``)
is still accepted and upgraded on arrival; anything older is answered ``update_required``.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from schemas.base import Wire
from schemas.limits import Short

PROTOCOL_VERSION = 2
OLDEST_SUPPORTED_PROTOCOL = 1

MAX_BATCH = 1000  # mutations in one push
MAX_PULL_LIMIT = 5000  # records in one pull page


class Create(Wire, tag="create", tag_field="op", kw_only=True):
    """Create a record with a device-made id."""

    seq: int  # the device's mutation counter: 1, 2, 3 … without gaps
    collection: str
    id: str
    fields: dict[str, Any]
    hlc: str = ""  # hybrid logical clock of the device, for display and tie-breaks only
    client_time: str | None = None


class Update(Wire, tag="update", tag_field="op", kw_only=True):
    """Change some fields of a record, stating what the phone saw before editing.

    ``base`` holds the value of each changed field in the version the phone edited
    (``base_version``); the server merges field by field against it (3-way merge).
    """

    seq: int
    collection: str
    id: str
    base_version: int
    base: dict[str, Any]
    changes: dict[str, Any]
    hlc: str = ""
    client_time: str | None = None


class Delete(Wire, tag="delete", tag_field="op", kw_only=True):
    """Delete (tombstone) a record."""

    seq: int
    collection: str
    id: str
    base_version: int
    hlc: str = ""
    client_time: str | None = None


Mutation = Create | Update | Delete

ResultStatus = Literal["applied", "conflict", "rejected"]


class MutationResult(Wire, kw_only=True):
    """What became of one mutation. Replays return the stored result unchanged."""

    seq: int
    status: ResultStatus
    version: int | None = None  # server version the record reached (applied/conflict)
    code: str | None = None  # machine-readable reason when rejected
    message: str | None = None  # human-readable reason (zh-CN)
    conflict_ids: list[str] = []


class PushRequest(Wire, kw_only=True):
    protocol: int
    device_id: str
    app_version: Short[32] = ""  # shown to the desk (管家同步)
    pending: int = 0  # outbox size on the phone when it pushed (shown to the desk)
    mutations: list[Mutation]


class PushResponse(Wire, kw_only=True):
    protocol: int
    last_seq: int  # highest seq the server has applied (or rejected) for this device
    results: list[MutationResult]


class PullRequest(Wire, kw_only=True):
    protocol: int
    device_id: str
    cursor: str | None = None  # opaque; null on first sync or after a reset
    limit: int = 1000


class PullResponse(Wire, kw_only=True):
    protocol: int
    cursor: str
    more: bool  # another page is waiting: pull again at once
    reset: bool = False  # the device must drop its cache and resync from cursor null
    evict_buildings: list[str] = []  # left the scope: drop their records
    # collection -> records (tombstones too). The server fills the lists with each record's
    # JSON object as the database built it (msgspec.Raw); on the wire they are objects.
    records: dict[str, list[dict[str, Any]]] = {}


class ErrorBody(Wire, kw_only=True):
    """Every 4xx/5xx answer of the API: a stable code, a message for people, details."""

    code: str
    message: str
    detail: dict[str, Any] | None = None


push_request_decoder = msgspec.json.Decoder(PushRequest)
pull_request_decoder = msgspec.json.Decoder(PullRequest)
