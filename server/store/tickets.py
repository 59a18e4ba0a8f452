"""Tickets for the desk: the queue (keyset-paged), one ticket with its timeline, the
callbacks due, escalations and the owner look-up used at intake.

Every function that reads records takes the reader's ``Scope`` (keyword-only, no
default: ``Principal.scope``) and limits its rows with ``server.store.scoping``; one that
fetches a record by id answers None for a record outside the scope, as for a missing one.

The queue never uses OFFSET: a page is ``WHERE <filters> AND (<sort>, id) <op> (cursor)
ORDER BY <sort>, id LIMIT n``, one range scan of an index of migration 0003.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Literal

import msgspec

from server.store import search
from server.store.conflicts import conflict_values
from server.store.places import codes_of
from server.store.scoping import scope_sql, scope_where
from server.tables import (
    ChangeLog, Conflict, Finding, Household, Ticket, TicketEvent, Unit,
)
from sync.scope import Scope

OPEN_STATUSES = ("received", "dispatched", "in_progress", "done", "called_back")
ACTIVE_STATUSES = ("received", "dispatched", "in_progress")  # work not finished: can be overdue
# exactly the condition of the partial indexes of migration 0004
ACTIVE_CONDITION = "status IN ('received', 'dispatched', 'in_progress')"
Sort = Literal["newest", "oldest", "due"]
SORTS: tuple[str, ...] = ("newest", "oldest", "due")
PAGE_SIZE = 50
QUEUE_COLUMNS = ("id, number, kind, priority, status, title, place, unit_id, building_id, assignee, "
                 "created_at, resolve_due_at, escalated, first_responder_id")


class QueueFilter(msgspec.Struct, kw_only=True):
    """What the clerk asked the queue for (every field optional)."""

    status: str | None = None
    kind: str | None = None
    priority: str | None = None
    building_id: str | None = None
    assignee: str | None = None
    overdue: bool = False
    sort: Sort = "newest"
    after: str | None = None  # keyset cursor of the last row shown
    q: str | None = None  # the search box: ticket number, reporter's phone, a unit or its owner
    unit_ids: tuple[str, ...] = ()  # the units ``q`` names (``with_search`` fills them in)


class QueuePage(msgspec.Struct, kw_only=True):
    rows: list[dict[str, Any]]
    next_cursor: str | None
    counts: dict[str, int]  # per open status, under the same filters (status aside)


def encode_cursor(value: str | None, ticket_id: str) -> str:
    raw = f"{value or ''}\x1f{ticket_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    value, sep, ticket_id = raw.partition("\x1f")
    return (value, ticket_id) if sep and ticket_id else None


def _conditions(f: QueueFilter, now: str, scope: Scope, *,
                with_status: bool = True) -> tuple[list[str], list[Any]]:
    # no "deleted = false": tickets are closed, never deleted (sync.policy.DELETABLE), and
    # the condition would send every counted row back to the table instead of the index
    in_scope, args = scope_sql(scope, mark="{}")
    where: list[str] = [in_scope]
    for column, value in (("kind", f.kind), ("priority", f.priority),
                          ("building_id", f.building_id), ("assignee", f.assignee)):
        if value:
            where.append(f"{column} = {{}}")
            args.append(value)
    if with_status and f.status:
        where.append("status = {}")
        args.append(f.status)
    if f.overdue:
        where.append(f"{ACTIVE_CONDITION} AND resolve_due_at < {{}}")
        args.append(now)
    if f.q:
        numbers, pattern = search.ticket_numbers(f.q)
        named = ["number IN (" + ", ".join("{}" for _ in numbers) + ")", "reporter_phone = {}"]
        args.extend([*numbers, f.q])
        if pattern is not None:
            named.append("number LIKE {}")
            args.append(pattern)
        if f.unit_ids:
            named.append("unit_id IN (" + ", ".join("{}" for _ in f.unit_ids) + ")")
            args.extend(f.unit_ids)
        where.append("(" + " OR ".join(named) + ")")
    return where, args


async def with_search(f: QueueFilter, *, scope: Scope) -> QueueFilter:
    """The filter with the units its search text names (looked up once per page)."""
    if not f.q:
        return f
    return msgspec.structs.replace(f, unit_ids=tuple(await search.matching_units(f.q, scope=scope, limit=200)))


def _where(conditions: list[str]) -> str:
    return "WHERE " + " AND ".join(conditions) if conditions else ""


def queue_sql(f: QueueFilter, now: str, limit: int = PAGE_SIZE, *,
              scope: Scope) -> tuple[str, list[Any]]:
    """The one query of a queue page (also timed bare by bench/bench_queue.py)."""
    where, args = _conditions(f, now, scope)
    column = "resolve_due_at" if f.sort == "due" else "created_at"
    descending = f.sort == "newest"
    if f.sort == "due":
        where.append("resolve_due_at IS NOT NULL")
        if not f.status:  # "due first" is for the work still to do, not long-closed tickets
            where.append(ACTIVE_CONDITION)
    position = decode_cursor(f.after) if f.after else None
    if position:
        where.append(f"({column}, id) {'<' if descending else '>'} ({{}}, {{}})")
        args.extend(position)
    direction = "DESC" if descending else "ASC"
    sql = (f"SELECT {QUEUE_COLUMNS} FROM ticket {_where(where)} "
           f"ORDER BY {column} {direction}, id {direction} LIMIT {int(limit) + 1}")
    return sql, args


async def queue(f: QueueFilter, now: str, limit: int = PAGE_SIZE,
                codes: dict[str, str] | None = None, *, scope: Scope) -> QueuePage:
    f = await with_search(f, scope=scope)
    rows, cursor = await queue_rows(f, now, limit, codes, scope=scope)
    return QueuePage(rows=rows, next_cursor=cursor, counts=await status_counts(f, now, scope=scope))


def snapshot() -> Any:
    """One connection and one consistent view for the several reads of a page (SQLite
    otherwise opens a connection per query)."""
    return Ticket._meta.db.transaction()


async def queue_rows(f: QueueFilter, now: str, limit: int = PAGE_SIZE,
                     codes: dict[str, str] | None = None, *,
                     scope: Scope) -> tuple[list[dict[str, Any]], str | None]:
    """One keyset page of the queue and the cursor of the next (None on the last page)."""
    sql, args = queue_sql(f, now, limit, scope=scope)
    rows = [_ticket_row(r, now) for r in await Ticket.raw(sql, *args)]
    more = len(rows) > limit
    rows = rows[:limit]
    column = "resolve_due_at" if f.sort == "due" else "created_at"
    cursor = encode_cursor(rows[-1][column], rows[-1]["id"]) if more and rows else None
    await _add_places(rows, codes)
    return rows, cursor


async def status_counts(f: QueueFilter, now: str, *, scope: Scope) -> dict[str, int]:
    """Tickets per open status under the filters (closed ones are not counted: they are the
    bulk of a large history and no clerk works from that number)."""
    where, args = _conditions(f, now, scope, with_status=False)
    where.append("status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")")
    sql = f"SELECT status, count(*) AS n FROM ticket {_where(where)} GROUP BY status"
    found = {r["status"]: int(r["n"]) for r in await Ticket.raw(sql, *args)}
    return {s: found.get(s, 0) for s in OPEN_STATUSES}


def _ticket_row(row: dict[str, Any], now: str) -> dict[str, Any]:
    row["escalated"] = bool(row.get("escalated"))
    row["overdue"] = is_overdue(row, now)
    return row


def is_overdue(ticket: dict[str, Any], now: str) -> bool:
    due = ticket.get("resolve_due_at")
    return bool(due) and ticket["status"] in ACTIVE_STATUSES and due < now


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """A ticket's first response measured against its limit: ``minutes`` from receipt to the
    first response (None: none yet); ``late``: after the limit, or none and the limit passed."""

    minutes: int | None
    late: bool


def response_of(ticket: dict[str, Any], now: str) -> Response | None:
    """The first response of a ticket (None for a ticket made before due times existed)."""
    due, responded = ticket.get("response_due_at"), ticket.get("responded_at")
    if not due or not ticket.get("created_at"):
        return None
    if not responded:
        return Response(minutes=None, late=due < now)
    taken = datetime.fromisoformat(responded.replace("Z", "+00:00")) - \
        datetime.fromisoformat(ticket["created_at"].replace("Z", "+00:00"))
    return Response(minutes=max(0, round(taken.total_seconds() / 60)), late=responded > due)


async def _add_places(rows: list[dict[str, Any]], codes: dict[str, str] | None = None) -> None:
    """Building code and unit code of each row (two small look-ups, not a join per row);
    the rows are already in the reader's scope, so are their unit and building."""
    unit_ids = {r["unit_id"] for r in rows if r.get("unit_id")}
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(
        Unit.id.is_in(list(unit_ids)))} if unit_ids else {}
    buildings = codes if codes is not None else await codes_of(
        {r["building_id"] for r in rows if r.get("building_id")})
    for r in rows:
        r["unit_code"] = units.get(r.get("unit_id") or "", "")
        r["building_code"] = buildings.get(r.get("building_id") or "", "")


