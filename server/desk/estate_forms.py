"""The estate-structure forms of the desk (``server/desk/estate_structure.py``): what each
form may hold, read into typed Structs with a refusal that names the field in the reader's
language, and a clerk's edit turned into the base values and changes the merge needs."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, TypeVar

import msgspec

from schemas.limits import Short, Text
from schemas.estate import HouseholdEnd
from schemas.vocab import Occupancy, OwnerClass, Residence, UnitType
from server.desk import forms
from server.desk.common import DeskRequest
from server.errors import ApiError

Code20 = Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[^\s<>\"'&]+$")]
Code30 = Annotated[str, msgspec.Meta(min_length=1, max_length=30, pattern=r"^[^\s<>\"'&]+$")]
Name = Annotated[Short[50], msgspec.Meta(min_length=1)]
Phone = Annotated[str, msgspec.Meta(max_length=30, pattern=r"^\+?[0-9][0-9 \-]{4,28}$")]
IdNumber = Annotated[str, msgspec.Meta(max_length=30, pattern=r"^[0-9A-Za-z]{6,30}$")]
Day = Annotated[str, msgspec.Meta(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")]
FreeText = Text[4000]


class BuildingForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: Code20
    name: Name
    floors: Annotated[int, msgspec.Meta(ge=1, le=200)]
    lifts: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0


class NewBuildingForm(BuildingForm, kw_only=True):
    estate_id: Annotated[str, msgspec.Meta(max_length=36)] | None = None


class UnitForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    floor: Annotated[int, msgspec.Meta(ge=0, le=200)]
    unit_type: UnitType
    area_m2: Annotated[float, msgspec.Meta(gt=0, le=100_000)]


class NewUnitForm(UnitForm, kw_only=True):
    code: Code30
    occupancy: Occupancy = "vacant"


class OccupancyForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    version: int
    base_occupancy: Occupancy
    occupancy: Occupancy


class HouseholdForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the desk writes of a household (the steward's knowledge, co-residents and the
    familiarity mark stay the phone's)."""

    owner_name: Name
    owner_phone: Phone | None = None
    owner_id_number: IdNumber | None = None
    residence: Residence = "unknown"
    tenant_name: Name | None = None
    tenant_phone: Phone | None = None
    family_structure: FreeText | None = None
    special_needs: FreeText | None = None
    emergency_contact_name: Name | None = None
    emergency_contact_phone: Phone | None = None
    opinions: FreeText | None = None
    notes: FreeText | None = None
    owner_class: OwnerClass = "ordinary"
    key_customer_reason: Short[200] | None = None
    spouse_name: Name | None = None
    owner_age: Annotated[int, msgspec.Meta(ge=0, le=150)] | None = None
    education: Short[30] | None = None
    hometown: Short[50] | None = None
    employer: Short[100] | None = None
    work_address: Short[200] | None = None
    family_size: Annotated[int, msgspec.Meta(ge=0, le=50)] | None = None
    move_in_date: Day | None = None
    co_residents: Text[2000] | None = None  # a line a person


class ChangeForm(HouseholdForm, kw_only=True):
    """过户 (a new owner) or 租户变更 (a tenant comes or goes): the new household, and the day
    the current one ends."""

    kind: HouseholdEnd
    version: int
    ended_on: Day


class Versioned(msgspec.Struct, kw_only=True):
    """The version of the record the form showed."""

    version: int


HOUSEHOLD_EDITABLE = tuple(f.name for f in msgspec.structs.fields(HouseholdForm))

# --- reading forms, with a refusal that names the field in the reader's language ----------


T = TypeVar("T")


def convert(values: dict[str, Any], kind: type[T], *, bases: bool = False) -> T:
    """The form as ``kind``; the ``base_<field>`` twins are left out unless ``bases``."""
    return forms.convert({k: v for k, v in values.items() if bases or not k.startswith("base_")}, kind)


async def form_values(request: DeskRequest) -> dict[str, Any]:
    form = await request.form()
    return {k: form.get(k) for k in form.keys()}


def parse_day(value: str, field: str) -> date:
    """A form's date, refused by its field's name when the calendar has no such day (2026-02-30)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        zh, en = forms.label(field)
        raise ApiError(422, "invalid_date", f"“{zh}”不是有效日期 / {en}: not a real date", {"field": field}) from None


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return co_residents_text(value)
    return "" if value is None else str(value)


MAX_CO_RESIDENTS = 20  # schemas.estate.Household.co_residents


def co_residents_text(people: list[dict[str, Any]] | None) -> str:
    """The co-residents as the form shows them: a line a person, "name relation age phone"."""
    return "\n".join(" ".join(str(p[k]) for k in ("name", "relation", "age", "phone") if p.get(k) not in (None, ""))
                     for p in people or [])


def co_residents_of(text: str | None) -> list[dict[str, Any]]:
    """The co-residents typed in the form (a line a person: a name, then in any order a
    relation, an age, a phone); refused by line when a line cannot be one person."""
    people: list[dict[str, Any]] = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_CO_RESIDENTS:
        raise ApiError(422, "too_many_co_residents", f"同住人最多 {MAX_CO_RESIDENTS} 人 / at most "
                       f"{MAX_CO_RESIDENTS} co-residents", {"field": "co_residents"})
    for number, line in enumerate(lines, start=1):
        name, *rest = re.split(r"[\s,，、]+", line)
        person: dict[str, Any] = {"name": name[:50], "relation": None, "age": None, "phone": None}
        for token in rest:
            if re.fullmatch(r"\d{1,3}", token) and person["age"] is None:
                person["age"] = int(token)
            elif re.fullmatch(r"\+?\d[\d\-]{4,28}", token) and person["phone"] is None:
                person["phone"] = token
            elif person["relation"] is None and len(token) <= 20:
                person["relation"] = token
            else:
                raise ApiError(422, "invalid_co_resident", f"同住人第 {number} 行看不懂：应为“姓名 关系 年龄 电话” / "
                               f"co-residents line {number}: write \"name relation age phone\"",
                               {"field": "co_residents", "line": number})
        people.append({k: v for k, v in person.items() if v is not None})
    return people


def edit(current: dict[str, Any], values: dict[str, Any], wanted: dict[str, Any],
         fields: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(base, changes)`` of a clerk's edit: the fields changed from what the form showed
    (``base_<field>``); the base is the value the clerk edited from, so a field changed by
    someone else since is merged as a concurrent edit, never overwritten silently."""
    base: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    for field in fields:
        shown = values.get(f"base_{field}")
        shown = "" if shown is None else str(shown).replace("\r\n", "\n").strip()
        new = wanted.get(field)
        if _shown(new) == shown:
            continue
        changes[field] = new
        base[field] = current.get(field) if _shown(current.get(field)) == shown else (shown or None)
    return base, changes
