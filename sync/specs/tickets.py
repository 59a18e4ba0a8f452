"""Tickets (工单) and their timelines: the lifecycle, the time limits, who may raise what."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.tickets import Ticket, TicketEvent
from sync.dispatch import auto_dispatch
from sync.lifecycle import TICKET
from sync.scope import OFFICE_ROLES, WRITING_ROLES
from sync.spec import (
    EDITABLE,
    META_FIELDS,
    Access,
    OnlyWhen,
    Placement,
    Row,
    Spec,
    ValueRule,
    same_for,
)

if TYPE_CHECKING:
    from sync.merge import Context

CAPABILITY = "tickets"

STEWARD_TICKET_FIELDS: frozenset[str] = frozenset(
    {"kind", "priority", "status", "title", "description", "unit_id", "place", "system",
     "part", "damage", "reporter_name", "reporter_phone", "channel", "promised_date",
     "owner_signed", "satisfaction", "source_finding_id", "source_check_id",
     "source_visit_id", "source_handover_id"}
)
# 日常报修处理规程 5-8: the engineer takes the order, repairs, has the owner sign the 维修单,
# or reports what cannot be fixed at once with the date of the further repair (确认进一步维修
# 的时间); the desk dispatches, calls back and closes
ENGINEER_TICKET_FIELDS: frozenset[str] = frozenset(
    {"status", "owner_signed", "promised_date", "part", "damage"})
OFFICE = tuple(sorted(OFFICE_ROLES))


def number(estate_code: str, n: int) -> str:
    """工单号: the estate's code and the estate's own running number, ``LJY-000042``."""
    return f"{estate_code}-{n:06d}"


def new_ticket(row: Row, ctx: Context) -> Row:
    """Server columns of a new ticket: its due times (the estate's rules), a paid service's
    flag when intake names its item, and, for repair work, the on-duty engineer of its
    system's team (智能工单自动派单, ``sync.dispatch``). Its number comes from the engine,
    which counts each estate's tickets (``Spec.number``)."""
    rules = ctx.terms_for(row.get("estate_id")).due["ticket"]
    response_due, resolve_due = rules.due_times(row["kind"], row["priority"], ctx.now)
    row = {**row, "response_due_at": response_due, "resolve_due_at": resolve_due}
    if row.get("paid_item") is not None:
        row = paid_follows_item(row, row)
    return auto_dispatch(row, ctx.roster_for(row.get("estate_id")), ctx.now)


def paid_follows_item(row: Row, applied: Row) -> Row:
    """有偿特约服务: a ticket with a paid service's item is a paid service (the flag the
    有偿服务满意率 counts); taking the item off makes it an ordinary repair again."""
    if "paid_item" not in applied:
        return row
    return {**row, "paid_service": row.get("paid_item") is not None}


def ticket_changed(row: Row, current: Row, applied: Row, ctx: Context) -> Row:
    """Time limits follow the ticket: a change of priority (or kind) recomputes them from
    when it was received; a promised date (不能立即修复 → 确认进一步维修的时间) moves the
    resolve deadline to the end of that day, so escalation follows the new deadline (an
    escalated ticket given a new date in the future is no longer escalated)."""
    terms = ctx.terms_for(row.get("estate_id"))
    if {"priority", "kind"} & applied.keys() and row.get("created_at"):
        response_due, resolve_due = terms.due["ticket"].due_times(row["kind"], row["priority"],
                                                                  row["created_at"])
        row = {**row, "response_due_at": response_due, "resolve_due_at": resolve_due}
    if row.get("promised_date") and ({"priority", "kind", "promised_date"} & applied.keys()):
        row = {**row, "resolve_due_at": terms.end_of_day(row["promised_date"])}
        if "promised_date" in applied and row["resolve_due_at"] > ctx.now:
            row = {**row, "escalated": False}  # back on an agreed date: escalates again if it passes
    return paid_follows_item(row, applied)


TICKET_SPEC = Spec(
    name="ticket", record=Ticket, capability=CAPABILITY,
    placement=Placement(by=("unit_id", "source_finding_id", "source_check_id",
                            "source_visit_id", "source_handover_id"), given=True),
    references={"unit_id": "unit", "source_finding_id": "finding",
                "source_check_id": "vacant_check", "source_visit_id": "visit",
                "source_handover_id": "handover"},
    server_fields=frozenset({"number", "response_due_at", "responded_at", "resolve_due_at", "dispatched_at",
                             "done_at", "called_back_at", "closed_at"}),
    create_only=frozenset({"unit_id", "source_finding_id", "source_check_id",
                           "source_visit_id", "source_handover_id"}),
    filled_by_maker=("first_responder_id",),
    # tickets are closed, never deleted
    access={"steward": Access(create=True, write=STEWARD_TICKET_FIELDS),
            "engineer": Access(write=ENGINEER_TICKET_FIELDS),
            **same_for(OFFICE, Access(create=True, write=EDITABLE))},
    lifecycle=TICKET,
    value_rules=(
        ValueRule(field="kind", code="kind_not_allowed", by_role={
            "steward": frozenset({"repair", "complaint", "patrol_finding", "vacant_defect",
                                 "warranty"})}),
        # the desk dispatches and closes; a steward works the ticket and calls back; an
        # engineer takes the order (接单) and finishes it (完工)
        ValueRule(field="status", code="status_not_allowed", on_create=False, on_update=True,
                  by_role={"steward": frozenset({"in_progress", "done", "called_back"}),
                           "engineer": frozenset({"in_progress", "done"})}),
    ),
    # 应会 10 处理无效投诉流程: only a complaint is judged invalid (the office marks it; a
    # steward may not write invalid_category); a kind changed away from complaint while it
    # is marked is refused too
    only_when=(OnlyWhen(field="invalid_category", when_field="kind",
                        when_values=frozenset({"complaint"}), code="not_a_complaint"),
               # 应知 18: a paid special service is a repair's (never an inquiry's or a
               # complaint's); only the office writes it (not in STEWARD_TICKET_FIELDS)
               OnlyWhen(field="paid_item", when_field="kind", when_values=frozenset({"repair"}),
                        code="paid_not_repair")),
    on_create=new_ticket,
    on_update=ticket_changed,
    number=number,
    dispatched=True,
)

# Timeline lines a role may add by hand ("created" and "status" lines are the server's).
STEWARD_EVENTS = frozenset({"note", "callback", "callback_attempt", "sign_off"})
OFFICE_EVENTS = STEWARD_EVENTS | {"assigned", "promised_date", "escalated", "validity", "arrived", "paid_service"}
# 到场 (on site), the owner's sign-off, 不能立即修复 with its date, notes
ENGINEER_EVENTS = frozenset({"note", "sign_off", "promised_date", "arrived"})

TICKET_EVENT = Spec(
    name="ticket_event", record=TicketEvent, capability=CAPABILITY,
    placement=Placement(by=("ticket_id",), required=True),
    references={"ticket_id": "ticket"},
    create_only=frozenset(
        {"ticket_id", "type", "from_status", "to_status", "body", "author_id",
         "client_time"}) - META_FIELDS,
    append_only=True,
    filled_by_maker=("author_id",),
    access={**same_for(WRITING_ROLES, Access(create=True, write=EDITABLE)),
            "engineer": Access(create=True, write=EDITABLE)},
    value_rules=(
        ValueRule(field="type", code="event_type_not_allowed",
                  by_role={"steward": STEWARD_EVENTS, "engineer": ENGINEER_EVENTS},
                  others=OFFICE_EVENTS),
    ),
)

SPECS = (TICKET_SPEC, TICKET_EVENT)
