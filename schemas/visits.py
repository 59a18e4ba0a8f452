"""Doorstep visits and callbacks (上门家访 / 回访).

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/visits.py`` and is declared once in ``sync/specs/visits.py``.
"""

from __future__ import annotations

from schemas.base import Record
from schemas.limits import Id, LongText, Score, Sha256, Time
from schemas.vocab import PlanReason, VisitPurpose, VisitStatus


class Visit(Record, kw_only=True):
    """上门家访 / 回访: a doorstep visit or callback."""

    unit_id: Id
    household_id: Id | None = None
    purpose: VisitPurpose
    status: VisitStatus = "planned"
    appointment_at: Time | None = None
    visited_at: Time | None = None
    steward_id: Id
    outcome: LongText = ""
    satisfaction: Score | None = None  # 1..5
    owner_words: LongText = ""
    follow_ups: LongText = ""
    ticket_id: Id | None = None  # the ticket a callback is about
    signature_sha256: Sha256 | None = None
    plan_reason: PlanReason | None = None  # a visit of the month's approved plan (拜访计划): why
