"""Patrols (巡查): a steward's rounds and what they find.

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/patrol.py`` and is declared once in ``sync/specs/patrol.py``.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schemas.base import Record
from schemas.limits import Id, LongText, Short, Time
from schemas.vocab import (
    FindingKind,
    PatrolArea,
    RoundStatus,
    Severity,
)


class PatrolRound(Record, kw_only=True):
    """巡查: one patrol walk of a steward. ``building_id`` is null; scope is the steward.

    ``covered_building_ids``: the buildings the steward checked in at during the round
    (one tap per building on the phone; a finding made in a building adds it too). It only
    grows (``Spec.grow_only``: merged as a set union), so check-ins made offline on two
    phones both count. Rounds made before check-ins listed every building at the start.
    """

    steward_id: Id
    started_at: Time
    ended_at: Time | None = None
    status: RoundStatus = "open"
    covered_building_ids: Annotated[list[Id], Meta(max_length=200)] = []
    notes: LongText = ""


class Finding(Record, kw_only=True):
    """巡检记录: something a steward found on patrol."""

    round_id: Id | None = None
    floor: Short[20] | None = None
    area: PatrolArea | None = None
    unit_id: Id | None = None
    kind: FindingKind
    severity: Severity = "medium"
    description: LongText = ""
    occurred_at: Time
    ticket_id: Id | None = None
    steward_id: Id
    # findings the handbook says to report upward (``REPORTED_FINDINGS``): the office marks
    # one handled with a note; the server stamps who and when
    handled: bool = False
    handled_note: LongText = ""
    handled_by: Id | None = None
    handled_at: Time | None = None
