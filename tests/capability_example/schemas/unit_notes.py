"""A steward's note on a unit (a trivial capability, added by the book)."""

from __future__ import annotations

from schemas.base import Record
from schemas.limits import Id, LongText


class UnitNote(Record, kw_only=True):
    """便签: something a steward noted at a unit's door."""

    unit_id: Id
    body: LongText
    steward_id: Id
