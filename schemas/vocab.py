"""Closed vocabularies of the domain (codes only; labels live in the UI's message catalogues).

Every code here is what travels on the wire and what the database stores.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["steward", "desk", "manager", "admin", "company"]
UnitType = Literal["yangfang", "diejia", "lianpai"]  # 洋房 / 叠加 / 联排
Occupancy = Literal["occupied", "vacant", "renovating"]
Residence = Literal["self_occupied", "rented", "unknown"]

TicketKind = Literal["repair", "complaint", "inquiry", "patrol_finding", "vacant_defect"]
TicketPriority = Literal["urgent", "high", "normal", "low"]
# The lifecycle, in order: 已受理 → 已派单 → 处理中 → 已完工 → 已回访 → 已关闭
TicketStatus = Literal["received", "dispatched", "in_progress", "done", "called_back", "closed"]
TicketChannel = Literal["phone", "walk_in", "patrol", "vacant_check", "visit", "app"]
InvalidComplaint = Literal[
    "developer_legacy",  # 开发商遗留问题
    "outside_contract",  # 超出服务合同范围
    "neighbour_renovation",  # 邻居装修引起
    "utility_fault",  # 市政/公用事业故障
    "against_common_interest",  # 违背公共利益
    "personal_loss",  # 小区内个人财物损失
]
TicketEventType = Literal[
    "created", "status", "assigned", "note", "callback", "sign_off", "promised_date",
    "escalated", "merged_edit", "conflict",
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
