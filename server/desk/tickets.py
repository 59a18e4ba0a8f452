"""The ticket queue, intake and the ticket page with its lifecycle actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.limits import Day, Short, Text, one_line
from schemas.vocab import (
    TICKET_STATUSES,
    InvalidComplaint,
    PaidPrice,
    TicketChannel,
    TicketKind,
    TicketPriority,
    TicketSystem,
    codes,
)
from server import escalation, writes
from server.desk import rules
from server.desk.common import DeskRequest, after_write, base_context, local_time_of, local_today, now, render
from server.desk.forms import form_of, query_of
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import OFFICE, grant
from server.store import audit, evidence, places, prices
from server.store import kpi as kpi_store
from server.store import terms as terms_store
from server.store import tickets as store
from server.store.exports import MAX_ROWS
from server.store.field_work import staff_names
from server.templating import request_language
from sync.pricing import PAID_FIELDS, PricingError, line, refusal_text

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.queue": OFFICE,
    "desk.intake_page": OFFICE,
    "desk.owner_search": OFFICE,
    "desk.intake": OFFICE,
    "desk.ticket": OFFICE,
    "desk.ticket_transition": OFFICE,
    "desk.ticket_assign": OFFICE,
    "desk.ticket_promise": OFFICE,
    "desk.ticket_sign_off": OFFICE,
    "desk.ticket_callback": OFFICE,
    "desk.ticket_escalate": OFFICE,
    "desk.ticket_note": OFFICE,
    "desk.ticket_validity": OFFICE,
    "desk.escalations": OFFICE,
    "desk.escalate_overdue": OFFICE,
})

class QueueQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    status: Annotated[str, msgspec.Meta(pattern="^(" + "|".join(TICKET_STATUSES) + ")$")] | None = None
    kind: TicketKind | None = None
    priority: TicketPriority | None = None
    building_id: Annotated[str, msgspec.Meta(max_length=36)] | None = None
    assignee: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    overdue: bool = False
    sort: store.Sort = "newest"
    after: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    q: Annotated[str, msgspec.Meta(max_length=50)] | None = None


def queue_filter(request: DeskRequest) -> store.QueueFilter:
    q = query_of(request, QueueQuery)
    return store.QueueFilter(**msgspec.structs.asdict(q))


def status_labels(request: DeskRequest) -> dict[str, str]:
    lang = request_language(request)
    return {s: translate(lang, f"status.{s}") for s in TICKET_STATUSES}


async def queue_context(request: DeskRequest) -> dict[str, Any]:
    f = queue_filter(request)
    # the clock first: a change committed while the page is read makes the page refresh
    scope = request.user.scope
    async with store.snapshot():
        version, buildings = await kpi_store.clock_version(), await places.buildings(scope=scope)
        page = await store.queue(f, now(), codes={b["id"]: b["code"] for b in buildings}, scope=scope)
    params = {k: v for k, v in request.query_params.items() if k != "after" and v}
    return {"page": page, "filter": f, "params": params, "buildings": buildings,
            "live_version": version, "labels": labels(request),
            "kinds": codes(TicketKind), "priorities": codes(TicketPriority),
            "statuses": TICKET_STATUSES, "sorts": store.SORTS}


def labels(request: DeskRequest) -> dict[str, dict[str, str]]:
    """Status, kind and priority labels in the page's language (looked up once per page)."""
    lang = request_language(request)
    return {group: {code: translate(lang, f"{group}.{code}") for code in vocab}
            for group, vocab in (("status", TICKET_STATUSES), ("kind", codes(TicketKind)),
                                 ("priority", codes(TicketPriority)))}


@get(["/desk", "/desk/tickets"], name="desk.queue", include_in_schema=False)
async def queue_page(request: DeskRequest) -> Template:
    return render(request, "queue.html", "_queue.html", await queue_context(request))


# --- intake -------------------------------------------------------------------------


