"""Base Struct configuration shared by every wire type."""

from __future__ import annotations

import msgspec

from schemas.limits import Id, Time


class Wire(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """Base of every request/response body: unknown fields are an error, defaults omitted."""


class Record(Wire, kw_only=True):
    """Common envelope of every synced record as it travels to a phone.

    ``version`` is the server version of the record's last change (the pull cursor
    orders by it); ``deleted`` marks a tombstone. ``building_id`` and ``estate_id`` place
    the record (its scope); the server derives them. Times are ISO 8601 strings in UTC.
    """

    id: Id
    version: int = 0
    created_at: Time | None = None
    updated_at: Time | None = None
    created_by: Id | None = None
    updated_by: Id | None = None
    deleted: bool = False
    building_id: Id | None = None
    estate_id: Id | None = None
