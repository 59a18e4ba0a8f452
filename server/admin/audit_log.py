"""The manager's audit log page: filters, newest first, keyset paging ("more")."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import get
from litestar.params import FromQuery, Parameter
from litestar.response import Template

from server.auth.routes import NO_CONTROL
from server.admin import audit_words
from server.admin.common import AdminRequest, render
from server.clock import iso
from server.desk.registry import NavEntry, nav_entry
from server.store import audit, staff
from server.store.field_work import staff_outside
from server.templating import request_language

PAGE_SIZE = 50


def _local_day_start(request: AdminRequest, day: date | None, plus_days: int = 0) -> str | None:
    if day is None:
        return None
    zone = ZoneInfo(request.app.state.settings.timezone)
    return iso(datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=plus_days))


@get("/admin/audit", name="admin.audit", include_in_schema=False)
async def audit_page(
    request: AdminRequest,
    action: Annotated[str | None, Parameter(max_length=40, pattern=NO_CONTROL)] = None,
    user: Annotated[str | None, Parameter(max_length=36, pattern=NO_CONTROL)] = None,
    target: Annotated[str | None, Parameter(max_length=100, pattern=NO_CONTROL)] = None,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
    before: Annotated[int | None, Parameter(ge=1)] = None,
    limit: Annotated[int, Parameter(ge=1, le=audit.MAX_PAGE)] = PAGE_SIZE,
) -> Template:
    found = await audit.page(
        action=action if action in audit.AUDIT_ACTIONS else None, user_id=user or None,
        target=target or None, since=_local_day_start(request, since),
        until=_local_day_start(request, until, 1), before=before, limit=limit)
    scope = request.user.scope
    outside = await staff_outside(scope=scope)  # the reader's estates' people only
    entries = [e for e in found.entries if e.user_id not in outside]
    people = {u.id: u for u in await staff.list_users() if u.id not in outside}
    named = await audit_words.names(entries, scope=scope)
    lang = request_language(request)
    filters = {"action": action or "", "user": user or "", "target": target or "",
               "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    return render(request, "audit.html", {
        "page": msgspec.structs.replace(found, entries=entries), "people": people, "named": named,
        "actions": audit.AUDIT_ACTIONS, "filters": filters,
        "more_query": {**filters, "before": found.next_before, "limit": limit},
        "details": lambda d: audit_words.detail_items(lang, d, named),
    }, partial="_audit_rows.html" if before else None)


ROUTES = [audit_page]
nav_entry(NavEntry(href="/admin/audit", key="admin.nav.audit", route="admin.audit", order=130))
