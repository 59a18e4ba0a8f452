"""Meter reading (抄表): the estate's meters and their readings.

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/meters.py`` and is declared once in ``sync/specs/meters.py``. The rules a
reading must pass (lower than the last, far above the usual) are ``sync/meters.py``.
"""

from __future__ import annotations

from schemas.base import Record
from schemas.limits import Count, Id, LongText, Measure, Sha256, Short, Time
from schemas.vocab import MeterKind, MeterUse, ReadingFlag, ReadingReview, ReadingSource


class Meter(Record, kw_only=True):
    """水表/电表: a household meter (its unit) or a building's public meter (lifts,
    corridor lighting, pumps). Where it is: its floor, the shaft or place, its place in the
    round's walking order, its serial number."""

    unit_id: Id | None = None  # a household meter's unit; None: the building's public meter
    kind: MeterKind
    use: MeterUse
    floor: Count = 0
    place: Short[50] = ""  # 水井/电井, 地下室泵房…
    walk_order: Count = 0
    serial: Short[40] = ""


class MeterReading(Record, kw_only=True):
    """One reading of one meter (抄录). Created once, never edited on the phone; the desk
    marks its 复核 (``review``): accepted, or sent back for a re-read (the phone then lists
    the meter until a newer reading of it arrives)."""

    meter_id: Id
    reading: Measure
    read_at: Time
    reader_id: Id
    flag: ReadingFlag | None = None  # lower than the last: replaced / rolled over; far too high: confirmed
    photo_sha256: Sha256 | None = None  # the photo of the dial (or the new meter) the flag needs
    source: ReadingSource = "round"
    note: LongText = ""
    review: ReadingReview | None = None
    review_note: LongText = ""
