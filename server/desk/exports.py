"""Export of any desk list to CSV or XLSX, with the same filters as the page and the same
field policy; every export is written to the audit log (counts and ids only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Response, get
from litestar.params import FromPath

from server.desk import conflicts, duplicates, field_work, kpi, tickets
from server.desk.common import DeskRequest, client_ip, local_time_of, now
from server.errors import ApiError
from server.i18n import translate
from server.store import archive as archive_store
from server.store import audit, exports
from server.store import field_work as field_store
from server.store import tickets as ticket_store
from server.templating import request_language

Table = tuple[list[str], list[list[Any]]]  # header keys, rows
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _ticket_line(request: DeskRequest, r: dict[str, Any], *extra: Any) -> list[Any]:
    lang = request_language(request)
    return [r["number"], r["title"], translate(lang, f"kind.{r['kind']}"), translate(lang, f"priority.{r['priority']}"),
            translate(lang, f"status.{r['status']}"), f"{r['building_code']} {r['unit_code'] or r['place']}".strip(),
            r["assignee"], local_time_of(request, r["created_at"]), local_time_of(request, r["resolve_due_at"]),
            translate(lang, "yes") if r.get("overdue") else "", *extra]


TICKET_HEADERS = ["field.number", "field.title", "field.kind", "field.priority", "field.status", "field.place",
                  "field.assignee", "field.created_at", "field.due", "ticket.overdue"]


async def ticket_list(request: DeskRequest) -> Table:
    f = tickets.queue_filter(request)
    lines: list[list[Any]] = []
    at = now()
    while len(lines) < exports.MAX_ROWS:
        rows, cursor = await ticket_store.queue_rows(f, at, 1000, scope=request.user.scope)
        lines += [_ticket_line(request, r) for r in rows]
        if cursor is None:
            break
        f = msgspec.structs.replace(f, after=cursor)
    return TICKET_HEADERS, lines


async def callback_list(request: DeskRequest) -> Table:
    ctx = await field_work.callbacks_context(request, request.query_params.get("day", ""))
    return TICKET_HEADERS + ["field.done_at", "field.reporter_phone"], [
        _ticket_line(request, r, local_time_of(request, r["done_at"]), r["reporter_phone"]) for r in ctx["rows"]]


async def escalation_list(request: DeskRequest) -> Table:
    return TICKET_HEADERS, [_ticket_line(request, r) for r in await ticket_store.escalated(now(), 10_000, scope=request.user.scope)]


async def vacant_list(request: DeskRequest) -> Table:
    ctx = await field_work.vacant_context(request, request.query_params.get("building_id", ""))
    return (["field.building", "field.unit", "vacant.last_check", "vacant.overdue", "vacant.defects",
             "vacant.water", "vacant.electric"],
            [[r["building_code"], r["code"], r["last"]["week"] if r["last"] else "", "✔" if r["overdue"] else "",
              " ".join(r["defects"]), r["water_use"], r["electric_use"]] for r in ctx["rows"]])


async def patrol_list(request: DeskRequest) -> Table:
    ctx = await field_work.patrols_context(request, request.query_params.get("day", ""))
    lang = request_language(request)
    return (["field.building", "field.time", "field.kind", "field.severity", "field.steward", "field.description"],
            [[building, local_time_of(request, f["occurred_at"]), translate(lang, f"finding.{f['kind']}"),
              translate(lang, f"severity.{f['severity']}"), f["steward"], f["description"]]
             for building, found in ctx["findings"].items() for f in found])


async def steward_list(request: DeskRequest) -> Table:
    rows = await field_store.stewards(scope=request.user.scope)
    return (["field.steward", "stewards.device", "stewards.last_push", "stewards.last_pull", "stewards.pending"],
            [[u["display_name"], d["label"], local_time_of(request, d["last_push_at"]),
              local_time_of(request, d["last_pull_at"]), d["reported_pending"]]
             for u in rows for d in (u["devices"] or [{"label": "", "last_push_at": None, "last_pull_at": None,
                                                        "reported_pending": None}])])


async def conflict_list(request: DeskRequest) -> Table:
    ctx = await conflicts.inbox_context(request.user.scope, request.query_params.get("all") == "true")
    return (["conflicts.record", "conflict.field", "conflict.kept", "conflict.lost", "conflicts.rule", "field.status"],
            [[f"{c['collection']} {c['record_id']}", c["field"] or c["kind"], msgspec.json.encode(c["kept_value"]).decode(),
              msgspec.json.encode(c["lost_value"]).decode(), c["rule"], c["status"]] for c in ctx["rows"]])


async def duplicate_list(request: DeskRequest) -> Table:
    ctx = await duplicates.duplicates_context(request.user.scope, duplicates.DEFAULT_WINDOW_HOURS)
    return (["field.building", "field.place", "field.kind", "field.time", "field.steward", "field.description"],
            [[f["building_code"], f["floor"] or f["area"] or "", f["kind"], local_time_of(request, f["occurred_at"]),
              f["steward"], f["description"]] for group in ctx["groups"] for f in group])


async def archive_list(request: DeskRequest) -> Table:
    found = await archive_store.search(request.query_params.get("q", "")[:50], request.user.role,
                                      scope=request.user.scope)
    fields = [f for f in archive_store.HOUSEHOLD_FIELDS if f != "co_residents"]
    rows = [[u["building_code"], u["code"], *[(u["household"] or {}).get(f, "") for f in fields]] for u in found]
    return ["field.building", "field.unit", *[f"household.{f}" for f in fields]], rows


async def kpi_list(request: DeskRequest) -> Table:
    ctx = await kpi.kpi_context(request, request.query_params.get("month", ""),
                                request.query_params.get("building_id", ""))
    return (["kpi.month", "kpi.title", "kpi.numerator", "kpi.denominator", "kpi.value", "kpi.target"],
            [[ctx["month"], translate(request_language(request), f"kpi.{k.key}"), k.numerator, k.denominator,
              round(k.value * 100, 2) if k.value is not None else "", round(k.target * 100, 2)] for k in ctx["kpis"]])


LISTS: dict[str, Callable[[DeskRequest], Awaitable[Table]]] = {
    "tickets": ticket_list, "callbacks": callback_list, "escalations": escalation_list,
    "vacant": vacant_list, "patrols": patrol_list, "stewards": steward_list,
    "conflicts": conflict_list, "duplicates": duplicate_list, "archive": archive_list, "kpi": kpi_list,
}
MANAGEMENT_ONLY = {"kpi"}  # as the page itself
PERSONAL = {"archive", "callbacks"}  # lists that carry owners' personal data


@get("/desk/export/{name:str}", name="desk.export", include_in_schema=False)
async def export(request: DeskRequest, name: FromPath[str]) -> Response[bytes]:
    list_name, _, fmt = name.rpartition(".")
    if list_name not in LISTS or fmt not in MEDIA:
        raise ApiError(404, "unknown_export", "没有这个导出 / no such export: "
                       f"{', '.join(sorted(LISTS))} as .csv or .xlsx")
    if list_name in MANAGEMENT_ONLY and request.user.role not in ("manager", "admin"):
        raise ApiError(403, "forbidden", "您的角色无权执行此操作 / your role may not do this")
    keys, rows = await LISTS[list_name](request)
    lang = request_language(request)
    headers = [translate(lang, k) for k in keys]
    body = exports.to_csv(headers, rows) if fmt == "csv" else exports.to_xlsx(list_name, headers, rows)
    await audit.record("export", user_id=request.user.user_id, target=list_name, ip=client_ip(request),
                       detail={"format": fmt, "rows": len(rows), "personal": list_name in PERSONAL,
                               "filters": sorted(k for k in request.query_params if request.query_params[k])})
    filename = f"{list_name}-{now()[:10]}.{fmt}"
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


ROUTES = [export]
