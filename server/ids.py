"""Record ids made on the server (desk edits): UUIDv7 like the phones make (web/static/app/ids.js).

Time-ordered ids keep inserts at the right edge of each primary-key index instead of at a
random page, which keeps bulk writes fast as tables grow.
"""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> str:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, 74 random bits."""
    if hasattr(uuid, "uuid7"):  # Python 3.14+
        return str(uuid.uuid7())
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & (2**48 - 1)) << 80 | 0x7 << 76 | (rand >> 62 & 0xFFF) << 64 | 0b10 << 62 | rand & (2**62 - 1)
    return str(uuid.UUID(int=value))


NEXT_HOUSEHOLD = uuid.UUID("6f1d3c52-2b8e-4a57-9a51-3d0c1f6b2e44")


def next_household_id(previous: str) -> str:
    """The id of the household that follows ``previous`` (a household's id, or a unit's for
    its first): the same for every clerk and every import, so one change of owner cannot be
    recorded twice."""
    return str(uuid.uuid5(NEXT_HOUSEHOLD, previous))
