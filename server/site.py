"""The landing page and the health check."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.response import Redirect, Template

from server.i18n import LANG_COOKIE, LANGUAGES


class Health(msgspec.Struct):
    """Anyone may ask; it tells whether the process and its database answer, nothing
    about what runs (the version and engine are in the admin's own pages and logs)."""

    status: str
    database: str


@get("/", include_in_schema=False, name="landing")
async def landing(request: Request[Any, Any, Any]) -> Template:
    response = Template(template_name="pages/landing.html")
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


@get("/health", name="health", tags=["ops"], summary="Liveness and database check", cache=False)
async def health(request: Request[Any, Any, Any]) -> Response[Health]:
    try:
        await request.app.state.engine.run_ddl("SELECT 1")
        ok = True
    except Exception:  # any driver failure means "not ready"
        ok = False
    body = Health(status="ok" if ok else "degraded", database="ok" if ok else "unreachable")
    return Response(body, status_code=200 if ok else 503)


@get("/favicon.ico", name="favicon", include_in_schema=False)
async def favicon() -> Redirect:
    """Browsers ask for it whatever the page says: the app's icon."""
    return Redirect("/static/app/icons/icon-192.png", status_code=301)


SITE_ROUTES = [landing, health, favicon]
