"""Reading an uploaded ledger safely, and writing the template and the estate export.

An upload is untrusted: its size is bounded, an XLSX is checked as a zip before it is
opened (entry count, unpacked size, compression ratio: a zip bomb is refused unread), then
read by calamine (a Rust reader, about 17x faster than openpyxl here: it expands no XML
entities) and a formula is read as the value Excel saved with it, never evaluated. A CSV is one sheet,
UTF-8 or GB18030 (what Excel in Chinese saves). On the way out every cell goes through
``server.store.exports.safe_cell``: a text stays a text, never a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from server.ledger.sheets import BASE_HEADER, BY_NAME, SHEETS, Sheet
from server.store.exports import safe_cell

MAX_BYTES = 20 * 1024 * 1024  # an upload (a 10,000-household ledger is about 1.5 MB)
MAX_UNPACKED = 300 * 1024 * 1024  # all entries of an XLSX, unpacked
MAX_RATIO = 200  # unpacked / packed size of one entry (a zip bomb is far above)
MAX_ENTRIES = 500
MAX_ROWS = 200_000  # per sheet
MAX_COLUMNS = 100
EXAMPLE_MARK = "示例:"  # the template's example row starts with it; such rows are skipped
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Unreadable(ValueError):
    """The file as a whole cannot be read (``code`` machine-readable, ``reason`` Chinese)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class RawSheet:
    """One sheet as read: its headers (normalised) by column, and its data rows."""

    sheet: Sheet
    header_row: int
    headers: list[str]
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


@dataclass
class RawBook:
    sheets: list[RawSheet]
    ignored: list[str]  # sheets that are not the ledger's


def normal_header(text: Any) -> str:
    """``建筑面积（㎡）*`` and ``建筑面积(㎡)`` are one header."""
    value = "" if text is None else str(text)
    return re.sub(r"\s+", "", value).replace("（", "(").replace("）", ")").rstrip("*")


# --- reading ---------------------------------------------------------------------------


