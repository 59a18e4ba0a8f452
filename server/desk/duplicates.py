"""Duplicate findings: the same place and kind reported by different stewards within a
short window (or saved twice by one steward within minutes), proposed as one ticket; the clerk confirms (one ticket, findings linked) or
splits (one ticket each). Both go through the sync merge."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from schemas.limits import one_line
from server import writes
from server.clock import iso, parse_iso
from server.desk.common import DeskRequest, after_write, base_context, local_time_of, now, render
from server.desk.forms import form_of
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.policy import OFFICE, grant
from server.store import field_work as store
from sync.scope import Scope

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.duplicates": OFFICE,
    "desk.duplicates_decide": OFFICE,
})

LOOK_BACK_DAYS = 7
DEFAULT_WINDOW_HOURS = 24


async def duplicates_context(scope: Scope, window: float) -> dict[str, Any]:
    since = iso(parse_iso(now()) - timedelta(days=LOOK_BACK_DAYS))
    return {"groups": await store.duplicate_groups(since, window, scope=scope), "window": window}


@get("/desk/duplicates", name="desk.duplicates", include_in_schema=False)
async def duplicates(request: DeskRequest, window: FromQuery[float] = DEFAULT_WINDOW_HOURS) -> Template:
    if not 0 < window <= 24 * LOOK_BACK_DAYS:
        raise ApiError(422, "invalid_window", "时间窗口应在 0 到 168 小时之间 / window must be 0–168 h")
    return render(request, "duplicates.html", "_duplicates.html", await duplicates_context(request.user.scope, window))


class GroupForm(msgspec.Struct, kw_only=True):
    finding_ids: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]  # comma-separated
    decision: Annotated[str, msgspec.Meta(pattern="^(confirm|split)$")]


def _ticket_for(findings: list[dict[str, Any]]) -> Any:
    first = findings[0]
    return writes.create("ticket", {
        "kind": "patrol_finding", "priority": "high" if first["severity"] in ("high", "critical") else "normal",
        "title": one_line(first["description"] or first["kind"])[:40], "description": "\n".join(
            f["description"] for f in findings if f["description"]),
        "place": first["floor"] or first["area"] or "", "channel": "patrol",
        "source_finding_id": first["id"]})


def _link(finding: dict[str, Any], ticket_id: str) -> Any:
    return writes.update("finding", finding["id"], finding["version"], {"ticket_id": None},
                         {"ticket_id": ticket_id})


@post("/desk/duplicates", name="desk.duplicates_decide", include_in_schema=False)
async def decide(request: DeskRequest) -> Redirect | Template:
    form = await form_of(request, GroupForm)
    ids = [i for i in form.finding_ids.split(",") if i]
    findings = sorted(await store.findings_by_id(ids, scope=request.user.scope), key=lambda f: f["occurred_at"])
    if len(findings) != len(ids) or any(f["ticket_id"] for f in findings):
        raise ApiError(409, "findings_changed", "这些发现已被处理或已删除，请刷新 / findings already handled: reload")
    mutations: list[Any] = []
    for group in [findings] if form.decision == "confirm" else [[f] for f in findings]:
        ticket = _ticket_for(group)
        mutations += [ticket, *[_link(f, ticket.id) for f in group]]
    await writes.apply(request.user, mutations)
    redirect = after_write(request, "/desk/duplicates")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_duplicates.html",
                    context={**base_context(request), **await duplicates_context(request.user.scope, DEFAULT_WINDOW_HOURS), "saved": True})


@export_list("duplicates", page="desk.duplicates")
async def duplicate_list(request: DeskRequest) -> Table:
    ctx = await duplicates_context(request.user.scope, DEFAULT_WINDOW_HOURS)
    return (["field.building", "field.place", "field.kind", "field.time", "field.steward", "field.description"],
            [[f["building_code"], f["floor"] or f["area"] or "", f["kind"], local_time_of(request, f["occurred_at"]),
              f["steward"], f["description"]] for group in ctx["groups"] for f in group])


ROUTES = [duplicates, decide]
nav_entry(NavEntry(href="/desk/duplicates", key="nav.duplicates", route="desk.duplicates", order=40))
