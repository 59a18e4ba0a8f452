"""Record ids: their one format, made on the server (desk edits) and checked at the push edge.

The format (``schemas.limits.RECORD_ID_PATTERN``, docs/security.md): a UUID in its canonical
text form, 36 lowercase characters such as ``0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b``. Phones
make UUIDv7 (web/static/app/ids.js), and so does the server (``uuid7``); the demo's and a
household change's ids are UUIDv5. Any version is accepted, so every stored row stays valid.

Time-ordered ids keep inserts at the right edge of each primary-key index instead of at a
random page, which keeps bulk writes fast as tables grow.

The check belongs at the edge (``bad_ids``, called by the push handler), not in the merge
core: ``sync/`` decides on whatever ids it is given, and its unit tests use short ones.
"""

from __future__ import annotations

import os
import re
import time
import typing
import uuid
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from schemas.limits import RECORD_ID_PATTERN, Id
from schemas.sync import Create, Mutation, Update
from sync.specs import SPECS

RECORD_ID = re.compile(RECORD_ID_PATTERN.removeprefix("^").removesuffix("$"))


def is_record_id(value: object) -> bool:
    """Whether ``value`` is a record id in the documented format."""
    return isinstance(value, str) and RECORD_ID.fullmatch(value) is not None


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


# --- the edge check -------------------------------------------------------------------


def _holds_ids(hint: Any) -> bool:
    """Whether a field's type is ``Id``, or a union or list of it."""
    if hint == Id:
        return True
    return any(_holds_ids(arg) for arg in typing.get_args(hint) if not isinstance(arg, (str, int)))


@cache
def id_fields(collection: str) -> frozenset[str]:
    """The fields of a collection's record that hold record ids (typed ``Id``)."""
    spec = SPECS.get(collection)
    if spec is None:
        return frozenset()
    hints = typing.get_type_hints(spec.record, include_extras=True)
    return frozenset(name for name, hint in hints.items() if _holds_ids(hint))


def _ids_in(mutation: Mutation) -> Iterator[tuple[str, Any]]:
    """``(field, value)`` of every id a mutation would store: a new record's own, and the id
    fields a create or an update sets. (The target of an update or a delete is not stored
    anew: it names a record that exists, or the merge answers ``unknown_record``.)"""
    if isinstance(mutation, Create):
        yield "id", mutation.id
    values = mutation.fields if isinstance(mutation, Create) else \
        mutation.changes if isinstance(mutation, Update) else {}
    for field in sorted(id_fields(mutation.collection) & values.keys()):
        value = values[field]
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                yield field, item


def bad_ids(mutations: Sequence[Mutation]) -> list[dict[str, Any]]:
    """Where a batch would store an id not in the documented format: ``{index, seq, field,
    id}`` each (empty when every id is well formed)."""
    return [{"index": index, "seq": m.seq, "field": field, "id": value}
            for index, m in enumerate(mutations) for field, value in _ids_in(m)
            if not is_record_id(value)]
