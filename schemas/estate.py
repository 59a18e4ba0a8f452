"""The estate's structure and its archive: buildings (楼栋), units (户), households (业户档案).

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/estate.py`` and is declared once in ``sync/specs/estate.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from schemas.base import Record
from schemas.limits import Count, Day, Id, LongText, Measure, Short
from schemas.vocab import Occupancy, OwnerClass, Residence, UnitType


class Building(Record, kw_only=True):
    """楼栋. ``building_id`` equals ``id`` so that scope filtering is uniform; its
    ``estate_id`` is given when it is created."""

    code: Short[20]  # e.g. "3栋"
    name: Short[50]
    floors: Count
    lifts: Count = 0


class Unit(Record, kw_only=True):
    """户/单元: a dwelling. Occupancy is the only field the field staff change."""

    code: Short[30]  # e.g. "3-1-0502"
    floor: Count
    unit_type: UnitType
    area_m2: Measure
    occupancy: Occupancy


CoResident = dict[Short[20], Short[100] | int | None]
"""One person living with the household: ``{"name", "relation", "age", "phone"}``."""

HouseholdEnd = Literal["transfer", "tenancy"]
"""Why a household's record ended: 过户 (the unit changed owner) or 租户变更 (a tenant came or
left). The unit then has a new household record; the ended one stays, with its history."""


class Household(Record, kw_only=True):
    """业户档案: the household archive of one unit. Personal fields are filtered by role.

    A unit has at most one *current* household (``ended_on`` empty); a change of owner
    (过户) or tenant ends it (``ended_on``, ``end_reason``) and starts a new one, so the
    former household and everything that points at it (visits, photos) stay in the archive.
    """

    unit_id: Id
    owner_name: Short[50]
    owner_phone: Short[30] | None = None
    owner_id_number: Short[30] | None = None  # 身份证号: desk and above only
    co_residents: Annotated[list[CoResident], Meta(max_length=20)] = []  # [{name, relation, age, phone}]
    family_structure: LongText | None = None  # 家庭结构, free text ("三口之家，老人同住")
    residence: Residence = "unknown"  # 自住 / 出租
    tenant_name: Short[50] | None = None
    tenant_phone: Short[30] | None = None
    special_needs: LongText | None = None  # 特殊需求, e.g. 独居老人
    emergency_contact_name: Short[50] | None = None
    emergency_contact_phone: Short[30] | None = None
    opinions: LongText | None = None  # 业主意见和建议
    notes: LongText | None = None
    owner_class: OwnerClass = "ordinary"  # 业主类别; media / government / group_staff: key customers (应会 1.3)
    key_customer_reason: Short[200] | None = None  # why a key customer is one (重点客户原因)
    # what a steward must know of the household (应知 6, issue 17)
    spouse_name: Short[50] | None = None  # 爱人姓名
    owner_age: Annotated[int, Meta(ge=0, le=150)] | None = None  # 年龄
    education: Short[30] | None = None  # 学历
    hometown: Short[50] | None = None  # 籍贯
    employer: Short[100] | None = None  # 工作单位
    work_address: Short[200] | None = None  # 工作地址
    family_size: Annotated[int, Meta(ge=0, le=50)] | None = None  # 家庭人口
    known_by_steward: bool = False  # 业主熟知
    move_in_date: Day | None = None
    ended_on: Day | None = None  # the day this household's record ended (过户, tenant change)
    end_reason: HouseholdEnd | None = None
