"""The household archive: search and the unit page; every read of personal data is logged."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from server.desk.common import DeskRequest, client_ip, local_today, parse_date, render
from server.desk.estate_forms import co_residents_text
from server.desk.registry import NavEntry, Table, export_list, nav_entry, unit_sections
from server.errors import ApiError
from server.policy import OFFICE, grant
from server.store import archive as store
from server.store import audit, evidence
from sync import familiarity

grant({  # who may open this module's routes (server.policy.ACCESS)
    "desk.archive": OFFICE,
    "desk.archive_unit": OFFICE,
    "desk.id_number": OFFICE,
})


@get("/desk/archive", name="desk.archive", include_in_schema=False)
async def archive_search(request: DeskRequest, q: FromQuery[str] = "") -> Template:
    found = await store.search(q[:50], request.user.role, scope=request.user.scope)
    shown = [u["id"] for u in found if u["household"]]
    if shown:
        await audit.record("archive_read", user_id=request.user.user_id, target="archive_search",
                           detail={"units": shown}, ip=client_ip(request))
    return render(request, "archive.html", "_archive_results.html",
                  {"found": found, "q": q, "fields": store.HOUSEHOLD_FIELDS})


async def unit_context(request: DeskRequest, unit_id: str, **extra: Any) -> dict[str, Any]:
    """The unit page's context (its current and former households, their history, the
    capabilities' sections); the read of personal data is logged."""
    page = await store.unit_page(unit_id, request.user.role, scope=request.user.scope)
    if page is None:
        raise ApiError(404, "unit_not_found", "找不到该房屋 / no such unit")
    await audit.record("archive_read", user_id=request.user.user_id, target=unit_id,
                       detail={"household": page["household_id"],
                               "former": [h["id"] for h in page["former"]]}, ip=client_ip(request))
    sections = [(section, await store.unit_records(
        section.collection, unit_id, request.user.role, scope=request.user.scope,
        fields=section.fields, unit_field=section.unit_field, order_by=section.order_by,
        limit=section.limit)) for section in unit_sections()]
    household = page["household"] or {}
    photos = await evidence.evidence([*(("visit", v["id"]) for v in page["visits"]),
                                      *(("vacant_check", c["id"]) for c in page["checks"])],
                                     scope=request.user.scope)
    for collection, rows in (("visit", page["visits"]), ("vacant_check", page["checks"])):
        for row in rows:
            row["evidence"] = photos.get((collection, row["id"]), [])
    return {**page, "fields": store.HOUSEHOLD_FIELDS, "sections": sections,
            "today": local_today(request).isoformat(), "record": record_of(household, local_today(request)),
            "co_residents_text": co_residents_text(household.get("co_residents")), **extra}


def record_of(household: dict[str, Any], today: date) -> dict[str, Any] | None:
    """How complete the household's record is (应知 6), what it lacks, its customer class."""
    if not household or "employer" not in household:  # none, or a role that may not read it
        return None
    move_in = parse_date(household.get("move_in_date"))
    return {"completeness": familiarity.completeness(household), "missing": familiarity.missing_fields(household),
            "customer_class": familiarity.customer_class(move_in, today), "key": familiarity.is_key(household)}


@get("/desk/archive/units/{unit_id:str}", name="desk.archive_unit", include_in_schema=False)
async def archive_unit(request: DeskRequest, unit_id: FromPath[str]) -> Template:
    return render(request, "archive_unit.html", "_archive_unit.html", await unit_context(request, unit_id))


@post("/desk/archive/households/{household_id:str}/id-number", name="desk.id_number", include_in_schema=False)
async def id_number(request: DeskRequest, household_id: FromPath[str]) -> Template:
    """The whole ID number behind the mask, for this one household: an audited read."""
    household = store.readable_whole(request.user.role, await store.household(household_id, scope=request.user.scope))
    if household is None or not household.get("owner_id_number"):
        raise ApiError(404, "household_not_found", "找不到该业户 / no such household")
    await audit.record("id_number_reveal", user_id=request.user.user_id, target=household_id,
                       detail={"unit": household["unit_id"]}, ip=client_ip(request))
    return Template(template_name="partials/desk/_id_number.html", context={"value": household["owner_id_number"]})


@export_list("archive", page="desk.archive", personal=True)
async def archive_list(request: DeskRequest) -> Table:
    found = await store.search(request.query_params.get("q", "")[:50], request.user.role, scope=request.user.scope)
    fields = [f for f in store.HOUSEHOLD_FIELDS if f != "co_residents"]
    rows = [[u["building_code"], u["code"], *[(u["household"] or {}).get(f, "") for f in fields]] for u in found]
    return ["field.building", "field.unit", *[f"household.{f}" for f in fields]], rows


ROUTES = [archive_search, archive_unit, id_number]
nav_entry(NavEntry(href="/desk/archive", key="nav.archive", route="desk.archive", order=50))