class IntakeForm(msgspec.Struct, kw_only=True):
    kind: TicketKind
    priority: TicketPriority = "normal"
    description: Annotated[Text[2000], msgspec.Meta(min_length=1)]
    title: Short[200] = ""
    unit_id: Annotated[str, msgspec.Meta(max_length=36)] | None = None
    place: Short[200] = ""
    # 日常报修处理规程 2: the system, the part and how it is damaged
    system: TicketSystem | None = None
    part: Short[50] = ""
    damage: Short[100] = ""
    reporter_name: Short[50] | None = None
    reporter_phone: Annotated[str, msgspec.Meta(max_length=30, pattern=r"^[0-9+\- ]*$")] | None = None
    channel: TicketChannel = "phone"
    # 有偿特约服务 (应知 18): a repair sold as a paid service, one of the list at its price
    paid_item: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    paid_price: PaidPrice = "member"
    # made when the form is shown: a second submit of the same form (a double click, Back
    # and submit again) names the same ticket, which the merge answers as already made
    record_id: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f-]{36}$")] | None = None


@get("/desk/intake", name="desk.intake_page", include_in_schema=False)
async def intake_page(request: DeskRequest) -> Template:
    return render(request, "intake.html", "_intake.html", {
        "kinds": ("repair", "complaint", "inquiry"), "priorities": codes(TicketPriority),
        "channels": ("phone", "walk_in", "app"), "systems": codes(TicketSystem),
        "price_list": (await prices.of_estate(min(request.user.scope.estates)))[0]
        if request.user.scope.estates else None, "record_id": writes.new_id()})


@get("/desk/intake/owners", name="desk.owner_search", include_in_schema=False)
async def owner_search(request: DeskRequest, q: FromQuery[str] = "") -> Template:
    found = await store.find_owners(q[:30], scope=request.user.scope)
    if any(u["household"] for u in found):
        await audit.record("archive_read", user_id=request.user.user_id, target="owner_search",
                           detail={"units": [u["id"] for u in found]})
    return Template(template_name="partials/desk/_owner_results.html",
                    context={"found": found, "q": q})


