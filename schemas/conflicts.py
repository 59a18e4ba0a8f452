"""Conflict records: what a merge discarded, kept for the desk.

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/conflicts.py`` and is declared once in ``sync/specs/conflicts.py``.
"""

from __future__ import annotations

from typing import Any

from schemas.base import Record
from schemas.limits import CollectionName, Id, Short, Time
from schemas.vocab import ConflictKind, ConflictStatus


class Conflict(Record, kw_only=True):
    """A merge decision that discarded a value; kept so the desk can see and reverse it."""

    collection: CollectionName
    record_id: Id
    field: Short[40] | None = None
    kind: ConflictKind
    kept_value: Any = None
    lost_value: Any = None
    kept_source: Short[80] | None = None  # "device:<id>#<seq>" or "user:<id>"
    lost_source: Short[80] | None = None
    rule: Short[40]
    status: ConflictStatus = "open"
    resolved_by: Id | None = None
    resolved_at: Time | None = None
