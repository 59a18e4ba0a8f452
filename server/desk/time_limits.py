"""时限设置: the estate's time limits, read by the manager and changed by the manager, each
change audited (``server.store.terms``). A new ticket, and a ticket whose kind or priority
changes, takes its due times from them; the seeds' figures are marked as such."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from server.desk.common import DeskRequest, chosen_estate, client_ip, render
from server.desk.forms import label
from server.desk.registry import NavEntry, nav_entry
from server.errors import ApiError
from server.policy import MANAGEMENT, grant
from server.store import terms as store
from sync.sla import FROM_SEEDS, DueRules, Terms

grant({"desk.time_limits": MANAGEMENT, "desk.time_limits_save": MANAGEMENT})

MAX_MINUTES = 30 * 24 * 60  # a limit longer than 30 days is a typing mistake
FACTORS = (0.1, 10.0)
ATTEMPTS = (1, 10)  # callbacks that reach no one before 未联系上业主 completes the callback


async def _context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    context = await chosen_estate(request, estate_id)
    terms, own = await store.of_estate(context["estate"]["id"])
    return {**context, "rules": terms.due["ticket"], "attempts": terms.callback_attempts, "own": own,
            "from_seeds": FROM_SEEDS, **extra}


@get("/desk/settings/time-limits", name="desk.time_limits", include_in_schema=False)
async def page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "time_limits.html", "_time_limits.html", await _context(request, estate_id))


def _number(values: dict[str, Any], field: str, low: float, high: float, kind: type) -> Any:
    """A limit in minutes (``int``) or a factor (``float``) within its bounds, else 422."""
    raw = str(values.get(field) or "").strip()
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        zh, en = label(field)
        unit = (" 分钟", " minutes") if kind is int and field != "callback_attempts" else ("", "")
        raise ApiError(422, "invalid_form", f"“{zh}”应在 {low:g} 到 {high:g}{unit[0]}之间 / {en}: "
                       f"between {low:g} and {high:g}{unit[1]}", {"field": field})
    return value


def rules_of(values: dict[str, Any], seed: DueRules) -> DueRules:
    """The form's limits (minutes per kind, factors per priority), each checked."""
    limits: dict[str, tuple[int, int]] = {}
    for kind in seed.limits:
        response = _number(values, f"{kind}_response", 1, MAX_MINUTES, int)
        resolve = _number(values, f"{kind}_resolve", 1, MAX_MINUTES, int)
        if response > resolve:
            raise ApiError(422, "response_after_resolve", "响应时限不能晚于处理时限 / the response limit "
                           "cannot be longer than the resolve limit", {"field": f"{kind}_response"})
        limits[kind] = (response, resolve)
    factors = {p: _number(values, f"factor_{p}", *FACTORS, float) for p in seed.priority_factor}
    urgent = _number(values, "urgent_response", 1, MAX_MINUTES, int)
    return DueRules(limits=limits, priority_factor=factors, urgent_response=urgent)


@post("/desk/settings/time-limits", name="desk.time_limits_save", include_in_schema=False)
async def save(request: DeskRequest) -> Template | Redirect:
    form = await request.form()
    values = {k: form.get(k) for k in form.keys()}
    context = await chosen_estate(request, str(values.get("estate_id") or ""))
    estate_id = context["estate"]["id"]
    current, _ = await store.of_estate(estate_id)
    rules = rules_of(values, current.due["ticket"])
    attempts = _number(values, "callback_attempts", *ATTEMPTS, int)
    await store.set_terms(estate_id, msgspec.structs.replace(current, due={**current.due, "ticket": rules},
                                                             callback_attempts=attempts),
                          user_id=request.user.user_id, ip=client_ip(request))
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/settings/time-limits?estate_id={estate_id}", status_code=303)
    return render(request, "time_limits.html", "_time_limits.html", await _context(request, estate_id, saved=True))


ROUTES = [page, save]
nav_entry(NavEntry(href="/desk/settings/time-limits", key="nav.time_limits", route="desk.time_limits", order=118))
