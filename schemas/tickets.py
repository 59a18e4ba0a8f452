"""Tickets (工单) and their timelines.

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/tickets.py`` and is declared once in ``sync/specs/tickets.py``.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schemas.base import Record
from schemas.limits import Day, Fen, Id, LongText, Score, Short, Time
from schemas.vocab import (
    InvalidComplaint,
    PaidPrice,
    PaymentMethod,
    TicketChannel,
    TicketEventType,
    TicketKind,
    TicketPriority,
    TicketStatus,
    TicketSystem,
)


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
    # 日常报修处理规程 2: the system, the part and how it is damaged ("water", "水龙头", "漏水")
    system: TicketSystem | None = None
    part: Short[50] = ""
    damage: Short[100] = ""
    reporter_name: Short[50] | None = None
    reporter_phone: Short[30] | None = None
    channel: TicketChannel = "phone"
    first_responder_id: Id | None = None  # 首问责任人
    assignee: Short[50] | None = None  # team or person doing the work (工程部 / 保洁 / 秩序)
    # the engineer dispatched from the roster (派单); ``assignee`` then shows their name.
    # Old tickets keep a free-text assignee and no id
    assignee_id: Id | None = None
    promised_date: Day | None = None
    response_due_at: Time | None = None
    responded_at: Time | None = None  # 首次响应: when it first left 已受理 (the server's)
    resolve_due_at: Time | None = None
    dispatched_at: Time | None = None
    done_at: Time | None = None
    called_back_at: Time | None = None
    closed_at: Time | None = None
    owner_signed: bool = False
    satisfaction: Score | None = None
    paid_service: bool = False
    # 有偿特约服务 (应知 18), repairs only: the item and the price it was charged at, kept as
    # they were that day (a later price list leaves the ticket alone); the office writes them
    paid_item: Short[16] | None = None  # the item's code in the estate's price list
    paid_item_name: Short[50] = ""
    paid_unit: Short[8] = ""
    paid_price: PaidPrice | None = None
    paid_rate: Fen | None = None  # fen per unit, or the rent's percentage (房屋租赁)
    paid_quantity: Annotated[int, Meta(ge=1, le=999)] | None = None
    paid_rent_fen: Fen | None = None  # the month's rent, for an item priced on the rent
    paid_amount_fen: Fen | None = None  # what the owner is charged (the list's, or adjusted)
    paid_adjust_reason: Short[200] = ""  # why the amount differs from the list's
    paid_method: PaymentMethod | None = None  # None: not paid yet
    paid_at: Time | None = None
    invalid_category: InvalidComplaint | None = None  # 无效投诉: complaints only (the spec's rule)
    escalated: bool = False
    source_finding_id: Id | None = None
    source_check_id: Id | None = None
    source_visit_id: Id | None = None
    source_handover_id: Id | None = None  # 工程质量维修单: a defect found at the handover (验房)


class TicketEvent(Record, kw_only=True):
    """One line of a ticket's timeline. Append-only: never edited, never conflicts."""

    ticket_id: Id
    type: TicketEventType
    from_status: TicketStatus | None = None
    to_status: TicketStatus | None = None
    body: LongText = ""
    author_id: Id | None = None
    client_time: Time | None = None  # the phone's clock, for display only
