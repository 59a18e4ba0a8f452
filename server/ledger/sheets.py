"""The ledger's sheets (业户台账): one per kind of row, with the Chinese column headers an
office's Excel has, what each column takes, and the natural key that finds the row again.

The template, the estate export and the import all read these declarations: a column
added here is written, exported and imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.ledger.cells import (
    YES_NO,
    Amount,
    Codes,
    Count,
    Day,
    IdNumber,
    Kind,
    Month,
    People,
    Phone,
    Words,
)

UNIT_TYPES = Words(words={"洋房": "yangfang", "叠加": "diejia", "联排": "lianpai"})
OCCUPANCY = Words(words={"已入住": "occupied", "空置": "vacant", "装修中": "renovating"})
RESIDENCE = Words(words={"自住": "self_occupied", "出租": "rented", "未知": "unknown"})
OWNER_CLASS = Words(words={"普通业主": "ordinary", "业委会成员": "committee", "重点业主": "vip", "媒体": "media",
                           "政府": "government", "集团内部员工": "group_staff"})
ROLES = Words(words={"管家": "steward", "前台": "desk", "客服经理": "manager", "管理员": "admin"})
METER_KINDS = Words(words={"水表": "water", "电表": "electricity"})
METER_USES = Words(words={"分户表": "household", "公共表": "public"})
FEE_ITEMS = Words(words={"物业费": "property", "车位费": "parking", "水电费": "water_power", "其他": "other"})
DEFAULT_FEE_ITEM = "property"  # a bill whose 收费项目 is empty (older ledgers) is 物业费


@dataclass(frozen=True)
class Column:
    header: str  # as the clerk's Excel has it
    field: str  # the record's field ("" for a key column that names another row)
    kind: Kind = field(default_factory=Kind)
    required: bool = False
    example: object = None  # the template's example row


@dataclass(frozen=True)
class Sheet:
    name: str
    key: tuple[str, ...]  # headers that find the row again
    columns: tuple[Column, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


BUILDING_CODE = Column("楼栋编号", "building", Kind(20), required=True, example="1栋")
UNIT_CODE = Column("房号", "unit", Kind(30), required=True, example="1-1-0101")

BUILDINGS = Sheet("楼栋", key=("楼栋编号",), columns=(
    Column("楼栋编号", "code", Kind(20), required=True, example="1栋"),
    Column("楼栋名称", "name", Kind(50), required=True, example="1号楼"),
    Column("楼层数", "floors", Count(most=200), required=True, example=11),
    Column("电梯数", "lifts", Count(most=50), example=1),
))

UNITS = Sheet("房屋", key=("楼栋编号", "房号"), columns=(
    BUILDING_CODE,
    Column("房号", "code", Kind(30), required=True, example="1-1-0101"),
    Column("楼层", "floor", Count(most=200), required=True, example=1),
    Column("户型", "unit_type", UNIT_TYPES, required=True, example="洋房"),
    Column("建筑面积(㎡)", "area_m2", Amount(unit="㎡"), required=True, example=128.5),
    Column("入住状态", "occupancy", OCCUPANCY, required=True, example="已入住"),
))

HOUSEHOLDS = Sheet("业户", key=("楼栋编号", "房号"), columns=(
    BUILDING_CODE,
    UNIT_CODE,
    Column("业主姓名", "owner_name", Kind(50), required=True, example="张伟"),
    Column("业主电话", "owner_phone", Phone(), example="13812345678"),
    Column("身份证号", "owner_id_number", IdNumber(), example="330106198001011234"),
    Column("同住人", "co_residents", People(), example="王芳(配偶,42,13912345678)；张小明(子女,12)"),
    Column("家庭结构", "family_structure", Kind(2000), example="三口之家"),
    Column("自住/出租", "residence", RESIDENCE, example="自住"),
    Column("租户姓名", "tenant_name", Kind(50)),
    Column("租户电话", "tenant_phone", Phone()),
    Column("入住日期", "move_in_date", Day(), example="2020-05-01"),
    Column("特殊需求", "special_needs", Kind(2000), example="独居老人，需定期探访"),
    Column("紧急联系人", "emergency_contact_name", Kind(50), example="张小华"),
    Column("紧急联系人电话", "emergency_contact_phone", Phone(), example="13712345678"),
    Column("业主意见和建议", "opinions", Kind(2000)),
    Column("备注", "notes", Kind(2000)),
    Column("业主类别", "owner_class", OWNER_CLASS, example="普通业主"),
    Column("重点客户原因", "key_customer_reason", Kind(200)),
    Column("爱人姓名", "spouse_name", Kind(50), example="王芳"),
    Column("年龄", "owner_age", Count(most=150), example=45),
    Column("学历", "education", Kind(30), example="本科"),
    Column("籍贯", "hometown", Kind(50), example="河南洛阳"),
    Column("工作单位", "employer", Kind(100), example="示范市实验中学"),
    Column("工作地址", "work_address", Kind(200)),
    Column("家庭人口", "family_size", Count(most=50), example=3),
    Column("业主熟知", "known_by_steward", YES_NO, example="否"),
))

STAFF = Sheet("员工", key=("用户名",), columns=(
    Column("用户名", "username", Kind(50), required=True, example="wangguanjia"),
    Column("姓名", "display_name", Kind(50), required=True, example="王管家"),
    Column("角色", "role", ROLES, required=True, example="管家"),
    Column("电话", "phone", Phone(), example="13600001111"),
    Column("负责楼栋", "buildings", Codes(), example="1栋、2栋"),
))

BILLS = Sheet("账单", key=("楼栋编号", "房号", "月份", "收费项目"), columns=(
    BUILDING_CODE,
    UNIT_CODE,
    Column("月份", "month", Month(), required=True, example="2026-11"),
    Column("应收金额", "amount_due", Amount(unit="元"), required=True, example=386.4),
    Column("实收金额", "amount_paid", Amount(unit="元"), example=0),
    Column("缴费日期", "paid_on", Day()),
    Column("收费项目", "item", FEE_ITEMS, example="物业费"),  # last: ledgers made before it still read
))

METERS = Sheet("表具", key=("楼栋编号", "表号"), columns=(
    BUILDING_CODE,
    Column("表号", "serial", Kind(40), required=True, example="S-1-1-0101"),
    Column("房号", "unit", Kind(30), example="1-1-0101"),  # empty: the building's public meter
    Column("表类", "kind", METER_KINDS, required=True, example="水表"),
    Column("类别", "use", METER_USES, required=True, example="分户表"),
    Column("楼层", "floor", Count(most=200), example=1),
    Column("位置", "place", Kind(50), example="1单元水井"),
    Column("抄表顺序", "walk_order", Count(most=100000), example=1),
))

SHEETS: tuple[Sheet, ...] = (BUILDINGS, UNITS, HOUSEHOLDS, STAFF, BILLS, METERS)
"""In the order they are read and applied (a unit names its building, a household its unit)."""

BY_NAME = {s.name: s for s in SHEETS}

BASE_HEADER = "基准"
"""A hidden last column of an exported sheet: each row's record version and values as
exported, so that a field a steward changed since is merged, not overwritten."""