def read_book(data: bytes, filename: str) -> RawBook:
    """The ledger sheets of an uploaded XLSX or CSV (``Unreadable`` when it cannot be read)."""
    if len(data) > MAX_BYTES:
        raise Unreadable("file_too_large", f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
    if not data:
        raise Unreadable("empty_file", "文件是空的")
    if data[:2] == b"PK":
        return _read_xlsx(data)
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise Unreadable("not_xlsx", "无法读取：请另存为 Excel 工作簿（.xlsx）或 CSV")
    return _read_csv(data, filename)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise Unreadable("not_xlsx", "无法读取：文件已损坏或不是 Excel 工作簿") from None
    if len(entries) > MAX_ENTRIES:
        raise Unreadable("xlsx_too_complex", "工作簿内部文件过多，拒绝读取")
    if sum(e.file_size for e in entries) > MAX_UNPACKED:
        raise Unreadable("xlsx_too_large", "工作簿解压后过大，拒绝读取")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise Unreadable("xlsx_too_large", "工作簿压缩比异常（疑似压缩炸弹），拒绝读取")


def _read_xlsx(data: bytes) -> RawBook:
    _check_zip(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets, ignored = [], []
        for title in book.sheet_names:
            sheet = BY_NAME.get(normal_header(title))
            if sheet is None:
                ignored.append(title)
                continue
            rows = book.get_sheet_by_name(title).iter_rows()
            raw = _sheet_of(sheet, (row[:MAX_COLUMNS] for row in rows))
            if raw is not None:
                sheets.append(raw)
    except Unreadable:
        raise
    except Exception:  # noqa: BLE001 - calamine raises several kinds on a damaged file
        raise Unreadable("not_xlsx", "无法读取：文件已损坏或不是 Excel 工作簿") from None
    return RawBook(sheets=sheets, ignored=ignored)


def _read_csv(data: bytes, filename: str) -> RawBook:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise Unreadable("bad_encoding", "无法识别文件编码，请存为 UTF-8 的 CSV")
    rows = list(csv.reader(io.StringIO(text)))
    sheet = _csv_sheet(PurePath(filename).stem, rows[:5])
    if sheet is None:
        raise Unreadable("unknown_sheet", "无法判断这个 CSV 是哪张表：请以表名命名文件"
                                          f"（{'、'.join(s.name for s in SHEETS)}）")
    raw = _sheet_of(sheet, (tuple(r) for r in rows))
    return RawBook(sheets=[raw] if raw is not None else [], ignored=[])


def _csv_sheet(stem: str, head: list[list[str]]) -> Sheet | None:
    for sheet in SHEETS:
        if sheet.name in stem:
            return sheet
    headers = {normal_header(h) for row in head for h in row}
    fitting = [s for s in SHEETS if {normal_header(c.header) for c in s.columns if c.required} <= headers]
    return max(fitting, key=lambda s: len(headers & {normal_header(h) for h in s.headers}), default=None)


def _sheet_of(sheet: Sheet, rows: Iterable[Sequence[Any]]) -> RawSheet | None:
    """Find the header row (within the first five: a title may sit above it), then read on."""
    first = normal_header(sheet.columns[0].header)
    raw: RawSheet | None = None
    for number, values in enumerate(rows, start=1):
        if raw is None:
            headers = [normal_header(v) for v in values]
            if first in headers:
                raw = RawSheet(sheet=sheet, header_row=number, headers=headers)
            elif number >= 5:
                return RawSheet(sheet=sheet, header_row=0, headers=[])
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        first_cell = values[0] if values else None
        if isinstance(first_cell, str) and first_cell.startswith(EXAMPLE_MARK):
            continue
        if len(raw.rows) >= MAX_ROWS:
            raise Unreadable("too_many_rows", f"“{sheet.name}”超过 {MAX_ROWS} 行")
        raw.rows.append((number, tuple(values)))
    return raw


# --- writing ---------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
EXAMPLE_FONT = Font(italic=True, color="808080")


def write_book(rows: dict[str, list[tuple[list[Any], Any]]], *, example: bool = False) -> bytes:
    """An XLSX of the ledger sheets: ``rows`` maps a sheet name to (cells in column order,
    the row's base or None). With ``example`` each sheet gets the template's example row."""
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        worksheet = book.create_sheet(sheet.name)
        with_base = any(base is not None for _, base in rows.get(sheet.name, ()))
        for at, column in enumerate(sheet.columns, start=1):
            width = max(10, min(40, 2 * len(column.header) + 4))
            worksheet.column_dimensions[get_column_letter(at)].width = width
        if with_base:
            letter = get_column_letter(len(sheet.columns) + 1)
            worksheet.column_dimensions[letter].hidden = True
        worksheet.freeze_panes = "A2"
        for at, column in enumerate(sheet.columns, start=1):
            choices = column.kind.choices()
            if choices:
                letter = get_column_letter(at)
                check = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True,
                                       showErrorMessage=True, errorTitle="请从列表中选择",
                                       error=f"应为：{'、'.join(choices)}")
                check.add(f"{letter}2:{letter}{MAX_ROWS}")
                worksheet.data_validations.append(check)
        headers = [safe_cell(worksheet, c.header + ("*" if c.required else ""), font=HEADER_FONT,
                        **({"fill": REQUIRED_FILL} if c.required else {})) for c in sheet.columns]
        if with_base:
            headers.append(safe_cell(worksheet, BASE_HEADER))
        worksheet.append(headers)
        if example:
            cells = [c.example for c in sheet.columns]
            cells[0] = f"{EXAMPLE_MARK}{cells[0]}"
            worksheet.append([safe_cell(worksheet, v, font=EXAMPLE_FONT) for v in cells])
        for values, base in rows.get(sheet.name, ()):
            line = [safe_cell(worksheet, v) for v in values]
            if with_base:
                line.append(safe_cell(worksheet, json.dumps(base, ensure_ascii=False, separators=(",", ":"))))
            worksheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
