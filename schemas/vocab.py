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
# 业主类别: media, government and the group's own staff are the key customers 应会 1.3 names
OwnerClass = Literal["ordinary", "committee", "vip", "media", "government", "group_staff"]
# 客户类型 by tenure (应知 5): 新客户 < ½ year, 磨合期 ½–1½, 稳定期 1½–2½, 老客户 beyond
CustomerClass = Literal["new", "settling", "stable", "old"]
# why a household is on a steward's monthly visit plan (拜访计划, 应会 1.4)
PlanReason = Literal["new_owner", "incomplete_record", "low_rating", "key_customer", "complaint_follow_up"]

TicketKind = Literal["repair", "complaint", "inquiry", "patrol_finding", "vacant_defect",
                     "warranty"]  # warranty: 工程质量维修单, a defect found at the handover (验房)
TicketPriority = Literal["urgent", "high", "normal", "low"]
# The lifecycle, in order: 已受理 → 已派单 → 处理中 → 已完工 → 已回访 → 已关闭
TicketStatus = Literal["received", "dispatched", "in_progress", "done", "called_back", "closed"]
TicketChannel = Literal["phone", "walk_in", "patrol", "vacant_check", "visit", "app", "handover"]
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

# 入住办理流程 (应会 2): the steps of a move-in at the desk, in the handbook's order: identity
# checked and the 业主信息表 filled → the agreements signed → a year's fee paid → (验房 on the
# phone, the handover signed) → keys, gifts and manuals handed over
MoveInStep = Literal["identity_checked", "agreements_signed", "fee_paid", "handed_over"]
Agreement = Literal[
    "covenant",  # 临时管理规约
    "service",  # 前期物业管理服务协议
    "renovation",  # 装修管理协议
]
HandoverStatus = Literal["open", "signed"]  # 验房中 / 已签交接书
# the rooms of each unit type walked at the handover (验房), in walking order
RoomsYangfang = Literal["entrance", "living", "dining", "kitchen", "bedroom_1", "bedroom_2", "bedroom_3",
                        "bathroom_1", "bathroom_2", "balcony"]
RoomsDiejia = Literal["entrance", "living", "dining", "kitchen", "bedroom_1", "bedroom_2", "bedroom_3",
                      "bathroom_1", "bathroom_2", "balcony", "terrace", "stairs"]
RoomsLianpai = Literal["entrance", "living", "dining", "kitchen", "bedroom_1", "bedroom_2", "bedroom_3",
                       "bedroom_4", "bathroom_1", "bathroom_2", "bathroom_3", "stairs", "garden", "basement"]
# what is checked in every room (验房单)
HandoverItem = Literal["walls_ceiling", "floor", "doors_windows", "water_drain", "power_lighting", "fixtures"]
# 应知 19 / 23: keys kept at the desk: public areas' (公共区域) and vacant or undelivered units'
KeyKind = Literal["public", "unit"]

ConflictKind = Literal["field", "status", "edit_deleted", "delete_edited", "create_exists"]
ConflictStatus = Literal["open", "kept", "reversed"]
# 装修办理流程 (应会 3), in order: 申报 → 审批 → 缴费 → 打压/闭水试验（业主签字）→ 两天后领许可证、
# 办出入证（施工）→ 完工 → 七天内初验 → 退场、退证退押金 → 三个月后复验 → 退装修保证金
RenovationStep = Literal[
    "applied", "approved", "fees_paid", "tested", "permitted", "completed", "first_passed",
    "passes_returned", "second_passed", "refunded",
]
# what an inspection of a renovation is: the owner-signed pressure/water-closure test, a
# patrol's look at the works, the first inspection (初验) or the second (复验)
RenovationInspectionKind = Literal["test", "patrol", "first", "second"]
# what a patrol looks at (应会 3, 装修管理协议): structure, façade, fire safety, working hours, rubbish
RenovationCheck = Literal["structure", "facade", "fire", "hours", "rubbish"]
# the papers of a case (应知 13 装修资料)
RenovationPaper = Literal["agreement", "application", "fire_pledge", "test_form", "notice"]
NoticeResult = Literal["rectified", "not_rectified"]


def codes(literal: object) -> tuple[str, ...]:
    """The codes of a Literal vocabulary, in declaration order."""
    return tuple(get_args(literal))


TICKET_STATUSES: tuple[str, ...] = codes(TicketStatus)

# 抄表 (meter reading, schemas/meters.py)
MeterKind = Literal["water", "electricity"]  # 水表 / 电表
MeterUse = Literal["household", "public"]  # 分户表 / 公共表 (lifts, corridor lighting, pumps)
ReadingFlag = Literal["replaced", "rolled_over", "confirmed_high"]  # 换表 / 表满归零 / 确认偏高
ReadingSource = Literal["round", "vacant_check"]  # 抄表 round / 空置房巡检
ReadingReview = Literal["accepted", "reread"]  # 复核: accepted, or sent back for a re-read
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
