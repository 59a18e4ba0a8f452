"""Synced records: the shape of every collection as it travels between server and phone.

Each Struct mirrors one Piccolo table in ``server/tables`` (a test keeps the two in step).
Ids are made on the device (UUIDv7 strings) for everything a phone creates; reference data
(estate, building, unit) uses stable UUIDs made by the server.
"""

from __future__ import annotations

from typing import Any

from schemas.base import Record
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
    """楼栋. ``building_id`` equals ``id`` so that scope filtering is uniform."""

    estate_id: str
    code: str  # e.g. "3栋"
    name: str
    floors: int
    lifts: int = 0


class Unit(Record, kw_only=True):
    """户/单元: a dwelling. Occupancy is the only field the field staff change."""

    code: str  # e.g. "3-1-0502"
    floor: int
    unit_type: UnitType
    area_m2: float
    occupancy: Occupancy


class Household(Record, kw_only=True):
    """业户档案: the household archive of one unit. Personal fields are filtered by role."""

    unit_id: str
    owner_name: str
    owner_phone: str | None = None
    owner_id_number: str | None = None  # 身份证号: desk and above only
    co_residents: list[dict[str, Any]] = []  # [{name, relation, age, phone}]
    family_structure: str | None = None  # 家庭结构, free text ("三口之家，老人同住")
    residence: Residence = "unknown"  # 自住 / 出租
    tenant_name: str | None = None
    tenant_phone: str | None = None
    special_needs: str | None = None  # 特殊需求, e.g. 独居老人
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    opinions: str | None = None  # 业主意见和建议
    notes: str | None = None
    owner_class: str = "ordinary"  # for the familiarity KPI: ordinary / committee / vip
    known_by_steward: bool = False  # 业主熟知
    move_in_date: str | None = None


class Ticket(Record, kw_only=True):
    """工单. ``status`` follows the lifecycle in ``sync.lifecycle``."""

    number: str | None = None  # human-readable, assigned by the server
    kind: TicketKind
    priority: TicketPriority = "normal"
    status: TicketStatus = "received"
    title: str
    description: str = ""
    unit_id: str | None = None
    place: str = ""  # free-text place: "3栋 2单元 5楼走廊"
    reporter_name: str | None = None
    reporter_phone: str | None = None
    channel: TicketChannel = "phone"
    first_responder_id: str | None = None  # 首问责任人
    assignee: str | None = None  # team or person doing the work (工程部 / 保洁 / 秩序)
    promised_date: str | None = None
    response_due_at: str | None = None
    resolve_due_at: str | None = None
    dispatched_at: str | None = None
    done_at: str | None = None
    called_back_at: str | None = None
    closed_at: str | None = None
    owner_signed: bool = False
    satisfaction: int | None = None
    paid_service: bool = False
    invalid_category: InvalidComplaint | None = None
    escalated: bool = False
    source_finding_id: str | None = None
    source_check_id: str | None = None
    source_visit_id: str | None = None


class TicketEvent(Record, kw_only=True):
    """One line of a ticket's timeline. Append-only: never edited, never conflicts."""

    ticket_id: str
    type: TicketEventType
    from_status: TicketStatus | None = None
    to_status: TicketStatus | None = None
    body: str = ""
    author_id: str | None = None
    client_time: str | None = None  # the phone's clock, for display only


class PatrolRound(Record, kw_only=True):
    """巡查: one patrol walk of a steward. ``building_id`` is null; scope is the steward."""

    steward_id: str
    started_at: str
    ended_at: str | None = None
    status: RoundStatus = "open"
    covered_building_ids: list[str] = []
    notes: str = ""


class Finding(Record, kw_only=True):
    """巡检记录: something a steward found on patrol."""

    round_id: str | None = None
    floor: str | None = None
    area: PatrolArea | None = None
    unit_id: str | None = None
    kind: FindingKind
    severity: Severity = "medium"
    description: str = ""
    occurred_at: str
    ticket_id: str | None = None
    steward_id: str


class VacantCheck(Record, kw_only=True):
    """空置房巡检: the weekly check of one vacant unit."""

    unit_id: str
    week: str  # ISO week, "2026-W47"
    checked_at: str
    steward_id: str
    results: dict[str, str] = {}  # checklist item -> ok / defect / na
    water_reading: float | None = None
    electric_reading: float | None = None
    notes: str = ""


class Visit(Record, kw_only=True):
    """上门家访 / 回访: a doorstep visit or callback."""

    unit_id: str
    household_id: str | None = None
    purpose: VisitPurpose
    status: VisitStatus = "planned"
    appointment_at: str | None = None
    visited_at: str | None = None
    steward_id: str
    outcome: str = ""
    satisfaction: int | None = None  # 1..5
    owner_words: str = ""
    follow_ups: str = ""
    ticket_id: str | None = None  # the ticket a callback is about
    signature_sha256: str | None = None


class Attachment(Record, kw_only=True):
    """Metadata of a photo or signature; the bytes travel separately, addressed by sha256."""

    sha256: str
    parent_collection: str
    parent_id: str
    kind: AttachmentKind = "photo"
    mime: AttachmentMime
    size: int
    stored: bool = False  # server-side: the bytes have arrived


class Conflict(Record, kw_only=True):
    """A merge decision that discarded a value; kept so the desk can see and reverse it."""

    collection: str
    record_id: str
    field: str | None = None
    kind: ConflictKind
    kept_value: Any = None
    lost_value: Any = None
    kept_source: str | None = None  # "device:<id>#<seq>" or "user:<id>"
    lost_source: str | None = None
    rule: str
    status: ConflictStatus = "open"
    resolved_by: str | None = None
    resolved_at: str | None = None


COLLECTIONS: dict[str, type[Record]] = {
    "building": Building,
    "unit": Unit,
    "household": Household,
    "ticket": Ticket,
    "ticket_event": TicketEvent,
    "patrol_round": PatrolRound,
    "finding": Finding,
    "vacant_check": VacantCheck,
    "visit": Visit,
    "attachment": Attachment,
    "conflict": Conflict,
}
"""Every synced collection by its wire name (also its table name)."""
