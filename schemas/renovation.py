"""Renovation supervision (装修管理, 应会 3 装修办理流程; workflow-center 职责 10).

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/renovation.py`` and is declared once in ``sync/specs/renovation.py``.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schemas.base import Record
from schemas.limits import Count, Day, Fen, Id, LongText, Measure, Sha256, Short, Time
from schemas.vocab import (
    CheckResult, NoticeResult, RenovationCheck, RenovationInspectionKind, RenovationPaper, RenovationStep,
    UnitType,
)


class Renovation(Record, kw_only=True):
    """装修: one unit's renovation case, from the application to the quality deposit's refund.

    The business days of the steps are days (``tested_on``…), set by who records the step
    (the phone's clock for the test and the inspections, the desk's day for the rest); the
    due days of the inspections are the server's (``sync.renovation``). Money is fen."""

    unit_id: Id
    household_id: Id | None = None
    status: RenovationStep = "applied"
    owner_name: Short[50] = ""
    contractor: Short[100] = ""
    contractor_phone: Short[30] = ""
    plan: LongText = ""  # the owner's plan and drawings, as the application describes them
    unit_type: UnitType  # the deposit's tier (洋房/叠加/联排), from the unit at the application
    area_m2: Measure = 0.0  # the rubbish fee's area
    papers: Annotated[list[RenovationPaper], Meta(max_length=10)] = []  # 装修资料 on file (only grows)
    applied_on: Day
    approved_on: Day | None = None
    fees_paid_on: Day | None = None
    tested_on: Day | None = None  # 打压/闭水试验, signed by the owner
    permit_on: Day | None = None  # 装修许可证: two days after the test at the earliest
    completed_on: Day | None = None
    first_on: Day | None = None  # 初验 passed
    passes_returned_on: Day | None = None
    second_on: Day | None = None  # 复验 passed
    refunded_on: Day | None = None
    # the phone's signed test, 初验 and 复验 (a step taken on the phone names its inspection)
    test_inspection_id: Id | None = None
    first_inspection_id: Id | None = None
    second_inspection_id: Id | None = None
    first_due: Day | None = None  # server: completion + 7 days
    second_due: Day | None = None  # server: 初验 + 3 months
    quality_deposit_fen: Fen = 0  # 装修质量保证金
    rubbish_fen: Fen = 0  # 垃圾清运费
    passes_issued: Count = 0  # 施工人员出入证
    pass_fee_fen: Fen = 0  # 出入证手续费, all passes
    pass_deposit_fen: Fen = 0  # 出入证押金, all passes
    passes_returned: Count = 0
    pass_deposit_refunded_fen: Fen = 0
    quality_deposit_refunded_fen: Fen = 0
    notes: LongText = ""


class RenovationInspection(Record, kw_only=True):
    """An inspection of a renovation case, made on the phone (create-only): the owner-signed
    test, a patrol's findings (with a rectification notice, 整改通知单, and its deadline,
    which the next inspection checks), or the first or second inspection with its checklist
    and the owner's signature. Photos hang under it as attachments."""

    renovation_id: Id
    kind: RenovationInspectionKind
    inspected_at: Time
    inspected_on: Day  # the phone's day
    steward_id: Id
    results: Annotated[dict[RenovationCheck, CheckResult], Meta(max_length=10)] = {}
    findings: LongText = ""
    notice: LongText = ""  # 整改通知单: what must be put right
    notice_due: Day | None = None  # by when
    checks_notice_id: Id | None = None  # the earlier inspection whose notice this one checks
    notice_result: NoticeResult | None = None
    passed: bool | None = None  # test / 初验 / 复验: passed or not
    signature_sha256: Sha256 | None = None  # the owner's signature
