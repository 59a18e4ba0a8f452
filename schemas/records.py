"""Synced records: the shape of every collection as it travels between server and phone.

Each Struct mirrors one Piccolo table in ``server/tables`` (a test keeps the two in step);
``sync.specs`` declares each collection once, with its Struct.
Ids are made on the device (UUIDv7 strings) for everything a phone creates; reference data
(estate, building, unit) uses stable UUIDs made by the server.
"""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from schemas.base import Record
from schemas.limits import CollectionName, Count, Day, Id, LongText, Measure, Score, Short, Time
from schemas.vocab import (
    AttachmentKind,
    AttachmentMime,
    ConflictKind,
    ConflictStatus,
    FindingKind,
    InvalidComplaint,
    Occupancy,
    PatrolArea,
    Residence,
    RoundStatus,
    Severity,
    TicketChannel,
    TicketEventType,
    TicketKind,
    TicketPriority,
    TicketStatus,
    UnitType,
    VisitPurpose,
    VisitStatus,
)


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


class Household(Record, kw_only=True):
    """业户档案: the household archive of one unit. Personal fields are filtered by role."""

    unit_id: Id
    owner_name: Short[50]
    owner_phone: Short[30] | None = None
    owner_id_number: Short[30] | None = None  # 身份证号: desk and above only
    co_residents: Annotated[list[dict[str, Any]], Meta(max_length=20)] = []  # [{name, relation, age, phone}]
    family_structure: LongText | None = None  # 家庭结构, free text ("三口之家，老人同住")
    residence: Residence = "unknown"  # 自住 / 出租
    tenant_name: Short[50] | None = None
    tenant_phone: Short[30] | None = None
    special_needs: LongText | None = None  # 特殊需求, e.g. 独居老人
    emergency_contact_name: Short[50] | None = None
    emergency_contact_phone: Short[30] | None = None
    opinions: LongText | None = None  # 业主意见和建议
    notes: LongText | None = None
    owner_class: Short[16] = "ordinary"  # for the familiarity KPI: ordinary / committee / vip
    known_by_steward: bool = False  # 业主熟知
    move_in_date: Day | None = None


class Ticket(Record, kw_only=True):
    """工单. ``status`` follows the lifecycle in ``sync.lifecycle``."""

    number: Short[24] | None = None  # human-readable, assigned by the server
    kind: TicketKind
    priority: TicketPriority = "normal"
    status: TicketStatus = "received"
    title: Short[200]
    description: LongText = ""
    unit_id: Id | None = None
    place: Short[200] = ""  # free-text place: "3栋 2单元 5楼走廊"
    reporter_name: Short[50] | None = None
    reporter_phone: Short[30] | None = None
    channel: TicketChannel = "phone"
    first_responder_id: Id | None = None  # 首问责任人
    assignee: Short[50] | None = None  # team or person doing the work (工程部 / 保洁 / 秩序)
    promised_date: Day | None = None
    response_due_at: Time | None = None
    resolve_due_at: Time | None = None
    dispatched_at: Time | None = None
    done_at: Time | None = None
    called_back_at: Time | None = None
    closed_at: Time | None = None
    owner_signed: bool = False
    satisfaction: Score | None = None
    paid_service: bool = False
    invalid_category: InvalidComplaint | None = None
    escalated: bool = False
    source_finding_id: Id | None = None
    source_check_id: Id | None = None
    source_visit_id: Id | None = None


class TicketEvent(Record, kw_only=True):
    """One line of a ticket's timeline. Append-only: never edited, never conflicts."""

    ticket_id: Id
    type: TicketEventType
    from_status: TicketStatus | None = None
    to_status: TicketStatus | None = None
    body: LongText = ""
    author_id: Id | None = None
    client_time: Time | None = None  # the phone's clock, for display only


class PatrolRound(Record, kw_only=True):
    """巡查: one patrol walk of a steward. ``building_id`` is null; scope is the steward."""

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


class VacantCheck(Record, kw_only=True):
    """空置房巡检: the weekly check of one vacant unit."""

    unit_id: Id
    week: Short[8]  # ISO week, "2026-W47"
    checked_at: Time
    steward_id: Id
    results: Annotated[dict[Short[32], Short[8]], Meta(max_length=20)] = {}  # checklist item -> ok / defect / na
    water_reading: Measure | None = None
    electric_reading: Measure | None = None
    notes: LongText = ""


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
    signature_sha256: Short[64] | None = None


class Attachment(Record, kw_only=True):
    """Metadata of a photo or signature; the bytes travel separately, addressed by sha256."""

    sha256: Short[64]
    parent_collection: CollectionName
    parent_id: Id
    kind: AttachmentKind = "photo"
    mime: AttachmentMime
    size: Count
    stored: bool = False  # server-side: the bytes have arrived


class Conflict(Record, kw_only=True):
    """A merge decision that discarded a value; kept so the desk can see and reverse it."""

    collection: CollectionName
    record_id: Id
    field: Short[40] | None = None
    kind: ConflictKind
    kept_value: Any = None
    lost_value: Any = None
    kept_source: Short[80] | None = None  # "device:<id>#<seq>" or "user:<id>"
    lost_source: Short[80] | None = None
    rule: Short[40]
    status: ConflictStatus = "open"
    resolved_by: Id | None = None
    resolved_at: Time | None = None
