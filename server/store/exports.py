"""Lists written out as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX (openpyxl).

Whatever a record holds (a phone, an intake title, a ledger cell) may have been typed by
anyone, so a text is never written as something Excel would run: in XLSX a text is a text
cell, with Excel's quote prefix when it begins with ``=``, ``+``, ``-`` or ``@`` (so that
editing it does not make it a formula either); in CSV such a text gets a leading ``'``.

What is not text (``schemas.limits.NOT_TEXT``: control characters, which XML cannot hold and
openpyxl refuses, and the invisible ones: zero-width, BOM, bidi overrides) is refused when a
record is written; rows stored before that are cleaned here, as the file is written, so one
bad title cannot fail the export for everyone (``clean_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from schemas.limits import NOT_TEXT

MAX_ROWS = 100_000  # an export is a working list, not a backup
# what a formula begins with, or a cell Excel may read as one
RISKY = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """A stored text as an export writes it: what is not text left out."""
    return NOT_TEXT.sub("", value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        value = clean_text(value)
        return "'" + value if value.startswith(RISKY) else value
    return value


def to_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([safe_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def safe_cell(sheet: Any, value: Any, **style: Any) -> Any:
    """What to append for one cell of a write-only sheet so that Excel shows it as
    written: a plain value where openpyxl writes it as is, else a text cell (with the
    quote prefix for a text that begins like a formula)."""
    if not (value is None or isinstance(value, (int, float, str, bool))):
        value = str(value)
    if isinstance(value, str):
        value = clean_text(value)
    risky = isinstance(value, str) and value.startswith(RISKY)
    if not risky and not style:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if risky:
        cell.data_type = "s"  # openpyxl would make "=…" a formula
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
