"""Tickets (工单) with timelines that agree with their status, and the desk's daily intake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.clock import iso
from server.demo import texts
from server.demo.context import DEMO_ESTATE_ID, DemoContext, Staff, UnitInfo, stable_id
from server.demo.visits import add_visit, satisfaction
from sync.dispatch import DISPATCHED_KINDS, team_for
from sync.pricing import SEED_PRICES, line
from sync.sla import TICKET_RULES

WINDOW_DAYS = 60
DESK_TICKETS = {"repair": 170, "complaint": 55, "inquiry": 65}
FULL_PATH = ("received", "dispatched", "in_progress", "done", "called_back", "closed")
STALL_SHARE = 0.08  # tickets stuck at an open status (most of them overdue)
LATE_SHARE = 0.12  # tickets finished after their resolve time
VISIT_CALLBACK_SHARE = 0.35  # callbacks made at the door rather than by phone


@dataclass
class TicketSpec:
    kind: str
    created: datetime
    title: str
    priority: str
    first_responder: Staff
    building_id: str
    place: str
    assignee: str
    channel: str = "phone"
    system: str | None = None  # 规程 2: a repair's system, part and damage
    part: str = ""
    damage: str = ""
    unit: UnitInfo | None = None
    description: str = ""
    paid_service: bool = False
    invalid_category: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # source_finding_id / source_check_id


def add_ticket(ctx: DemoContext, spec: TicketSpec) -> dict[str, Any]:
    """The ticket and its timeline: every stamp in lifecycle order and not after ``now``."""
    rng = ctx.rng
    key = len(ctx.rows["ticket"])
    ticket_id = stable_id("ticket", key)
    created_at = iso(spec.created)
    response_due, resolve_due = TICKET_RULES.due_times(spec.kind, spec.priority, created_at)
    stamps = _stamps(ctx, spec)
    reached = [s for s, at in stamps.items() if at <= ctx.now]
    if rng.random() < STALL_SHARE and len(reached) > 1:
        reached = reached[: rng.randrange(1, len(reached))]
    status = reached[-1]
    unit = spec.unit
    row: dict[str, Any] = {
        "id": ticket_id, "number": None,  # 工单号: given with the version at load time
        "kind": spec.kind, "priority": spec.priority, "status": status, "title": spec.title,
        "description": spec.description or spec.title, "unit_id": unit.id if unit else None,
        "place": spec.place, "system": spec.system, "part": spec.part, "damage": spec.damage,
        "reporter_name": unit.owner_name if unit and spec.channel in ("phone", "walk_in") else None,
        "reporter_phone": unit.owner_phone if unit and spec.channel in ("phone", "walk_in") else None,
        "channel": spec.channel, "first_responder_id": spec.first_responder.id,
        "assignee": spec.assignee if "dispatched" in reached or "in_progress" in reached else None,
        "assignee_id": None,
        "promised_date": None, "response_due_at": response_due, "responded_at": None, "resolve_due_at": resolve_due,
        "dispatched_at": None, "done_at": None, "called_back_at": None, "closed_at": None,
        "owner_signed": False, "satisfaction": None, "paid_service": spec.paid_service,
        "invalid_category": spec.invalid_category, "escalated": False,
        "source_finding_id": spec.sources.get("finding"), "source_check_id": spec.sources.get("check"),
        "source_visit_id": None, "source_handover_id": spec.sources.get("handover"),
    }
    if row["assignee"] and (engineer := engineer_for(ctx, spec)) is not None:
        row["assignee"], row["assignee_id"] = engineer.display_name, engineer.id  # dispatched from the roster
    for status_reached in reached:
        column = {"dispatched": "dispatched_at", "done": "done_at", "called_back": "called_back_at",
                  "closed": "closed_at"}.get(status_reached)
        if column:
            row[column] = iso(stamps[status_reached])
    if len(reached) > 1:  # the first response: the first step after 已受理
        row["responded_at"] = iso(stamps[reached[1]])
    row |= _paid_service(spec, row, key)
    events = _timeline(ctx, spec, row, reached, stamps)
    last = max(events, key=lambda e: e["at"])
    ctx.add_synced("ticket", row, at=spec.created, by=spec.first_responder.id,
                   building_id=spec.building_id, updated=last["at"], updated_by=last["author_id"])
    for i, event in enumerate(sorted(events, key=lambda e: e["at"])):
        at = event.pop("at")
        event.update(id=stable_id("ticket_event", key, i), ticket_id=ticket_id, client_time=iso(at))
        ctx.add_synced("ticket_event", event, at=at, by=event["author_id"], building_id=spec.building_id)
    return row


def engineer_for(ctx: DemoContext, spec: TicketSpec) -> Staff | None:
    """The demo engineer of the team that repairs the ticket's system in its estate (repair
    work only; no rng draw, so the rest of the demo stays as it was)."""
    if spec.kind not in DISPATCHED_KINDS:
        return None
    estate_id = ctx.estate_of.get(spec.building_id, DEMO_ESTATE_ID)
    return ctx.engineer_of.get((estate_id, team_for(spec.system) or ""))


def _paid_service(spec: TicketSpec, row: dict[str, Any], key: int) -> dict[str, Any]:
    """A paid repair's item at the handbook's member price (业主: 客户优惠价), paid when the
    work is done (the method from the ticket's place in the run: no draw from the demo's
    random stream, which would change every later record)."""
    empty = {"paid_item": None, "paid_item_name": "", "paid_unit": "", "paid_price": None, "paid_rate": None,
             "paid_quantity": None, "paid_rent_fen": None, "paid_amount_fen": None, "paid_adjust_reason": "",
             "paid_method": None, "paid_at": None}
    if not spec.paid_service or spec.title not in texts.PAID_ITEMS:
        return empty
    code, quantity = texts.PAID_ITEMS[spec.title]
    paid = row["done_at"] is not None
    return {**empty, **line(SEED_PRICES, code, "member", quantity),
            "paid_method": texts.PAYMENT_METHODS[key % len(texts.PAYMENT_METHODS)] if paid else None,
            "paid_at": row["done_at"] if paid else None}


def _stamps(ctx: DemoContext, spec: TicketSpec) -> dict[str, datetime]:
    """When the ticket would enter each status of its path, if nothing stalled it."""
    rng = ctx.rng
    if spec.kind == "inquiry":
        if rng.random() < 0.7:  # answered on the spot
            return {"received": spec.created, "closed": spec.created + timedelta(minutes=rng.randrange(3, 25))}
        path: tuple[str, ...] = ("received", "dispatched", "done", "closed")
    else:
        path = FULL_PATH if rng.random() < 0.85 else ("received", "dispatched", "in_progress", "done", "closed")
    response, resolve = TICKET_RULES.minutes(spec.kind, spec.priority)
    at = spec.created
    stamps = {"received": at}
    for status in path[1:]:
        if status == "dispatched":
            at += timedelta(minutes=rng.uniform(0.2, 0.9) * response)
        elif status == "in_progress":
            at += timedelta(minutes=rng.uniform(10, 60))
        elif status == "done":
            share = rng.uniform(1.1, 3.0) if rng.random() < LATE_SHARE else rng.uniform(0.15, 0.85)
            at = max(at + timedelta(minutes=10), spec.created + timedelta(minutes=share * resolve))
        elif status == "called_back":  # the desk calls back the next day
            next_day = (at.astimezone(ctx.tz) + timedelta(days=1)).date()
            at = max(at + timedelta(hours=1), ctx.daytime(next_day, 9, 17))
        elif status == "closed":  # most the same day; some wait for the manager's review
            at += timedelta(minutes=rng.randrange(5, 240) if rng.random() < 0.75 else rng.randrange(1440, 4320))
        stamps[status] = at
    return stamps


def _timeline(ctx: DemoContext, spec: TicketSpec, row: dict[str, Any], reached: list[str],
              stamps: dict[str, datetime]) -> list[dict[str, Any]]:
    rng = ctx.rng
    desk = ctx.by_role("desk")
    owner = spec.first_responder
    events = [_event("created", spec.created, owner, to_status="received", body=spec.title)]
    for before, status in zip(reached, reached[1:]):
        at = stamps[status]
        author = owner if status in ("called_back", "closed") or owner.role == "steward" else rng.choice(desk)
        body = {"dispatched": f"派单至{row['assignee'] or spec.assignee}", "done": "维修完成" if spec.kind != "inquiry" else "已答复业主",
                "closed": "工单关闭"}.get(status, "")
        if status == "called_back":
            row["satisfaction"] = score = satisfaction(ctx)
            body = rng.choice(texts.CALLBACK_WORDS) + f"（满意度 {score}/5）"
            if spec.unit and spec.kind in ("repair", "complaint") and rng.random() < VISIT_CALLBACK_SHARE:
                purpose = "repair_callback" if spec.kind == "repair" else "complaint_callback"
                add_visit(ctx, spec.unit, purpose, visited_at=at, ticket_id=row["id"], score=score,
                          appointment_at=at - timedelta(minutes=30))
                body = "上门回访：" + body
            events.append(_event("callback", at, author, body=body))
        if status == "done" and spec.kind == "repair" and rng.random() < 0.9:
            row["owner_signed"] = True
            events.append(_event("sign_off", at, author, body="业主签字确认"))
        events.append(_event("status", at, author, from_status=before, to_status=status, body=body))
    last = stamps[reached[-1]]
    open_status = reached[-1] not in ("done", "called_back", "closed")
    if open_status and spec.kind == "repair" and rng.random() < 0.5:
        promised = ctx.today + timedelta(days=rng.randrange(2, 10))
        row["promised_date"] = promised.isoformat()
        events.append(_event("promised_date", _between(ctx, last, ctx.now), owner,
                             body=f"配件需采购，已告知业主预计 {promised.isoformat()} 完成"))
    if spec.kind == "complaint" and (spec.priority in ("high", "urgent") or rng.random() < 0.08):
        row["escalated"] = True
        manager = ctx.by_role("manager")[0]
        events.append(_event("escalated", spec.created + timedelta(minutes=rng.randrange(10, 90)), owner,
                             body=f"已上报{manager.display_name}（客服经理）"))
    end = min(ctx.now, stamps[reached[-1]] if not open_status else ctx.now)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        events.append(_event("note", _between(ctx, spec.created, end), rng.choice([owner, *desk]),
                             body=rng.choice(texts.NOTE_BODIES)))
    return [e for e in events if e["at"] <= ctx.now]


def _event(type_: str, at: datetime, author: Staff, *, body: str = "",
           from_status: str | None = None, to_status: str | None = None) -> dict[str, Any]:
    return {"type": type_, "from_status": from_status, "to_status": to_status, "body": body,
            "author_id": author.id, "at": at}


def _between(ctx: DemoContext, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + (end - start) * ctx.rng.random()


def desk_tickets(ctx: DemoContext) -> None:
    """Calls and walk-ins over the last 60 days: repairs, complaints and inquiries."""
    rng = ctx.rng
    desk = ctx.by_role("desk")
    occupied = [u for u in ctx.units if u.occupancy != "vacant"]
    specs: list[TicketSpec] = []
    for kind, count in DESK_TICKETS.items():
        for _ in range(count):
            specs.append(_desk_spec(ctx, kind, rng.choice(occupied), rng.choice(desk)))
    for spec in sorted(specs, key=lambda s: s.created):
        add_ticket(ctx, spec)


def _desk_spec(ctx: DemoContext, kind: str, unit: UnitInfo, clerk: Staff) -> TicketSpec:
    rng = ctx.rng
    created = _created(ctx)
    code = ctx.building_codes[unit.building_id]
    channel = rng.choice(("phone", "phone", "phone", "walk_in", "app"))
    if kind == "repair":
        title, part, group, weights, paid = rng.choice(texts.REPAIRS)
        priority = rng.choices(("urgent", "high", "normal", "low"), weights=weights)[0]
        assignee = rng.choice(texts.ASSIGNEES[group])
        public = part in ("楼道", "电梯", "单元门", "地下室")
        system, component, damage = texts.REPAIR_FIELDS[title]
        return TicketSpec(kind=kind, created=created, title=title, priority=priority,
                          system=system, part=component, damage=damage,
                          first_responder=clerk, building_id=unit.building_id, channel=channel,
                          place=f"{code} {part}" if public else f"{code} {unit.code} {part}",
                          assignee=assignee, unit=unit, paid_service=paid and rng.random() < 0.6,
                          description=f"{unit.owner_name[0]}先生/女士来电：{title}")
    if kind == "complaint":
        title, part, group = rng.choice(texts.COMPLAINTS)
        invalid = rng.choice(texts.INVALID_COMPLAINTS) if rng.random() < 0.1 else None
        return TicketSpec(kind=kind, created=created, title=title,
                          priority=rng.choices(("high", "normal"), weights=(2, 8))[0],
                          first_responder=clerk, building_id=unit.building_id, channel=channel,
                          place=f"{code} {part}", assignee=rng.choice(texts.ASSIGNEES[group]),
                          unit=unit, invalid_category=invalid, description=f"业主反映：{title}")
    title = rng.choice(texts.INQUIRIES)
    return TicketSpec(kind=kind, created=created, title=title,
                      priority=rng.choices(("normal", "low"), weights=(7, 3))[0],
                      first_responder=clerk, building_id=unit.building_id, channel=channel,
                      place=f"{code} {unit.code}", assignee="客服前台", unit=unit)


def _created(ctx: DemoContext) -> datetime:
    """A moment in the last 60 days, denser towards now (recent work is still open)."""
    rng = ctx.rng
    days = int(rng.random() ** 1.4 * WINDOW_DAYS)
    if days == 0:
        return ctx.now - timedelta(minutes=rng.randrange(5, 100))
    moment = ctx.daytime(ctx.days_ago(days), 7, 21)
    return moment if rng.random() > 0.04 else moment.replace(hour=rng.randrange(0, 6))
