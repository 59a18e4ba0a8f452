"""上报事项: findings the handbook says a steward reports upward (脱岗、窜岗、聚堆; 放行条未执行,
``schemas.vocab.REPORTED_FINDINGS``), listed for the supervisor until someone marks each
handled with a note. Marking goes through the sync merge (``finding.handled``): phones see
it on their next pull, the server stamps who and when (``sync/specs/patrol.py``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from schemas.limits import Text
from schemas.vocab import REPORTED_FINDINGS
from server import writes
from server.desk.common import DeskRequest, after_write, base_context, local_time_of, render
from server.desk.forms import form_of
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import OFFICE, grant
from server.store import field_work as store
from server.templating import request_language
from sync.scope import Scope

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.reports": OFFICE,
    "desk.report_handle": OFFICE,
})

RECENTLY_HANDLED = 20


async def reports_context(scope: Scope) -> dict[str, Any]:
    return {"waiting": await store.reported_findings(scope=scope, handled=False),
            "handled": await store.reported_findings(scope=scope, handled=True, limit=RECENTLY_HANDLED)}


@get("/desk/reports", name="desk.reports", include_in_schema=False)
async def reports(request: DeskRequest) -> Template:
    """The supervisor's list: reported findings not yet handled (oldest first), then the
    latest handled ones with who handled them, when and how."""
    return render(request, "reports.html", "_reports.html", await reports_context(request.user.scope))


class HandleForm(msgspec.Struct, kw_only=True):
    version: int
    note: Text[2000]


@post("/desk/reports/{finding_id:str}", name="desk.report_handle", include_in_schema=False)
async def handle(request: DeskRequest, finding_id: FromPath[str]) -> Redirect | Template:
    """Mark a reported finding handled, with what was done (the note is required: the
    supervisor's answer is the record of the report); a finding not of a reported kind,
    not in scope, or already handled is refused and nothing changes."""
    form = await form_of(request, HandleForm)  # an empty note is refused there (invalid_form)
    found = await store.findings_by_id([finding_id], scope=request.user.scope)
    if not found or found[0]["kind"] not in REPORTED_FINDINGS:
        raise ApiError(404, "finding_not_found", "找不到该上报事项 / no such reported finding")
    finding = found[0]
    if finding["handled"]:
        raise ApiError(409, "already_handled", "该事项已处理，请刷新 / already handled: reload")
    await writes.apply(request.user, [writes.update(
        "finding", finding_id, form.version, {"handled": False, "handled_note": finding["handled_note"]},
        {"handled": True, "handled_note": form.note})])
    redirect = after_write(request, "/desk/reports")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_reports.html",
                    context={**base_context(request), **await reports_context(request.user.scope), "saved": True})


@export_list("reports", page="desk.reports")
async def report_list(request: DeskRequest) -> Table:
    ctx = await reports_context(request.user.scope)
    lang = request_language(request)
    return (["field.time", "field.building", "field.kind", "field.steward", "field.description"],
            [[local_time_of(request, f["occurred_at"]), f["building_code"], translate(lang, f"finding.{f['kind']}"),
              f["steward"], f["description"]] for f in ctx["waiting"]])


ROUTES = [reports, handle]
nav_entry(NavEntry(href="/desk/reports", key="nav.reports", route="desk.reports", order=75))
