"""What an import would do, decided before anything is written: every row read and
checked, found again by its natural key (estate + building code + unit code, username,
unit + month), and compared with what the estate holds.

``make_plan`` is pure over a ``State`` (what the estate holds, read in one snapshot or in
the apply's own transaction): it returns the counts per sheet, every problem as (sheet,
row, column, value, reason), and the writes. Buildings, units and households become sync
mutations (applied through the merge and the change log like a desk edit, so phones pull
them and a field changed in the field since the ledger was exported becomes a conflict);
staff accounts and bills are plain rows.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from schemas.sync import Create, Update
from server.clock import iso, parse_iso
from server.ids import next_household_id, uuid7
from server.ledger.cells import Bad, Kind, canonical, text_of
from server.ledger.sheets import (
    BASE_HEADER,
    BILLS,
    DEFAULT_FEE_ITEM,
    BUILDINGS,
    HOUSEHOLDS,
    METERS,
    SHEETS,
    STAFF,
    UNITS,
    Sheet,
)
from server.ledger.workbook import RawBook, RawSheet, normal_header
from server.store.staff import canonical_username
from sync.scope import by_building
from sync.specs import SPECS

USERNAME = r"[A-Za-z0-9_.-]{2,50}"


class Problem(msgspec.Struct, kw_only=True):
    sheet: str
    row: int
    column: str
    value: str
    reason: str


class Counts(msgspec.Struct, kw_only=True):
    new: int = 0
    changed: int = 0
    unchanged: int = 0


class StaffWrite(msgspec.Struct, kw_only=True):
    """A staff account to create or change, and its place in this estate."""

    user_id: str
    new: bool
    username: str
    display_name: str
    role: str
    phone: str | None
    building_ids: list[str] | None  # a steward's buildings in this estate; None: unchanged
    office: bool  # works in the estate as an office role (staff_estate)


class BillWrite(msgspec.Struct, kw_only=True):
    id: int | None  # None: a new bill
    unit_id: str
    building_id: str
    month: str
    item: str  # schemas.vocab.FeeItem
    amount_due: float
    amount_paid: float
    paid_at: str | None


class Plan(msgspec.Struct, kw_only=True):
    estate_id: str
    counts: dict[str, Counts]
    errors: list[Problem]
    warnings: list[Problem]
    mutations: list[Create | Update] = []
    staff: list[StaffWrite] = []
    bills: list[BillWrite] = []

    @property
    def changes(self) -> int:
        return sum(c.new + c.changed for c in self.counts.values())

    def report(self) -> dict[str, Any]:
        """The preview as the CLI's ``--json`` prints it and the desk shows it."""
        return {"counts": {name: msgspec.structs.asdict(c) for name, c in self.counts.items()},
                "errors": [msgspec.structs.asdict(p) for p in self.errors],
                "warnings": [msgspec.structs.asdict(p) for p in self.warnings]}


@dataclass
class State:
    """What the estate holds now (and who has which username anywhere)."""

    estate_id: str
    buildings: dict[str, dict[str, Any]]  # by building code
    units: dict[tuple[str, str], dict[str, Any]]  # by (building code, unit code)
    households: dict[str, dict[str, Any]]  # the current household by unit id
    users: dict[str, dict[str, Any]]  # by username: id, display_name, role, phone, estates, buildings
    bills: dict[tuple[str, str, str], dict[str, Any]]  # by (unit id, month, fee item)
    meters: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # by (building code, serial)


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # field -> value read (present columns only)
    cells: dict[str, Any]  # field -> the raw cell (for problems)
    base: dict[str, Any] | None  # the exported values, when the row carries its base


RECORDS = {name: spec.record for name, spec in SPECS.items()}


