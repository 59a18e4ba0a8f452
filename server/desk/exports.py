"""Export of any desk list to CSV or XLSX, with the same filters as the page and the same
field policy; every export is written to the audit log (counts and ids only).

The lists themselves are registered by their capabilities' desk modules
(``server.desk.registry.export_list``); this module serves them."""

from __future__ import annotations

from litestar import Response, get
from litestar.params import FromPath

from server.desk.common import DeskRequest, client_ip, now
from server.desk.registry import export_lists
from server.errors import ApiError
from server.i18n import translate
from server.policy import OFFICE, grant
from server.store import audit, exports
from server.templating import may, request_language

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.export": OFFICE,
})

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@get("/desk/export/{name:str}", name="desk.export", include_in_schema=False)
async def export(request: DeskRequest, name: FromPath[str]) -> Response[bytes]:
    list_name, _, fmt = name.rpartition(".")
    lists = export_lists()
    if list_name not in lists or fmt not in MEDIA:
        raise ApiError(404, "unknown_export", "没有这个导出 / no such export: "
                       f"{', '.join(sorted(lists))} as .csv or .xlsx")
    listed = lists[list_name]
    if not may(request.user, listed.page):  # who may not open the page may not export it
        raise ApiError(403, "forbidden", "您的角色无权执行此操作 / your role may not do this")
    keys, rows = await listed.build(request)
    lang = request_language(request)
    headers = [translate(lang, k) for k in keys]
    body = exports.to_csv(headers, rows) if fmt == "csv" else exports.to_xlsx(list_name, headers, rows)
    await audit.record("export", user_id=request.user.user_id, target=list_name, ip=client_ip(request),
                       detail={"format": fmt, "rows": len(rows), "personal": listed.personal,
                               "filters": sorted(k for k in request.query_params if request.query_params[k])})
    filename = f"{list_name}-{now()[:10]}.{fmt}"
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


ROUTES = [export]
