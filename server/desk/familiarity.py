"""业主熟知 (issue 17): how well each steward's records of their households are kept (应会
1.1–1.3: complete records, key customers marked), household by household with what each
lacks and its customer class (应知 5), and the estate's 熟知率 / 满意率 targets, set by the
manager, each change audited (``server.store.familiarity``).

The household list names owners: office roles only, each read logged like the archive's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from server.desk.common import DeskRequest, chosen_estate, client_ip, local_today, parse_date, render, setting_context
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import audit
from server.store import familiarity as store
from server.templating import request_language
from sync.familiarity import CUSTOMER_CLASSES, RECORD_FIELDS, Target, Targets

grant({
    "desk.familiarity": OFFICE,
    "desk.familiarity_targets": MANAGEMENT,
    "desk.familiarity_targets_save": MANAGEMENT,
})

STANDARDS = ("A", "B")
MEASURES = ("familiarity", "satisfaction")


def _day(value: str, request: DeskRequest) -> date:
    if not value:
        return local_today(request)
    day = parse_date(value)
    if day is None:
        raise ApiError(422, "invalid_date", "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD")
    return day


async def chosen_steward(request: DeskRequest, steward_id: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    stewards = await store.stewards(scope=request.user.scope)
    chosen = next((s for s in stewards if s["id"] == steward_id), None) if steward_id else None
    if steward_id and chosen is None:
        raise ApiError(404, "steward_not_found", "找不到该管家 / no such steward")
    return stewards, chosen


async def familiarity_context(request: DeskRequest, day: date, steward_id: str) -> dict[str, Any]:
    """Each steward's record completeness on ``day``; with a steward chosen, their households."""
    scope = request.user.scope
    stewards, chosen = await chosen_steward(request, steward_id)
    for s in stewards:
        s["summary"] = store.summary(await store.households(day, scope=store.narrowed(scope, s["buildings"])))
    rows = await store.households(day, scope=store.narrowed(scope, chosen["buildings"])) if chosen else []
    if rows:
        await audit.record("archive_read", user_id=request.user.user_id, target="familiarity",
                           detail={"units": [r["unit_id"] for r in rows]}, ip=client_ip(request))
    return {"stewards": stewards, "chosen": chosen, "rows": rows, "day": day.isoformat(),
            "classes": CUSTOMER_CLASSES, "record_fields": RECORD_FIELDS}


@get("/desk/familiarity", name="desk.familiarity", include_in_schema=False)
async def page(request: DeskRequest, day: FromQuery[str] = "", steward_id: FromQuery[str] = "") -> Template:
    return render(request, "familiarity.html", "_familiarity.html",
                  await familiarity_context(request, _day(day, request), steward_id))


@export_list("familiarity", page="desk.familiarity", personal=True)
async def familiarity_list(request: DeskRequest) -> Table:
    """A steward's households (or every household of the scope) with their completeness."""
    day = _day(request.query_params.get("day", ""), request)
    _, chosen = await chosen_steward(request, request.query_params.get("steward_id", ""))
    scope = store.narrowed(request.user.scope, chosen["buildings"]) if chosen else request.user.scope
    rows = await store.households(day, scope=scope)
    lang = request_language(request)
    return (["field.building", "field.unit", "household.owner_name", "familiarity.class", "familiarity.key",
             "familiarity.completeness", "familiarity.missing"],
            [[r["building_code"], r["unit_code"], r["owner_name"],
              translate(lang, f"customer_class.{r['customer_class']}") if r["customer_class"] else "",
              translate(lang, "yes") if r["key"] else "", r["completeness"],
              "、".join(translate(lang, f"household.{f}") for f in r["missing"])] for r in rows])


# --- the estate's targets --------------------------------------------------------------------


async def _targets_context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    return await setting_context(request, estate_id, store.of_estate, "targets", classes=CUSTOMER_CLASSES,
                                 standards=STANDARDS, measures=MEASURES, **extra)


@get("/desk/settings/familiarity", name="desk.familiarity_targets", include_in_schema=False)
async def targets_page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "familiarity_targets.html", "_familiarity_targets.html",
                  await _targets_context(request, estate_id))


def targets_of(values: dict[str, Any]) -> Targets:
    """The form's targets: a whole percentage 1–100 per class, standard and measure."""
    classes: dict[str, dict[str, Target]] = {}
    for customer in CUSTOMER_CLASSES:
        classes[customer] = {}
        for level in STANDARDS:
            figures: dict[str, int] = {}
            for measure in MEASURES:
                name = f"{customer}_{level}_{measure}"
                raw = str(values.get(name) or "").strip()
                if not raw.isdigit() or not 1 <= int(raw) <= 100:
                    raise ApiError(422, "invalid_target", "目标应为 1 到 100 的整数百分比 / a target is a whole "
                                   "percentage from 1 to 100", {"field": name})
                figures[measure] = int(raw)
            classes[customer][level] = Target(**figures)
    return Targets(classes=classes)


@post("/desk/settings/familiarity", name="desk.familiarity_targets_save", include_in_schema=False)
async def targets_save(request: DeskRequest) -> Template | Redirect:
    form = await request.form()
    values = {k: form.get(k) for k in form.keys()}
    context = await chosen_estate(request, str(values.get("estate_id") or ""))
    estate_id = context["estate"]["id"]
    await store.set_targets(estate_id, targets_of(values), user_id=request.user.user_id, ip=client_ip(request))
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/settings/familiarity?estate_id={estate_id}", status_code=303)
    return render(request, "familiarity_targets.html", "_familiarity_targets.html",
                  await _targets_context(request, estate_id, saved=True))


ROUTES = [page, targets_page, targets_save]
nav_entry(NavEntry(href="/desk/familiarity", key="nav.familiarity", route="desk.familiarity", order=85))
nav_entry(NavEntry(href="/desk/settings/familiarity", key="nav.familiarity_targets",
                   route="desk.familiarity_targets", order=117))