@post("/desk/intake", name="desk.intake", include_in_schema=False)
async def intake(request: DeskRequest) -> Redirect | Template:
    form = await form_of(request, IntakeForm)
    unit = await store.unit(form.unit_id, scope=request.user.scope) if form.unit_id else None
    if form.unit_id and unit is None:
        raise ApiError(422, "unknown_unit", "找不到该房号 / unknown unit")
    fields = {k: v for k, v in msgspec.structs.asdict(form).items()
              if v is not None and k not in ("record_id", "paid_item", "paid_price")}
    if form.paid_item:  # priced at the list's amount, one unit; the ticket page corrects it
        estates = request.user.scope.estates
        estate_id = unit["estate_id"] if unit else (min(estates) if estates else "")
        try:
            fields |= line((await prices.of_estate(estate_id))[0], form.paid_item, form.paid_price, 1)
        except PricingError as error:
            raise ApiError(422, error.code, refusal_text(error.code), {"field": "paid_item"}) from None
    fields["title"] = form.title or one_line(form.description)[:40]
    fields["status"] = "received"
    fields["first_responder_id"] = request.user.user_id  # 首问责任制
    ticket = writes.create("ticket", fields, record_id=form.record_id)  # the server adds the "created" line
    await writes.apply(request.user, [ticket])
    target = f"/desk/tickets/{ticket.id}"
    if request.headers.get("hx-request"):
        return Template(template_name="partials/desk/_empty.html", headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


# --- the ticket page ----------------------------------------------------------------


async def detail_context(request: DeskRequest, ticket_id: str, **extra: Any) -> dict[str, Any]:
    scope = request.user.scope
    ticket = await store.ticket(ticket_id, scope=scope)
    if ticket is None:
        raise ApiError(404, "ticket_not_found", "找不到该工单 / no such ticket")
    ticket["overdue"] = store.is_overdue(ticket, now())
    timeline = await store.timeline(ticket_id, scope=scope)
    edits = await store.phone_edits_of(ticket_id, scope=scope)
    names = await staff_names([ticket["first_responder_id"], *(c["user_id"] for c in edits),
                               *(e["author_id"] or e["created_by"] for e in timeline)])
    events = [{**e, "author": names.get(e["author_id"] or e["created_by"] or "", "")} for e in timeline]
    events += [{"type": "merged_edit", "created_at": c["at"], "version": c["version"], "body": "",
                "from_status": None, "to_status": None, "client_time": None,
                "author": names.get(c["user_id"] or "", "")} for c in edits]
    events.sort(key=lambda e: (e["created_at"] or "", e["version"]))
    ticket["first_responder"] = names.get(ticket["first_responder_id"] or "", "")
    estate_name = next((e["name"] for e in await places.estates(scope=scope) if e["id"] == ticket["estate_id"]), "")
    terms, _ = await terms_store.of_estate(ticket["estate_id"])
    return {"ticket": ticket, "events": events, "estate_name": estate_name,
            "note_id": writes.new_id(), "attempt_id": writes.new_id(),
            "attempts": sum(e["type"] == "callback_attempt" for e in timeline),
            "attempts_needed": terms.callback_attempts, "response": store.response_of(ticket, now()),
            "conflicts": await store.conflicts_of(ticket_id, scope=scope),
            "findings": await store.findings_of(ticket_id, scope=scope),
            "evidence": await evidence.of_ticket(ticket, scope=scope),
            "next_statuses": rules.next_statuses(ticket["status"], ticket["kind"]),
            "price_list": (await prices.of_estate(ticket["estate_id"]))[0] if ticket["kind"] == "repair" else None,
            "paid_base": {f: ticket.get(f) for f in (*PAID_FIELDS, "paid_method", "paid_at")},
            "assignees": ASSIGNEES, "invalid_categories": codes(InvalidComplaint),
            **{k: v for panel in TICKET_PANELS for k, v in (await panel(request, ticket)).items()},
            **extra}


# the departments a ticket may be handed to by name (not app users); engineering (工程部) is
# dispatched to a person of the roster (server.desk.duty); old tickets keep their free text
ASSIGNEES = ("保洁", "秩序", "绿化", "客服")
TICKET_PANELS: list[Callable[[DeskRequest, dict[str, Any]], Awaitable[dict[str, Any]]]] = []
"""Other capabilities' parts of the ticket page: each gives context for its own partial
(the engineers' dispatch form, ``server.desk.duty``)."""


@get("/desk/tickets/{ticket_id:str}", name="desk.ticket", include_in_schema=False)
async def ticket_page(request: DeskRequest, ticket_id: FromPath[str]) -> Template:
    return render(request, "ticket.html", "_ticket.html", await detail_context(request, ticket_id))


class Base(msgspec.Struct, kw_only=True):
    """What the clerk's form showed: the version and the values it edits from."""

    version: int


class TransitionForm(Base, kw_only=True):
    base_status: str
    to_status: str
    assignee: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    note: Text[2000] = ""
    owner_signed: bool = False  # 业主已在维修单上签字 (with 已完工)


class AssignForm(Base, kw_only=True):
    base_assignee: str | None = None
    assignee: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]


class PromiseForm(Base, kw_only=True):
    """不能立即修复 → 确认进一步维修的时间 (规程 4, 8): why, the date, and that the owner was told."""

    base_promised_date: str | None = None
    promised_date: Day
    reason: Short[200] = ""
    owner_told: bool = False


class CallbackForm(Base, kw_only=True):
    base_status: str
    satisfaction: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None  # None: the owner was not reached
    note: Text[2000] = ""
    # the id of the attempt's timeline line, made with the form: a second submit of the same
    # form is the same attempt
    attempt_id: Annotated[str, msgspec.Meta(max_length=36)] | None = None


class ValidityForm(Base, kw_only=True):
    base_invalid_category: InvalidComplaint | None = None
    invalid_category: InvalidComplaint | None = None  # None (left empty): a valid complaint


