"""Closed vocabularies of the domain (codes only; labels live in the UI's message catalogues).

Every code here is what travels on the wire and what the database stores.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["steward", "desk", "manager", "admin", "company", "engineer"]
# 工程部's teams (班组): who repairs what (``sync.dispatch.TEAM_OF_SYSTEM``)
EngineerTeam = Literal[
    "water_power",  # 水电班（给排水、强电、照明、燃气）
    "civil",  # 土建（墙面、地面、防水、门窗）
    "lift",  # 电梯维保
    "low_voltage",  # 弱电/消防（监控、门禁、对讲、消防）
]
UnitType = Literal["yangfang", "diejia", "lianpai"]  # 洋房 / 叠加 / 联排
Occupancy = Literal["occupied", "vacant", "renovating"]
Residence = Literal["self_occupied", "rented", "unknown"]

TicketKind = Literal["repair", "complaint", "inquiry", "patrol_finding", "vacant_defect"]
TicketPriority = Literal["urgent", "high", "normal", "low"]
# The lifecycle, in order: 已受理 → 已派单 → 处理中 → 已完工 → 已回访 → 已关闭
TicketStatus = Literal["received", "dispatched", "in_progress", "done", "called_back", "closed"]
TicketChannel = Literal["phone", "walk_in", "patrol", "vacant_check", "visit", "app"]
# 日常报修处理规程 2: the system (维修系统) a repair is about, in the words of the office and
# its repair teams (水电班, 土建, 电梯维保; seeds: 水管, 电路, 照明, 监控, 门窗, 消防, 燃气)
TicketSystem = Literal[
    "water",  # 给排水（水管、下水）
    "power",  # 强电（供电、电路）
    "lighting",  # 照明
    "low_voltage",  # 弱电（监控、门禁、对讲）
    "lift",  # 电梯
    "fire",  # 消防
    "civil",  # 土建（墙面、地面、防水）
    "doors_windows",  # 门窗
    "gas",  # 燃气
    "other",  # 其他
]
# must-know-handbook 应会 10 处理无效投诉流程: the six categories, in the handbook's order;
# each one's prescribed handling is in the catalogue (invalid_complaint.<code>.handling)
InvalidComplaint = Literal[
    "developer_legacy",  # 开发商遗留问题（超出报修范围的工程质量、销售时的承诺、产证）
    "outside_contract",  # 超出物业服务合同范围，物业公司没有能力完成的
    "neighbour_renovation",  # 因自家装修不遵守装修管理规定，给邻里造成损失的
    "utility_fault",  # 业主与自来水、燃气、电力等关联部门的投诉与纠纷
    "against_common_interest",  # 违背及损坏广大业主利益的投诉
    "personal_loss",  # 园区个人人身及财产被损及丢失的
]
# 有偿特约服务 (应知 18): which price of the list the owner is charged, and how they paid
PaidPrice = Literal["member", "market"]  # 客户优惠价 / 市场价
PaymentMethod = Literal["cash", "wechat", "alipay", "bank_card"]
TicketEventType = Literal[
    "created", "status", "assigned", "note", "callback", "sign_off", "promised_date",
    "escalated", "merged_edit", "conflict",
    "validity",  # a complaint marked invalid (body: its category) or valid again (body "")
    "callback_attempt",  # a callback that reached no one (body: what was tried); stays 已完工
    "arrived",  # 到场: the engineer is at the place of the repair
    "paid_service",  # the paid service recorded or changed (body: item, quantity, amount)
]

FindingKind = Literal[
    "safety_hazard",  # 安全隐患
    "staff_off_post",  # 脱岗、窜岗、聚堆
    "public_damage",  # 公共区域损坏
    "tool_damage",  # 工具损坏
    "parking",  # 乱停乱放
    "release_slip",  # 放行条未执行
    "other",
]
REPORTED_FINDINGS: tuple[str, ...] = ("staff_off_post", "release_slip")
"""Finding kinds reported upward to the supervisor (必知必会手册: 发现操作层员工脱岗、窜岗及聚堆
及时上报相关主管处理; 发现不认真执行放行条制度及时上报): the desk's supervisor list."""
PATROL_ROUNDS_PER_DAY = 2
"""Rounds a day each building gets (V 公司手册: 每天详细巡查辖区楼宇二遍)."""
PatrolArea = Literal[
    "greening", "cleaning", "order", "building", "fire", "lift", "lighting", "doors", "garage",
]
Severity = Literal["low", "medium", "high", "critical"]
RoundStatus = Literal["open", "ended"]

CheckResult = Literal["ok", "defect", "na"]
VACANT_CHECKLIST: tuple[str, ...] = (
    "doors_windows", "leaks", "power", "smells", "pests", "cleanliness",
)

VisitPurpose = Literal["routine", "complaint_callback", "repair_callback", "fee_reminder"]
VisitStatus = Literal["planned", "done", "missed"]
AttachmentKind = Literal["photo", "signature"]
AttachmentMime = Literal["image/jpeg", "image/png", "image/webp"]

ConflictKind = Literal["field", "status", "edit_deleted", "delete_edited", "create_exists"]
ConflictStatus = Literal["open", "kept", "reversed"]


def codes(literal: object) -> tuple[str, ...]:
    """The codes of a Literal vocabulary, in declaration order."""
    return tuple(get_args(literal))


TICKET_STATUSES: tuple[str, ...] = codes(TicketStatus)

# --- fee reminders (催缴, 应会 7) ------------------------------------------------------------
FeeItem = Literal["property", "parking", "water_power", "other"]
"""收费项目: 物业费, 车位费, 水电费, 其他 (the ledger's 账单 sheet names them in Chinese)."""
FeeStage = Literal["not_due", "listed", "phone", "second_notice", "third_notice"]
"""Where a unit's arrears stand in the month's calendar (应会 7): not yet due (this month's
bill), on the list (by the 5th), phone reminders (6–15), second notice (16–20), third notice
with the late fee and door-to-door (from the 21st); days are the estate's settings."""
FeeContactKind = Literal["call", "notice", "visit"]
FeeNotice = Literal["second", "third"]
FeeReason = Literal["forgot", "away", "hardship", "quality_dispute", "service_dispute", "refuses", "other"]
"""Why an owner has not paid, as the steward notes it (a dispute can raise a ticket)."""
