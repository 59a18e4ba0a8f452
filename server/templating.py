"""Jinja2 set-up shared by every page: translation, time display, security defaults."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from litestar.plugins.jinja import JinjaTemplateEngine

from server.device_names import device_name
from server.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, error_text, pick_language, translate
from server.policy import PUBLIC, roles_for
from server.settings import Settings
from sync.pricing import yuan


def request_language(request: Any) -> str:
    if request is None:
        return DEFAULT_LANGUAGE
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


@pass_context
def _t(ctx: Any, key: str, **params: Any) -> str:
    return translate(request_language(ctx.get("request")), key, **params)


@pass_context
def _lang(ctx: Any) -> str:
    return request_language(ctx.get("request"))


@pass_context
def _device_name(ctx: Any, label: str | None) -> str:
    return device_name(label, request_language(ctx.get("request")))


@pass_context
def _error_text(ctx: Any, code: str, message: str) -> str:
    return error_text(request_language(ctx.get("request")), code, message)


def local_time(value: str | None, fmt: str = "%Y-%m-%d %H:%M", *, tz: str) -> str:
    """An ISO UTC timestamp shown in the time zone ``tz`` (pages: the estate's,
    ``STEWARDSYNC_TIMEZONE``)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def path_segment(value: Any) -> str:
    """``value`` as one segment of a link's path: every character but letters, digits and
    ``-._~`` percent-escaped, so an id can never add segments, a query or markup
    (``href="/desk/tickets/{{ ticket.id | path }}"``)."""
    return quote(str(value), safe="")


def may(user: Any, route_name: str) -> bool:
    """Whether ``user`` may open the route named ``route_name`` (server.policy.ACCESS):
    pages show only the links their reader can follow."""
    allowed = roles_for(route_name)
    return allowed == PUBLIC or (user is not None and allowed is not None and user.role in allowed)


_NAV_SOURCE: list[Callable[[], Sequence[Any]]] = []


def provide_nav(entries: Callable[[], Sequence[Any]]) -> None:
    """Hand pages the desk's navigation links (``server.desk.registry`` calls this once with
    its accessor), so that this module reads them without importing the desk."""
    _NAV_SOURCE[:] = [entries]


def nav_entries() -> Sequence[Any]:
    """The navigation links in their order (``desk_base.html`` shows those ``may`` allows)."""
    return _NAV_SOURCE[0]() if _NAV_SOURCE else ()


def configure_templates(engine: JinjaTemplateEngine, *, settings: Settings) -> None:
    """Set up the page environment; times are shown in ``settings.timezone``."""
    env = engine.engine
    env.autoescape = True
    env.globals["t"] = _t
    env.globals["lang"] = _lang
    env.globals["error_text"] = _error_text
    env.filters["local_time"] = partial(local_time, tz=settings.timezone)
    env.filters["path"] = path_segment
    env.filters["yuan"] = yuan  # money in fen shown as yuan (sync.pricing)
    env.globals["may"] = may
    env.globals["device_name"] = _device_name
    env.globals["nav_entries"] = nav_entries
