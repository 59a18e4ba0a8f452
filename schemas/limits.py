"""Bounded field types: what a record's columns can hold, checked when a mutation is
decoded, so that a value the database cannot store is refused with a reason instead of
failing the whole push (a test keeps the text lengths equal to the tables' columns).

Text is declared once here, for every synced record and every desk form:

- ``Short[n]``: one line of at most ``n`` characters (titles, names, places, codes);
- ``Text[n]``: free text of at most ``n`` characters, where tabs and line breaks are
  allowed (descriptions, notes, the owner's words); ``LongText`` is ``Text[MAX_TEXT]``.

Neither holds a character that is not text (``REFUSED_IN_TEXT``): control characters (NUL,
BEL, ESC…: openpyxl refuses them and one would break an export), the invisible ones that
change how text reads (zero-width spaces, the byte-order mark, bidi embeddings, overrides
and isolates such as U+202E, which shows a file name or a phone number backwards) and the
two non-characters XML refuses.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from msgspec import Meta

MAX_TEXT = 4000  # free text: descriptions, the owner's words, notes

# Never text, in any field: C0 controls but tab, LF and CR; DEL and the C1 controls; the
# zero-width space, non-joiner and joiner, word joiner and BOM; bidi embeddings, overrides
# (U+202A-U+202E) and isolates (U+2066-U+2069); U+FFFE and U+FFFF.
REFUSED_IN_TEXT = (r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2060"
                   r"\u2066-\u2069\ufeff\ufffe\uffff")
# Line breaks and tabs: free text only, never in one line (U+2028/2029 are line breaks too).
LINE_BREAKS = r"\t\n\r\u2028\u2029"
# "(?![\s\S])" is the end of the text in Python and in JSON Schema alike ("$" would let one
# trailing newline through in Python).
LINE_PATTERN = f"^[^{REFUSED_IN_TEXT}{LINE_BREAKS}]*(?![\\s\\S])"
TEXT_PATTERN = f"^[^{REFUSED_IN_TEXT}]*(?![\\s\\S])"
NOT_TEXT = re.compile(f"[{REFUSED_IN_TEXT}]")  # what an export drops from rows stored before
_NOT_ONE_LINE = re.compile(f"[{REFUSED_IN_TEXT}{LINE_BREAKS}]")


class Short:
    """``Short[n]``: one line of text of at most ``n`` characters (the column's length)."""

    def __class_getitem__(cls, length: int) -> Any:
        return Annotated[str, Meta(max_length=length, pattern=LINE_PATTERN)]


class Text:
    """``Text[n]``: free text of at most ``n`` characters; tabs and line breaks allowed."""

    def __class_getitem__(cls, length: int) -> Any:
        return Annotated[str, Meta(max_length=length, pattern=TEXT_PATTERN)]


# Record ids are made on the device (web/static/app/ids.js) or on the server (server/ids.py):
# UUIDs (version 7; the demo's and a household change's are version 5) in their canonical
# text form, 36 lowercase characters. The push edge refuses any other id (server/ids.py).
RECORD_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

COLLECTION_NAME_LENGTH = 40  # the widest collection name, in every bookkeeping column
CollectionName = Annotated[str, Meta(max_length=COLLECTION_NAME_LENGTH, pattern=LINE_PATTERN)]
Id = Annotated[str, Meta(max_length=36, pattern=LINE_PATTERN, extra_json_schema={"format": "uuid"})]
Time = Annotated[str, Meta(max_length=32, pattern=LINE_PATTERN)]  # ISO 8601 UTC
# a calendar day that exists: months of 30 and 31 days, 29 February in leap years only (the
# pattern, not a check in code, so the JSON Schema the phone and other clients read says it too)
DAY_PATTERN = (r"^(?:\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
               r"|02-(?:0[1-9]|1\d|2[0-8]))"
               r"|(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$")
Day = Annotated[str, Meta(max_length=10, pattern=DAY_PATTERN)]
# a calendar month, YYYY-MM, or empty where there is none (a bill's month)
MONTH_PATTERN = r"^(\d{4}-(0[1-9]|1[0-2]))?$"
Month = Annotated[str, Meta(max_length=7, pattern=MONTH_PATTERN)]
# a photo's address: the sha256 of its bytes, in lowercase hex
Sha256 = Annotated[str, Meta(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]
LongText = Text[MAX_TEXT]
Count = Annotated[int, Meta(ge=0, le=2**31 - 1)]
MAX_FEN = 10_000_000  # 十万元 in fen: more for one paid service is a typing mistake
Fen = Annotated[int, Meta(ge=0, le=MAX_FEN)]  # money in fen (分), never float
Score = Annotated[int, Meta(ge=1, le=5)]  # satisfaction 1..5
Measure = Annotated[float, Meta(ge=0, le=1e12)]  # areas, meter readings


def one_line(text: str) -> str:
    """``text`` on one line, runs of spaces and line breaks as one space: a title made from
    free text (``Short`` refuses line breaks)."""
    return " ".join(text.split())


def as_checked_now(value: Any) -> Any:
    """A value stored before these rules, as they would accept it: text without what is
    not text and on one line (an edit of another field of an old record is checked against
    this, so the old value does not block it)."""
    return _NOT_ONE_LINE.sub(" ", value) if isinstance(value, str) else value
