"""Meter reading (抄表): the estate's meters and their readings."""

from __future__ import annotations

import msgspec

from schemas.meters import Meter, MeterReading
from sync.meters import SEED_METER_SETTINGS, MeterSettings, reading_refusal
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, Access, History, Placement, Row, Spec, ValueRule, same_for
from sync.storage import Past

CAPABILITY = "meters"

# A meter is part of the estate's structure: kept at the desk by the manager and the admin
# (and imported with the ledger); everyone else reads it. It always names its building (a
# household meter's must be its unit's).
METER = Spec(
    name="meter", record=Meter, capability=CAPABILITY,
    placement=Placement(by=("unit_id",), given=True, needs_building=True),
    references={"unit_id": "unit"},
    create_only=frozenset({"unit_id", "kind"}),
    access={
        "manager": Access(create=True, write=EDITABLE),
        "admin": Access(create=True, write=EDITABLE, delete=True),
    },
)

READER_FIELDS: frozenset[str] = frozenset(
    {"meter_id", "reading", "read_at", "reader_id", "flag", "photo_sha256", "source", "note"})
REVIEW_FIELDS: frozenset[str] = frozenset({"review", "review_note"})


def _checked(row: Row, past: Past) -> str | None:
    """A new reading against its meter's past (``sync.meters.reading_refusal``)."""
    settings = msgspec.convert(past.about["settings"], MeterSettings) if past.about.get("settings") \
        else SEED_METER_SETTINGS
    return reading_refusal(row, past.rows, str(past.about.get("kind", "")), settings)


# A reading is made once, on the phone or at the desk, and never edited (create-only); the
# office marks its 复核 (accepted, or sent back for a re-read).
METER_READING = Spec(
    name="meter_reading", record=MeterReading, capability=CAPABILITY,
    placement=Placement(by=("meter_id",), required=True),
    references={"meter_id": "meter"},
    create_only=READER_FIELDS,
    filled_by_maker=("reader_id",), owner_field="reader_id",
    access={
        "steward": Access(create=True, write=READER_FIELDS),
        **same_for(tuple(r for r in WRITING_ROLES if r != "steward"),
                   Access(create=True, write=READER_FIELDS | REVIEW_FIELDS)),
    },
    # what travels from the phone is a round's reading; a vacant check's readings stay on
    # the check (the meter's history reads both: server/store/meters.py)
    value_rules=(ValueRule(field="source", code="invalid", by_role={}, others=frozenset({"round"})),),
    history=History(field="meter_id", check=_checked),
)

SPECS = (METER, METER_READING)