async def ticket(ticket_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One ticket; None when missing or outside ``scope``."""
    row = await Ticket.select().where(
        (Ticket.id == ticket_id) & (Ticket.deleted == False) & scope_where(Ticket, scope)).first()  # noqa: E712
    if row is None:
        return None
    for key in ("escalated", "owner_signed", "paid_service"):
        row[key] = bool(row[key])
    await _add_places([row])
    return row


async def timeline(ticket_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    return await TicketEvent.select().where(
        (TicketEvent.ticket_id == ticket_id) & (TicketEvent.deleted == False)  # noqa: E712
        & scope_where(TicketEvent, scope)
    ).order_by(TicketEvent.created_at).order_by(TicketEvent.version)


async def phone_edits_of(ticket_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The ticket's changes that came from a phone's push (the change log keeps the device);
    none when the ticket is outside ``scope`` (the change log carries no estate)."""
    if not await Ticket.exists().where((Ticket.id == ticket_id) & scope_where(Ticket, scope)):
        return []
    return await ChangeLog.select(ChangeLog.version, ChangeLog.at, ChangeLog.user_id, ChangeLog.device_id).where(
        (ChangeLog.collection == "ticket") & (ChangeLog.record_id == ticket_id) & (ChangeLog.op == "update")
        & ChangeLog.device_id.is_not_null()).order_by(ChangeLog.version)


async def conflicts_of(ticket_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    rows = await Conflict.select().where(
        (Conflict.collection == "ticket") & (Conflict.record_id == ticket_id) & scope_where(Conflict, scope)
    ).order_by(Conflict.created_at)
    return [conflict_values(r) for r in rows]


async def findings_of(ticket_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    return await Finding.select().where(
        (Finding.ticket_id == ticket_id) & (Finding.deleted == False)  # noqa: E712
        & scope_where(Finding, scope)
    ).order_by(Finding.occurred_at)


async def overdue_to_escalate(now: str, limit: int = 200, *, scope: Scope) -> list[dict[str, Any]]:
    """Active tickets past their deadline not yet escalated (oldest deadline first), with
    their estate (the system's sweep acts in the estates of what it escalates)."""
    return await Ticket.select(Ticket.id, Ticket.version, Ticket.escalated, Ticket.resolve_due_at,
                               Ticket.estate_id).where(
        Ticket.status.is_in(list(ACTIVE_STATUSES)) & (Ticket.resolve_due_at < now)
        & (Ticket.escalated == False) & (Ticket.deleted == False)  # noqa: E712
        & scope_where(Ticket, scope)
    ).order_by(Ticket.resolve_due_at).limit(limit)


async def unanswered_to_escalate(now: str, limit: int = 200, *, scope: Scope) -> list[dict[str, Any]]:
    """Tickets still 已受理 past their response limit (no first response yet), not yet
    escalated (oldest limit first), with their estate."""
    return await Ticket.select(Ticket.id, Ticket.version, Ticket.escalated, Ticket.response_due_at,
                               Ticket.estate_id).where(
        (Ticket.status == "received") & Ticket.responded_at.is_null() & (Ticket.response_due_at < now)
        & (Ticket.escalated == False) & (Ticket.deleted == False)  # noqa: E712
        & scope_where(Ticket, scope)
    ).order_by(Ticket.response_due_at).limit(limit)


async def escalated(now: str, limit: int = 200, *, scope: Scope) -> list[dict[str, Any]]:
    """Escalated tickets not yet closed: the manager's list."""
    in_scope, args = scope_sql(scope, mark="{}")
    sql = (f"SELECT {QUEUE_COLUMNS} FROM ticket WHERE deleted = false AND escalated = true "
           f"AND status <> 'closed' AND {in_scope} ORDER BY resolve_due_at, id LIMIT {int(limit)}")
    rows = [_ticket_row(r, now) for r in await Ticket.raw(sql, *args)]
    await _add_places(rows)
    return rows


ATTEMPTS = ("SELECT COUNT(*) FROM ticket_event e WHERE e.ticket_id = ticket.id "
            "AND e.type = 'callback_attempt' AND e.deleted = false")
"""A ticket's callbacks that reached no one (its ``callback_attempt`` timeline lines)."""


async def callback_attempts(ticket_id: str, *, scope: Scope) -> int:
    """How many callbacks of a ticket reached no one so far."""
    return await TicketEvent.count().where(
        (TicketEvent.ticket_id == ticket_id) & (TicketEvent.type == "callback_attempt")
        & (TicketEvent.deleted == False) & scope_where(TicketEvent, scope))  # noqa: E712


async def callbacks_due(overdue_before: str, limit: int = 500, *,
                        scope: Scope) -> list[dict[str, Any]]:
    """Every repair and complaint done and not yet called back, oldest first (the repair
    procedure calls back the day after the work; complaints feed the callback rate). One
    done before ``overdue_before`` has missed its callback day: ``callback_overdue``."""
    in_scope, args = scope_sql(scope, mark="{}")
    sql = (f"SELECT {QUEUE_COLUMNS}, done_at, reporter_name, reporter_phone, ({ATTEMPTS}) AS attempts "
           "FROM ticket WHERE status = 'done' AND kind IN ('repair', 'complaint') "
           f"AND {in_scope} ORDER BY done_at, id LIMIT {int(limit)}")
    rows = [_ticket_row(r, "") for r in await Ticket.raw(sql, *args)]
    for row in rows:
        row["callback_overdue"] = (row["done_at"] or "") < overdue_before
    await _add_places(rows)
    return rows


async def find_owners(query: str, limit: int = 10, *, scope: Scope) -> list[dict[str, Any]]:
    """Units the clerk's text names (``server.store.search``: a unit code as people write
    it, the current owner's name or phone), each with its current household."""
    units = await search.units_by_id(await search.matching_units(query, scope=scope, limit=limit), scope=scope)
    if not units:
        return []
    households = {h["unit_id"]: h for h in await Household.select(
        Household.id, Household.unit_id, Household.owner_name, Household.owner_phone).where(
        Household.unit_id.is_in([u["id"] for u in units]) & (Household.deleted == False)  # noqa: E712
        & Household.ended_on.is_null() & scope_where(Household, scope)).order_by(Household.created_at)}
    codes = await codes_of({u["building_id"] for u in units if u["building_id"]})
    return [{**u, "building_code": codes.get(u["building_id"] or "", ""),
             "household": households.get(u["id"])} for u in units[:limit]]


async def unit(unit_id: str, *, scope: Scope) -> dict[str, Any] | None:
    """One unit; None when missing or outside ``scope``."""
    return await Unit.select().where((Unit.id == unit_id) & scope_where(Unit, scope)).first()