class NoteForm(msgspec.Struct, kw_only=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    # the line's id, made with the form: a second submit of the same form is the same line
    record_id: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f-]{36}$")] | None = None


async def change_ticket(request: DeskRequest, ticket_id: str, version: int, base: dict[str, Any],
                        changes: dict[str, Any], event: dict[str, Any] | None) -> Redirect | Template:
    """One Update of the ticket (plus its timeline event) through the merge, then the page."""
    current = await store.ticket(ticket_id, scope=request.user.scope)
    if current is None:
        raise ApiError(404, "ticket_not_found", "找不到该工单 / no such ticket")
    if all(current.get(field) == value for field, value in changes.items()):
        event = None  # already so (a double click, or someone did it first): no second line
    outcome = await writes.apply(request.user, [writes.update("ticket", ticket_id, version, base, changes)])
    if event and not outcome.conflicts:  # a timeline line only for what was really applied
        await writes.apply(request.user, [writes.create("ticket_event", {
            "ticket_id": ticket_id, "author_id": request.user.user_id, **event})])
    redirect = after_write(request, f"/desk/tickets/{ticket_id}")
    if redirect:
        return redirect
    context = await detail_context(request, ticket_id, conflicted=bool(outcome.conflicts), saved=True)
    return Template(template_name="partials/desk/_ticket.html", context={**base_context(request), **context})


@post("/desk/tickets/{ticket_id:str}/transition", name="desk.ticket_transition", include_in_schema=False)
async def transition(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, TransitionForm)
    if form.to_status not in TICKET_STATUSES or not rules.allowed(form.base_status, form.to_status):
        raise ApiError(409, "transition_refused",
                       rules.refusal(form.base_status, form.to_status, status_labels(request)))
    ticket = await open_ticket(request, ticket_id, closed_ok=True)
    if form.to_status == "dispatched" and not (form.assignee or ticket["assignee"]):
        raise ApiError(422, "assignee_required", "派单请填写处理部门或处理人 / dispatching needs an assignee")
    if form.to_status == "closed" and not form.note:
        raise ApiError(422, "close_reason_required", "关闭工单请写明原因 / closing a ticket needs a reason")
    changes: dict[str, Any] = {"status": form.to_status}  # the server stamps the time
    base: dict[str, Any] = {"status": form.base_status}
    if form.assignee:
        changes["assignee"] = form.assignee
        base["assignee"] = ticket["assignee"]
    if form.owner_signed and form.to_status == "done" and not ticket["owner_signed"]:
        changes["owner_signed"] = True
        base["owner_signed"] = ticket["owner_signed"]
    note = {"type": "note", "body": form.note} if form.note else None  # "status" lines: server
    return await change_ticket(request, ticket_id, form.version, base, changes, note)


async def open_ticket(request: DeskRequest, ticket_id: str, *, closed_ok: bool = False) -> dict[str, Any]:
    """The ticket the clerk acts on; a closed ticket is read-only (409) unless ``closed_ok``."""
    ticket = await store.ticket(ticket_id, scope=request.user.scope)
    if ticket is None:
        raise ApiError(404, "ticket_not_found", "找不到该工单 / no such ticket")
    if ticket["status"] == "closed" and not closed_ok:
        raise ApiError(409, "ticket_closed", "工单已关闭，只能查看 / the ticket is closed: read only")
    return ticket


@post("/desk/tickets/{ticket_id:str}/assign", name="desk.ticket_assign", include_in_schema=False)
async def assign(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, AssignForm)
    ticket = await open_ticket(request, ticket_id)
    # a department by name: no engineer any more (their phone drops it from 我的工单)
    return await change_ticket(request, ticket_id, form.version,
                               {"assignee": form.base_assignee, "assignee_id": ticket["assignee_id"]},
                               {"assignee": form.assignee, "assignee_id": None},
                               {"type": "assigned", "body": form.assignee})


