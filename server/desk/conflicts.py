"""The conflicts inbox: both values and the rule that decided; "keep" or "take the other"
go through the sync merge (the record's field and the conflict's status), so phones see
the outcome on their next pull.

Values are shown as the viewer's role may read them, masked like the archive (a conflict
can hold a whole household); a page or export that shows a household's values is written
to the audit log as an archive read, and the export is a personal one."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server import writes
from server.desk.common import DeskRequest, after_write, base_context, client_ip, render
from server.desk.forms import form_of
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import OFFICE, grant
from server.store import audit
from server.store import conflicts as store
from server.templating import request_language
from sync import policy

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.conflicts": OFFICE,
    "desk.conflict_resolve": OFFICE,
})

REVERSIBLE = ("field", "status")  # kinds where "take the other" means one field's value


async def inbox_context(request: DeskRequest, include_resolved: bool, *, audit_as: str) -> dict[str, Any]:
    """The inbox as the viewer may see it; showing a household's values is an archive read,
    logged under ``audit_as`` (the page, or its export)."""
    lang = request_language(request)

    def field_label(field: str) -> str:
        for key in (f"field.{field}", f"household.{field}"):
            if (text := translate(lang, key)) != key:
                return text
        return field

    def value_label(field: str | None, value: Any) -> str:
        if field == "status" and isinstance(value, str):
            return translate(lang, f"status.{value}")
        if isinstance(value, bool):
            return translate(lang, "yes" if value else "no")
        return "—" if value in (None, "") else str(value)

    rows = await store.inbox_as(request.user.role, scope=request.user.scope, include_resolved=include_resolved)
    households = policy.personal_records("conflict", rows)
    if households:
        await audit.record("archive_read", user_id=request.user.user_id, target=audit_as, ip=client_ip(request),
                           detail={"households": sorted(set(households)), "conflicts": len(households)})
    return {"rows": rows, "include_resolved": include_resolved,
            "reversible": REVERSIBLE, "field_label": field_label, "value_label": value_label}


@get("/desk/conflicts", name="desk.conflicts", include_in_schema=False)
async def inbox(request: DeskRequest, all: FromQuery[bool] = False) -> Template:  # noqa: A002
    return render(request, "conflicts.html", "_conflicts.html", await inbox_context(request, all, audit_as="conflicts"))


class ResolveForm(msgspec.Struct, kw_only=True):
    version: int
    decision: Annotated[str, msgspec.Meta(pattern="^(keep|take_other)$")]


@post("/desk/conflicts/{conflict_id:str}", name="desk.conflict_resolve", include_in_schema=False)
async def resolve(request: DeskRequest, conflict_id: FromPath[str]) -> Redirect | Template:
    form = await form_of(request, ResolveForm)
    found = await store.conflict(conflict_id, scope=request.user.scope)
    if found is None:
        raise ApiError(404, "conflict_not_found", "找不到该冲突 / no such conflict")
    if found["status"] != "open":
        raise ApiError(409, "conflict_resolved", "该冲突已处理 / this conflict was already resolved")
    if form.decision == "take_other":
        await take_other(request, found)  # first, alone: a refusal leaves the conflict open
    status = "kept" if form.decision == "keep" else "reversed"
    await writes.apply(request.user, [writes.update("conflict", conflict_id, form.version,
                                                    {"status": "open"}, {"status": status})])
    await audit.record("conflict_resolve", user_id=request.user.user_id, target=conflict_id,
                       detail={"decision": status, "collection": found["collection"]}, ip=client_ip(request))
    redirect = after_write(request, "/desk/conflicts")
    if redirect:
        return redirect
    return Template(template_name="partials/desk/_conflicts.html",
                    context={**base_context(request), **await inbox_context(request, False, audit_as="conflicts"),
                             "saved": True})


async def take_other(request: DeskRequest, found: dict[str, Any]) -> None:
    """Write the discarded value back into the record, through the merge."""
    if found["kind"] not in REVERSIBLE or not found["field"]:
        raise ApiError(422, "not_reversible", "此类冲突只能保留当前值 / this conflict can only be kept")
    target = await store.record(found["collection"], found["record_id"], scope=request.user.scope)
    if target is None:
        raise ApiError(404, "record_not_found", "记录已不存在 / the record is gone")
    field = found["field"]
    outcome = await writes.apply(request.user, [writes.update(
        found["collection"], found["record_id"], target["version"], {field: target[field]},
        {field: found["lost_value"]})])
    if outcome.conflicts:
        raise ApiError(409, "conflict_moved", "记录在此期间又被修改，请刷新后再处理 / the record changed meanwhile: reload")


@export_list("conflicts", page="desk.conflicts", personal=True)  # a conflict may hold a household
async def conflict_list(request: DeskRequest) -> Table:
    ctx = await inbox_context(request, request.query_params.get("all") == "true", audit_as="conflicts_export")
    return (["conflicts.record", "conflict.field", "conflict.kept", "conflict.lost", "conflicts.rule", "field.status"],
            [[f"{c['collection']} {c['record_id']}", c["field"] or c["kind"],
              msgspec.json.encode(c["kept_value"]).decode(), msgspec.json.encode(c["lost_value"]).decode(),
              c["rule"], c["status"]] for c in ctx["rows"]])


ROUTES = [inbox, resolve]
nav_entry(NavEntry(href="/desk/conflicts", key="nav.conflicts", route="desk.conflicts", order=90))
