"""The weekly check of vacant units (空置房巡检).

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/vacant.py`` and is declared once in ``sync/specs/vacant.py``.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schemas.base import Record
from schemas.limits import Id, LongText, Measure, Short, Time


class VacantCheck(Record, kw_only=True):
    """空置房巡检: the weekly check of one vacant unit."""

    unit_id: Id
    week: Short[8]  # ISO week, "2026-W47"
    checked_at: Time
    steward_id: Id
    results: Annotated[dict[Short[32], Short[8]], Meta(max_length=20)] = {}  # checklist item -> ok / defect / na
    water_reading: Measure | None = None
    electric_reading: Measure | None = None
    notes: LongText = ""