@post("/desk/tickets/{ticket_id:str}/promise", name="desk.ticket_promise", include_in_schema=False)
async def promise(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, PromiseForm)
    await open_ticket(request, ticket_id)
    if form.promised_date < local_today(request).isoformat():
        raise ApiError(422, "promised_in_past", "承诺日期不能早于今天 / the promised date cannot be in the past")
    if not form.reason.strip():
        raise ApiError(422, "promise_reason_required",
                       "请写明不能立即修复的原因 / say why it cannot be repaired at once", {"field": "reason"})
    if not form.owner_told:
        raise ApiError(422, "owner_not_told", "请先把维修时间告知业主 / tell the owner the date first",
                       {"field": "owner_told"})
    # the same line as the engineer's phone writes: date · why · 已告知业主
    return await change_ticket(request, ticket_id, form.version,
                               {"promised_date": form.base_promised_date},
                               {"promised_date": form.promised_date},
                               {"type": "promised_date",
                                "body": f"{form.promised_date} · {form.reason.strip()} · 已告知业主"})


@post("/desk/tickets/{ticket_id:str}/sign-off", name="desk.ticket_sign_off", include_in_schema=False)
async def sign_off(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, Base)
    return await change_ticket(request, ticket_id, form.version, {"owner_signed": False},
                               {"owner_signed": True}, {"type": "sign_off"})


@post("/desk/tickets/{ticket_id:str}/callback", name="desk.ticket_callback", include_in_schema=False)
async def callback(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, CallbackForm)
    if not rules.allowed(form.base_status, "called_back"):
        raise ApiError(409, "transition_refused",
                       rules.refusal(form.base_status, "called_back", status_labels(request)))
    if form.satisfaction is None and not form.note:
        raise ApiError(422, "callback_reason_required",
                       "联系不上业主时请写明尝试情况 / say how the owner could not be reached")
    rated = f"{form.satisfaction}/5"
    if form.satisfaction is None:
        ticket = await open_ticket(request, ticket_id)
        terms, _ = await terms_store.of_estate(ticket["estate_id"])
        tried = await store.callback_attempts(ticket_id, scope=request.user.scope) + 1
        if tried < terms.callback_attempts:  # not yet: the attempt is recorded, the callback stays due
            return await add_line(request, ticket_id, "callback_attempt", form.note, form.attempt_id)
        rated = f"未联系上业主（共尝试 {tried} 次）"
    return await change_ticket(
        request, ticket_id, form.version, {"status": form.base_status, "satisfaction": None},
        {"status": "called_back", "satisfaction": form.satisfaction},
        {"type": "callback", "from_status": form.base_status, "to_status": "called_back",
         "body": f"{rated} {form.note}".strip()})


@post("/desk/tickets/{ticket_id:str}/escalate", name="desk.ticket_escalate", include_in_schema=False)
async def escalate(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, Base)
    await open_ticket(request, ticket_id)
    return await change_ticket(request, ticket_id, form.version, {"escalated": False},
                               {"escalated": True}, {"type": "escalated", "body": "desk"})


