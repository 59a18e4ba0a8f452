"""Tickets (工单) and their timeline events."""

from piccolo.columns import Boolean, Integer, Text, Varchar

from server.tables.base import Synced, ts


class Ticket(Synced, tablename="ticket"):
    number = Varchar(length=24, null=True, default=None, unique=True)
    kind = Varchar(length=16, index=True)
    priority = Varchar(length=8, default="normal", index=True)
    status = Varchar(length=12, default="received", index=True)
    title = Varchar(length=200)
    description = Text(default="")
    unit_id = Varchar(length=36, null=True, default=None, index=True)
    place = Varchar(length=200, default="")
    system = Varchar(length=16, null=True, default=None)  # schemas.vocab.TicketSystem
    part = Varchar(length=50, default="")
    damage = Varchar(length=100, default="")
    reporter_name = Varchar(length=50, null=True, default=None)
    reporter_phone = Varchar(length=30, null=True, default=None)
    channel = Varchar(length=16, default="phone")
    first_responder_id = Varchar(length=36, null=True, default=None)
    assignee = Varchar(length=50, null=True, default=None, index=True)
    assignee_id = Varchar(length=36, null=True, default=None, index=True)  # the engineer, 0020
    promised_date = Varchar(length=10, null=True, default=None)
    response_due_at = ts()
    responded_at = ts()  # the first response: the ticket first left 已受理 (migration 0021)
    resolve_due_at = ts(index=True)
    dispatched_at = ts()
    done_at = ts(index=True)
    called_back_at = ts()
    closed_at = ts()
    owner_signed = Boolean(default=False)
    satisfaction = Integer(null=True, default=None)
    paid_service = Boolean(default=False)
    # 有偿特约服务 (migration 0019): the item and price as charged that day, money in fen
    paid_item = Varchar(length=16, null=True, default=None)
    paid_item_name = Varchar(length=50, default="")
    paid_unit = Varchar(length=8, default="")
    paid_price = Varchar(length=8, null=True, default=None)  # schemas.vocab.PaidPrice
    paid_rate = Integer(null=True, default=None)
    paid_quantity = Integer(null=True, default=None)
    paid_rent_fen = Integer(null=True, default=None)
    paid_amount_fen = Integer(null=True, default=None)
    paid_adjust_reason = Varchar(length=200, default="")
    paid_method = Varchar(length=12, null=True, default=None)  # schemas.vocab.PaymentMethod
    paid_at = ts()
    invalid_category = Varchar(length=30, null=True, default=None)
    escalated = Boolean(default=False)
    source_finding_id = Varchar(length=36, null=True, default=None)
    source_check_id = Varchar(length=36, null=True, default=None)
    source_visit_id = Varchar(length=36, null=True, default=None)
    source_handover_id = Varchar(length=36, null=True, default=None)  # 验房 defect, 0027


class TicketEvent(Synced, tablename="ticket_event"):
    ticket_id = Varchar(length=36, index=True)
    type = Varchar(length=16)
    from_status = Varchar(length=12, null=True, default=None)
    to_status = Varchar(length=12, null=True, default=None)
    body = Text(default="")
    author_id = Varchar(length=36, null=True, default=None)
    client_time = ts()


TABLES = (Ticket, TicketEvent)
