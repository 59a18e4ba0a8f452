"""Bounded field types: what a record's columns can hold, checked when a mutation is
decoded, so that a value the database cannot store is refused with a reason instead of
failing the whole push (a test keeps the text lengths equal to the tables' columns)."""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

MAX_TEXT = 4000  # free text: descriptions, the owner's words, notes


class Short:
    """``Short[n]``: text of at most ``n`` characters (the column's length)."""

    def __class_getitem__(cls, length: int) -> Any:
        return Annotated[str, Meta(max_length=length)]


COLLECTION_NAME_LENGTH = 40  # the widest collection name, in every bookkeeping column
CollectionName = Annotated[str, Meta(max_length=COLLECTION_NAME_LENGTH)]
Id = Annotated[str, Meta(max_length=36)]
Time = Annotated[str, Meta(max_length=32)]  # ISO 8601 UTC
Day = Annotated[str, Meta(max_length=10, pattern=r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
LongText = Annotated[str, Meta(max_length=MAX_TEXT)]
Count = Annotated[int, Meta(ge=0, le=2**31 - 1)]
Score = Annotated[int, Meta(ge=1, le=5)]  # satisfaction 1..5
Measure = Annotated[float, Meta(ge=0, le=1e12)]  # areas, meter readings