@post("/desk/tickets/{ticket_id:str}/validity", name="desk.ticket_validity", include_in_schema=False)
async def validity(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    """无效投诉 (应会 10): a complaint marked invalid with its category, or valid again; the
    merge refuses it on any other kind (``not_a_complaint``, ``sync/specs/tickets.py``)."""
    form = await form_of(request, ValidityForm)
    await open_ticket(request, ticket_id)
    return await change_ticket(request, ticket_id, form.version,
                               {"invalid_category": form.base_invalid_category},
                               {"invalid_category": form.invalid_category},
                               {"type": "validity", "body": form.invalid_category or ""})


@post("/desk/tickets/{ticket_id:str}/note", name="desk.ticket_note", include_in_schema=False)
async def note(request: DeskRequest, ticket_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, NoteForm)
    await open_ticket(request, ticket_id)
    return await add_line(request, ticket_id, "note", form.note, form.record_id)


async def add_line(request: DeskRequest, ticket_id: str, kind: str, body: str,
                   record_id: str | None) -> Redirect | Template:
    """A timeline line of the clerk's (a note, a callback that reached no one), then the page;
    ``record_id`` made with the form keeps a second submit from making a second line."""
    await writes.apply(request.user, [writes.create("ticket_event", {
        "ticket_id": ticket_id, "type": kind, "body": body, "author_id": request.user.user_id},
        record_id=record_id)])
    redirect = after_write(request, f"/desk/tickets/{ticket_id}")
    if redirect:
        return redirect
    context = await detail_context(request, ticket_id, saved=True)
    return Template(template_name="partials/desk/_ticket.html", context={**base_context(request), **context})


# --- escalations --------------------------------------------------------------------


@get("/desk/escalations", name="desk.escalations", include_in_schema=False)
async def escalations_page(request: DeskRequest) -> Template:
    at, scope = now(), request.user.scope
    return render(request, "escalations.html", "_escalations.html", {
        "rows": await store.escalated(at, scope=scope),
        "pending": len(await store.overdue_to_escalate(at, scope=scope))})


@post("/desk/escalations/sweep", name="desk.escalate_overdue", include_in_schema=False)
async def escalate_overdue(request: DeskRequest) -> Redirect | Template:
    """Escalate every overdue active ticket to the manager now (the timer does it every
    ``STEWARDSYNC_ESCALATION_MINUTES``)."""
    at = now()
    await escalation.sweep(request.user, at)
    redirect = after_write(request, "/desk/escalations")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_escalations.html", context={**base_context(request),
        "rows": await store.escalated(at, scope=request.user.scope), "pending": 0, "user": request.user})


# --- exports (a line per ticket; the callbacks list in field_work adds columns) ----------


TICKET_HEADERS = ["field.number", "field.title", "field.kind", "field.priority", "field.status", "field.place",
                  "field.assignee", "field.created_at", "field.due", "ticket.overdue"]


def ticket_line(request: DeskRequest, r: dict[str, Any], *extra: Any) -> list[Any]:
    """A ticket's row of an export, under ``TICKET_HEADERS`` (then ``extra``)."""
    lang = request_language(request)
    return [r["number"], r["title"], translate(lang, f"kind.{r['kind']}"), translate(lang, f"priority.{r['priority']}"),
            translate(lang, f"status.{r['status']}"), f"{r['building_code']} {r['unit_code'] or r['place']}".strip(),
            r["assignee"], local_time_of(request, r["created_at"]), local_time_of(request, r["resolve_due_at"]),
            translate(lang, "yes") if r.get("overdue") else "", *extra]


@export_list("tickets", page="desk.queue")
async def ticket_list(request: DeskRequest) -> Table:
    f = await store.with_search(queue_filter(request), scope=request.user.scope)
    lines: list[list[Any]] = []
    at = now()
    while len(lines) < MAX_ROWS:
        rows, cursor = await store.queue_rows(f, at, 1000, scope=request.user.scope)
        lines += [ticket_line(request, r) for r in rows]
        if cursor is None:
            break
        f = msgspec.structs.replace(f, after=cursor)
    return TICKET_HEADERS, lines


@export_list("escalations", page="desk.escalations")
async def escalation_list(request: DeskRequest) -> Table:
    rows = await store.escalated(now(), 10_000, scope=request.user.scope)
    return TICKET_HEADERS, [ticket_line(request, r) for r in rows]


ROUTES = [queue_page, intake_page, owner_search, intake, ticket_page, transition, assign, promise,
          sign_off, callback, escalate, validity, note, escalations_page, escalate_overdue]
nav_entry(NavEntry(href="/desk/tickets", key="nav.queue", route="desk.queue", order=10))
nav_entry(NavEntry(href="/desk/intake", key="nav.intake", route="desk.intake_page", order=20))
nav_entry(NavEntry(href="/desk/escalations", key="nav.escalations", route="desk.escalations", order=100))
