"""What every desk page shares: rendering a page or its partial, the clock, form parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.response import Redirect, Template

from server.auth.principal import Principal
from server.clock import iso, now_iso
from server.errors import ApiError
from server.store import places

DeskRequest = Request[Principal, Any, Any]


async def chosen_estate(request: DeskRequest, estate_id: str) -> dict[str, Any]:
    """The estate a settings page shows (the first in scope unless one is chosen), and all
    of the user's estates for the chooser; one out of scope is 404."""
    estates = await places.estates(scope=request.user.scope)
    chosen = next((e for e in estates if e["id"] == estate_id), None) if estate_id else \
        (estates[0] if estates else None)
    if chosen is None:
        raise ApiError(404, "unknown_estate", "找不到该项目 / no such estate")
    return {"estate": chosen, "estates": estates}


async def setting_context(request: DeskRequest, estate_id: str, read: Callable[[str], Awaitable[tuple[Any, bool]]],
                          name: str, **extra: Any) -> dict[str, Any]:
    """What an estate-settings page shows: the chosen estate (``chosen_estate``), its setting
    read by ``read`` under ``name``, and ``own`` (False: the seeds' figures)."""
    context = await chosen_estate(request, estate_id)
    value, own = await read(context["estate"]["id"])
    return {**context, name: value, "own": own, **extra}


def render(request: DeskRequest, page: str, partial: str, context: dict[str, Any],
           *, status_code: int = 200, headers: dict[str, str] | None = None) -> Template:
    """The full page, or only its partial for an HTMX request (the page ``include``s it)."""
    is_htmx = bool(request.headers.get("hx-request")) and not request.headers.get("hx-boosted")
    name = f"partials/desk/{partial}" if is_htmx else f"pages/desk/{page}"
    return Template(template_name=name, context={**base_context(request), **context},
                    status_code=status_code, headers=headers or {})


def base_context(request: DeskRequest) -> dict[str, Any]:
    params = {k: v for k, v in request.query_params.items() if v}

    def qs(**changes: str | None) -> str:
        """The current query string with some parameters changed (None drops one)."""
        merged = {**params, **changes}
        return urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    return {"user": request.user, "qs": qs, "params": params}


def after_write(request: DeskRequest, location: str) -> Redirect | None:
    """A plain form post gets a redirect (post/redirect/get); an HTMX one gets None and
    the caller renders the partial in place."""
    if request.headers.get("hx-request"):
        return None
    return Redirect(location, status_code=303)


def tz(request: DeskRequest) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def local_today(request: DeskRequest) -> date:
    return datetime.now(tz(request)).date()


def day_bounds(request: DeskRequest, day: date) -> tuple[str, str]:
    """[start, end) of a local calendar day as ISO UTC text."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz(request))
    return iso(start.astimezone(UTC)), iso((start + timedelta(days=1)).astimezone(UTC))


def now() -> str:
    return now_iso()


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def client_ip(request: DeskRequest) -> str:
    return request.client.host if request.client else ""


def local_time_of(request: DeskRequest, value: str | None) -> str:
    """An ISO UTC timestamp in the estate's time zone, for exports."""
    from server.templating import local_time

    return local_time(value, tz=request.app.state.settings.timezone)