@dataclass
class Planner:
    state: State
    tz: ZoneInfo
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    mutations: list[Create | Update] = field(default_factory=list)
    staff: list[StaffWrite] = field(default_factory=list)
    bills: list[BillWrite] = field(default_factory=list)
    building_ids: dict[str, str] = field(default_factory=dict)  # code -> id, file and estate
    unit_ids: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # -> (unit, building)
    failed: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # keys of rows refused

    def __post_init__(self) -> None:
        self.building_ids = {code: row["id"] for code, row in self.state.buildings.items()}
        self.unit_ids = {key: (row["id"], row["building_id"]) for key, row in self.state.units.items()}

    # --- problems ----------------------------------------------------------------------

    def error(self, sheet: Sheet, row: int, column: str, value: Any, reason: str) -> None:
        self.errors.append(Problem(sheet=sheet.name, row=row, column=column, value=text_of(value),
                                   reason=reason))

    def warn(self, sheet: Sheet, row: int, column: str, value: Any, reason: str) -> None:
        self.warnings.append(Problem(sheet=sheet.name, row=row, column=column, value=text_of(value),
                                     reason=reason))

    def refused(self, sheet: Sheet, *key: Any) -> bool:
        """Whether a row with this key was refused (its mistake is reported already)."""
        return tuple(key) in self.failed.get(sheet.name, ())

    # --- reading rows ------------------------------------------------------------------

    def rows(self, raw: RawSheet) -> Iterator[Row]:
        """Each data row read and checked cell by cell; rows with a bad cell or a key seen
        before are reported and left out."""
        sheet = raw.sheet
        if not raw.headers:
            self.error(sheet, 1, sheet.columns[0].header, "", f"找不到表头：应有“{sheet.columns[0].header}”列")
            return
        at = {h: i for i, h in reversed(list(enumerate(raw.headers))) if h}
        known = {normal_header(c.header) for c in sheet.columns} | {BASE_HEADER}
        for header in at:
            if header not in known:
                self.warn(sheet, raw.header_row, header, "", "未识别的列，已忽略")
        columns = [(c, at[normal_header(c.header)]) for c in sheet.columns if normal_header(c.header) in at]
        missing = [c for c in sheet.columns if c.required and normal_header(c.header) not in at]
        for column in missing:
            self.error(sheet, raw.header_row, column.header, "", "缺少必填列")
        if missing:
            return
        base_at = at.get(BASE_HEADER)
        seen: dict[tuple[Any, ...], int] = {}
        for number, cells in raw.rows:
            row = Row(number=number, values={}, cells={}, base=None)
            ok = True
            for column, index in columns:
                cell = cells[index] if index < len(cells) else None
                try:
                    value = column.kind.read(cell)
                except Bad as bad:
                    self.error(sheet, number, column.header, cell, bad.reason)
                    ok = False
                    continue
                if column.required and value in (None, []):
                    self.error(sheet, number, column.header, cell, "必填")
                    ok = False
                    continue
                row.values[column.field] = value
                row.cells[column.field] = cell
            if base_at is not None and base_at < len(cells) and cells[base_at] not in (None, ""):
                row.base = _base_of(cells[base_at])
                if row.base is None:
                    self.error(sheet, number, BASE_HEADER, "", "隐藏的基准列已损坏：请勿修改该列")
                    ok = False
            key = tuple(row.values.get(sheet.column(h).field) for h in sheet.key)
            if not ok:
                # rows naming this one are not reported again: the mistake is told once, here
                self.failed.setdefault(sheet.name, set()).add(key)
                continue
            if key in seen:
                self.error(sheet, number, sheet.key[-1], "/".join(map(str, key)), f"与第{seen[key]}行重复")
                continue
            seen[key] = number
            yield row

    # --- synced records ----------------------------------------------------------------

    def record(self, sheet: Sheet, row: Row, collection: str, current: dict[str, Any] | None,
               wanted: dict[str, Any], create_with: dict[str, Any]) -> str | None:
        """A Create for a new record, an Update of the fields the ledger changed, or
        nothing; the resulting record is checked against its Struct. Returns the id."""
        counts = self.counts.setdefault(sheet.name, Counts())
        kinds = {c.field: c.kind for c in sheet.columns}
        if current is None:
            record_id = uuid7()
            fields = {**_defaults(collection, wanted), **create_with}
            if self.valid(sheet, row, collection, {"id": record_id, **fields}):
                self.mutations.append(Create(seq=0, collection=collection, id=record_id, fields=fields))
                counts.new += 1
            return record_id
        changes, base = self.diff(sheet, row, current, _defaults(collection, wanted), kinds)
        if not changes:
            counts.unchanged += 1
        elif self.valid(sheet, row, collection, {**current, **changes}):
            self.mutations.append(Update(seq=0, collection=collection, id=current["id"],
                                         base_version=int(current["version"]), base=base, changes=changes))
            counts.changed += 1
        return str(current["id"])

    def diff(self, sheet: Sheet, row: Row, current: dict[str, Any], wanted: dict[str, Any],
             kinds: dict[str, Kind]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The fields the ledger changes, and the base each change is merged against: the
        value as exported when the row carries it (a field changed in the field since
        then is a conflict, recorded, never overwritten), else the value now."""
        changes: dict[str, Any] = {}
        base: dict[str, Any] = {}
        exported = (row.base or {}).get("f", {})
        for name, value in wanted.items():
            now = canonical(kinds[name], current.get(name))
            if value == now:
                continue
            if name in exported:
                then = canonical(kinds[name], exported[name])
                if value == then:
                    continue  # the office left it as exported; the field's change stands
                if then != now:
                    header = next(c.header for c in sheet.columns if c.field == name)
                    self.warn(sheet, row.number, header, kinds[name].show(value),
                              f"导出后已在现场改为“{text_of(kinds[name].show(current.get(name)))}”："
                              "将记为冲突，保留现场的修改")
                    changes[name], base[name] = value, exported[name]
                    continue
            changes[name], base[name] = value, current.get(name)
        return changes, base

    def valid(self, sheet: Sheet, row: Row, collection: str, record: dict[str, Any]) -> bool:
        """What the merge would accept (lengths, words): the problem is named here, not at apply."""
        record_type = RECORDS[collection]
        names = set(record_type.__struct_fields__)
        try:
            msgspec.convert({k: v for k, v in record.items() if k in names}, record_type)
        except msgspec.ValidationError as invalid:
            self.error(sheet, row.number, "", "", f"数据无效：{invalid}")
            return False
        return True

    # --- sheets ------------------------------------------------------------------------

    def buildings(self, raw: RawSheet) -> None:
        for row in self.rows(raw):
            code = row.values["code"]
            wanted = {k: v for k, v in row.values.items() if k != "code"}
            self.building_ids[code] = self.record(
                BUILDINGS, row, "building", self.state.buildings.get(code), wanted,
                {"code": code, "estate_id": self.state.estate_id}) or ""

    def units(self, raw: RawSheet) -> None:
        for row in self.rows(raw):
            building_code, code = row.values["building"], row.values["code"]
            building_id = self.building_ids.get(building_code)
            if building_id is None and self.refused(BUILDINGS, building_code):
                self.failed.setdefault(UNITS.name, set()).add((building_code, code))
                continue
            if building_id is None:
                self.error(UNITS, row.number, "楼栋编号", building_code, "楼栋不存在：请先在“楼栋”表中填写")
                self.failed.setdefault(UNITS.name, set()).add((building_code, code))
                continue
            wanted = {k: v for k, v in row.values.items() if k not in ("building", "code")}
            unit_id = self.record(UNITS, row, "unit", self.state.units.get((building_code, code)),
                                  wanted, {"code": code, "building_id": building_id})
            if unit_id:
                self.unit_ids[(building_code, code)] = (unit_id, building_id)

    def unit_of(self, sheet: Sheet, row: Row) -> tuple[str, str] | None:
        key = (row.values["building"], row.values["unit"])
        found = self.unit_ids.get(key)
        if found is None and (self.refused(UNITS, *key) or self.refused(BUILDINGS, key[0])):
            return None
        if found is None:
            if key[0] not in self.building_ids:
                self.error(sheet, row.number, "楼栋编号", key[0], "楼栋不存在")
            else:
                self.error(sheet, row.number, "房号", key[1], "房号不存在：请先在“房屋”表中填写")
        return found

    def meter_rows(self, raw: RawSheet) -> None:
        """表具: a meter found again by its building and serial; a household meter names its
        unit, a public one none. Its unit and kind are fixed once it exists."""
        for row in self.rows(raw):
            building_code, serial = row.values["building"], row.values["serial"]
            building_id = self.building_ids.get(building_code)
            if building_id is None:
                if not self.refused(BUILDINGS, building_code):
                    self.error(METERS, row.number, "楼栋编号", building_code, "楼栋不存在：请先在“楼栋”表中填写")
                continue
            unit_code = row.values.get("unit")
            unit_id = None
            if unit_code:
                found = self.unit_ids.get((building_code, unit_code))
                if found is None:
                    self.error(METERS, row.number, "房号", unit_code, "房号不存在：请先在“房屋”表中填写")
                    continue
                unit_id = found[0]
            if (row.values["use"] == "household") != (unit_id is not None):
                self.error(METERS, row.number, "房号", unit_code or "", "分户表须填写房号，公共表不填房号")
                continue
            wanted = {k: v for k, v in row.values.items() if k not in ("building", "serial", "unit", "kind")}
            self.record(METERS, row, "meter", self.state.meters.get((building_code, serial)), wanted,
                        {"serial": serial, "building_id": building_id, "unit_id": unit_id, "kind": row.values["kind"]})

    def households(self, raw: RawSheet) -> None:
        for row in self.rows(raw):
            found = self.unit_of(HOUSEHOLDS, row)
            if found is None:
                continue
            unit_id = found[0]
            wanted = {k: v for k, v in row.values.items() if k not in ("building", "unit")}
            if "owner_phone" in wanted and not wanted["owner_phone"]:
                self.warn(HOUSEHOLDS, row.number, "业主电话", "", "业户没有联系电话")
            current = self.state.households.get(unit_id)
            if current is not None and _new_owner(row, current, wanted):
                self.transfer(row, current, wanted)
                continue
            self.record(HOUSEHOLDS, row, "household", current, wanted, {"unit_id": unit_id})

    def transfer(self, row: Row, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        """过户: the ledger names another owner for the unit. The current household ends
        today and the unit's next one starts from the row; the former stays in the archive."""
        today = datetime.now(self.tz).date().isoformat()
        fields = {**_defaults("household", wanted), "unit_id": current["unit_id"]}
        fields["move_in_date"] = fields.get("move_in_date") or today
        new_id = next_household_id(str(current["id"]))
        if not self.valid(HOUSEHOLDS, row, "household", {"id": new_id, **fields}):
            return
        self.mutations.append(Update(seq=0, collection="household", id=current["id"],
                                     base_version=int(current["version"]),
                                     base={"ended_on": None, "end_reason": None},
                                     changes={"ended_on": today, "end_reason": "transfer"}))
        self.mutations.append(Create(seq=0, collection="household", id=new_id, fields=fields))
        self.counts.setdefault(HOUSEHOLDS.name, Counts()).changed += 1
        self.warn(HOUSEHOLDS, row.number, "业主姓名", wanted["owner_name"],
                  f"业主由“{current['owner_name']}”变为“{wanted['owner_name']}”：按过户处理，原业户档案保留")

    def staff_rows(self, raw: RawSheet) -> None:
        counts = self.counts.setdefault(STAFF.name, Counts())
        estate = self.state.estate_id
        for row in self.rows(raw):
            values = row.values
            username = canonical_username(values["username"])  # case-insensitive, like logins
            if not re.fullmatch(USERNAME, username):
                self.error(STAFF, row.number, "用户名", username, "用户名只能用字母、数字和 _ . -（2–50位）")
                continue
            existing = self.state.users.get(username)
            if existing is not None and existing["estates"] and estate not in existing["estates"]:
                self.error(STAFF, row.number, "用户名", username, "用户名已被其他项目使用")
                continue
            steward = by_building(values["role"])
            codes = values.get("buildings", [])
            unknown = [c for c in codes if c not in self.building_ids and not self.refused(BUILDINGS, c)]
            if unknown:
                self.error(STAFF, row.number, "负责楼栋", "、".join(unknown), "楼栋不存在")
                continue
            if codes and not steward:
                self.warn(STAFF, row.number, "负责楼栋", "、".join(codes), "只有管家有负责楼栋，已忽略")
            buildings = [self.building_ids[c] for c in codes if c in self.building_ids] if steward and "buildings" in values else None
            write = StaffWrite(
                user_id=existing["id"] if existing else uuid7(), new=existing is None, username=username,
                display_name=values["display_name"], role=values["role"],
                phone=values.get("phone", existing["phone"] if existing else None),
                building_ids=buildings, office=not steward)
            if existing is None:
                counts.new += 1
                self.warn(STAFF, row.number, "用户名", username, "新账号：管理员设置密码后才能登录")
            elif _staff_same(write, existing, estate):
                counts.unchanged += 1
                continue
            else:
                counts.changed += 1
            self.staff.append(write)

    def bill_rows(self, raw: RawSheet) -> None:
        counts = self.counts.setdefault(BILLS.name, Counts())
        seen: dict[tuple[str, str, str], int] = {}
        for row in self.rows(raw):
            found = self.unit_of(BILLS, row)
            if found is None:
                continue
            unit_id, building_id = found
            values = row.values
            due, paid = values["amount_due"], values.get("amount_paid") or 0.0
            paid_on = values.get("paid_on")
            if paid > due:
                self.warn(BILLS, row.number, "实收金额", paid, "实收大于应收")
            if paid and not paid_on:
                self.warn(BILLS, row.number, "缴费日期", "", "已缴费但没有缴费日期")
            item = values.get("item") or DEFAULT_FEE_ITEM
            if (unit_id, values["month"], item) in seen:  # an empty 收费项目 is 物业费 too
                self.error(BILLS, row.number, "收费项目", item, f"与第{seen[(unit_id, values['month'], item)]}行重复")
                continue
            seen[(unit_id, values["month"], item)] = row.number
            existing = self.state.bills.get((unit_id, values["month"], item))
            paid_at = iso(datetime.combine(date.fromisoformat(paid_on), time(0), self.tz)) if paid_on else None
            if existing is not None:
                same_day = (existing["paid_at"] and paid_on
                            and parse_iso(existing["paid_at"]).astimezone(self.tz).date().isoformat() == paid_on)
                if (existing["amount_due"] == due and existing["amount_paid"] == paid
                        and (same_day or (not existing["paid_at"] and not paid_on))):
                    counts.unchanged += 1
                    continue
                if same_day:
                    paid_at = existing["paid_at"]  # the day is the ledger's; the moment stays
            if existing is None:
                counts.new += 1
            else:
                counts.changed += 1
            self.bills.append(BillWrite(id=existing["id"] if existing else None, unit_id=unit_id,
                                        building_id=building_id, month=values["month"], item=item,
                                        amount_due=due, amount_paid=paid, paid_at=paid_at))


def _new_owner(row: Row, current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether the row names another owner than the unit's current household (and not
    merely the owner as exported, before a change of owner made at the desk since)."""
    owner = wanted.get("owner_name")
    if owner is None or owner == current["owner_name"]:
        return False
    exported = (row.base or {}).get("f", {}).get("owner_name")
    return exported is None or exported != owner


def make_plan(book: RawBook, state: State, *, tz: ZoneInfo) -> Plan:
    """Read every sheet of ``book`` against ``state``: nothing is written here."""
    planner = Planner(state=state, tz=tz)
    handlers: dict[str, Callable[[RawSheet], None]] = {
        BUILDINGS.name: planner.buildings, UNITS.name: planner.units, HOUSEHOLDS.name: planner.households,
        STAFF.name: planner.staff_rows, BILLS.name: planner.bill_rows, METERS.name: planner.meter_rows,
    }
    for name in book.ignored:
        planner.warnings.append(Problem(sheet=name, row=0, column="", value="",
                                        reason="不是台账的工作表，已忽略"))
    for raw in sorted(book.sheets, key=lambda r: SHEETS.index(r.sheet)):
        planner.counts.setdefault(raw.sheet.name, Counts())
        handlers[raw.sheet.name](raw)
    if not book.sheets:
        planner.errors.append(Problem(sheet="", row=0, column="", value="",
                                      reason=f"没有可导入的工作表（应为：{'、'.join(s.name for s in SHEETS)}）"))
    return Plan(estate_id=state.estate_id, counts=planner.counts, errors=planner.errors,
                warnings=planner.warnings, mutations=planner.mutations, staff=planner.staff,
                bills=planner.bills)


def _base_of(cell: Any) -> dict[str, Any] | None:
    try:
        base = json.loads(str(cell))
    except ValueError:
        return None
    if not isinstance(base, dict) or not isinstance(base.get("f"), dict):
        return None
    return base


@functools.cache
def _empty_values(collection: str) -> dict[str, Any]:
    """The value an empty cell gives a field that cannot be empty (its default)."""
    out: dict[str, Any] = {}
    for info in msgspec.structs.fields(RECORDS[collection]):
        if info.default_factory is not msgspec.NODEFAULT:
            out[info.name] = info.default_factory
        elif info.default not in (None, msgspec.NODEFAULT):
            out[info.name] = info.default
    return out


def _defaults(collection: str, wanted: dict[str, Any]) -> dict[str, Any]:
    """``wanted`` with empty cells of fields that cannot be empty at their default (lifts
    0, residence 未知, no co-residents…)."""
    empty = _empty_values(collection)
    out = dict(wanted)
    for name, value in wanted.items():
        if value is None and name in empty:
            default = empty[name]
            out[name] = default() if callable(default) else default
    return out


def _staff_same(write: StaffWrite, existing: dict[str, Any], estate_id: str) -> bool:
    return (write.display_name == existing["display_name"] and write.role == existing["role"]
            and write.phone == existing["phone"]
            and (write.building_ids is None or set(write.building_ids) == existing["buildings_here"])
            and (not write.office or estate_id in existing["office_estates"]))
