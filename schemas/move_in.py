"""Move-in (入住), the handover inspection (验房) and the key register (钥匙登记).

Synced records as they travel between server and phone; each mirrors its Piccolo table in
``server/tables/move_in.py`` and is declared once in ``sync/specs/move_in.py``.
must-know-handbook 应会 2 (入住办理流程), 应知 13 (the archive's 验房表 and 工程质量维修单),
应知 17 (物业费), 应知 19 and 23 (keys of public areas and of undelivered units at the desk).
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schemas.base import Record
from schemas.limits import Count, Fen, Id, LongText, Short, Time
from schemas.vocab import Agreement, HandoverStatus, KeyKind, MoveInStep

RoomResults = dict[Short[32], dict[Short[32], Short[8]]]
"""验房单: room -> checklist item -> ok / defect / na."""


class MoveIn(Record, kw_only=True):
    """入住手续: one owner's move-in at the desk, step by step (``step`` follows the
    lifecycle in ``sync.specs.move_in``; a step out of order is refused)."""

    unit_id: Id
    household_id: Id | None = None  # the household the 业主信息表 filled (made at the desk)
    owner_name: Short[50]
    owner_phone: Short[30] | None = None
    owner_id_number: Short[30] | None = None  # 身份证号, checked against the original
    work_unit: Short[100] | None = None  # 工作单位
    family_structure: LongText | None = None
    step: MoveInStep = "identity_checked"
    agreements: Annotated[list[Agreement], Meta(max_length=3)] = []  # signed so far
    fee_fen: Fen | None = None  # a year's 物业费 (the estate's rate × area × 12)
    fee_receipt: Short[30] = ""  # 收据号 of the 物业财务处
    fee_paid_at: Time | None = None
    keys_handed: Count = 0  # 房产全部钥匙: how many handed over
    gifts_handed: bool = False
    manuals_handed: bool = False  # 《商品住宅使用说明书》《商品住宅质量保证书》
    handed_over_at: Time | None = None


class Handover(Record, kw_only=True):
    """验房 and 房屋交接书: the unit walked room by room with the owner (on the phone,
    offline); each defect is a warranty ticket (``ticket.kind == "warranty"``,
    ``source_handover_id``); the owner signs the handover (a signature attachment)."""

    move_in_id: Id
    unit_id: Id
    steward_id: Id
    rooms: Annotated[RoomResults, Meta(max_length=20)] = {}
    keys_counted: Count | None = None
    status: HandoverStatus = "open"
    owner_signed: bool = False
    signed_at: Time | None = None
    notes: LongText = ""


class EstateKey(Record, kw_only=True):
    """钥匙: a key kept by the office (a public area's, or a vacant or undelivered unit's)."""

    kind: KeyKind
    label: Short[50]  # 水泵房钥匙, 3-1-0502 进户门
    unit_id: Id | None = None
    place: Short[50] = ""  # 存放处: 客服前台
    keeper: Short[50] = ""  # 保管人
    copies: Count = 1
    holder: Short[50] = ""  # who has it now ("": in its place), kept with each loan
    out_since: Time | None = None


class KeyLoan(Record, kw_only=True):
    """One signing-out of a key (借出) and its return (归还)."""

    key_id: Id
    borrower: Short[50]
    reason: Short[200]
    out_at: Time
    back_at: Time | None = None
    notes: Short[200] = ""
