"""The desk's registry: each capability registers its exports and nav links once, in its own
desk module; a duplicate or a route without an ``ACCESS`` line fails at import (no I/O)."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest
from litestar.plugins.jinja import JinjaTemplateEngine

import server.admin  # noqa: F401 - registers the admin area's nav links
import server.desk  # noqa: F401 - registers the desk modules' exports and nav links
from server.desk.registry import NavEntry, export_list, export_lists, nav_entries, nav_entry
from server.policy import ACCESS
from server.settings import Settings
from server.templating import configure_templates

WEB_TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"

NAV_ORDER = [
    ("/desk/tickets", "nav.queue", "desk.queue"),
    ("/desk/intake", "nav.intake", "desk.intake_page"),
    ("/desk/callbacks", "nav.callbacks", "desk.callbacks"),
    ("/desk/duplicates", "nav.duplicates", "desk.duplicates"),
    ("/desk/archive", "nav.archive", "desk.archive"),
    ("/desk/estate", "estate.title", "desk.estate"),
    ("/desk/move-ins", "nav.move_ins", "desk.move_ins"),
    ("/desk/keys", "nav.keys", "desk.keys"),
    ("/desk/vacant", "nav.vacant", "desk.vacant"),
    ("/desk/renovations", "nav.renovations", "desk.renovations"),
    ("/desk/patrols", "nav.patrols", "desk.patrols"),
    ("/desk/reports", "nav.reports", "desk.reports"),
    ("/desk/meters", "nav.meters", "desk.meters"),
    ("/desk/surveys", "nav.surveys", "desk.surveys"),
    ("/desk/survey-actions", "nav.survey_actions", "desk.survey_actions"),
    ("/desk/fees", "nav.fees", "desk.fees"),
    ("/desk/stewards", "nav.stewards", "desk.stewards"),
    ("/desk/familiarity", "nav.familiarity", "desk.familiarity"),
    ("/desk/visit-plans", "nav.visit_plan", "desk.visit_plan"),
    ("/desk/assessments", "nav.assessment", "desk.assessment"),
    ("/desk/conflicts", "nav.conflicts", "desk.conflicts"),
    ("/desk/escalations", "nav.escalations", "desk.escalations"),
    ("/desk/kpi", "nav.kpi", "desk.kpi"),
    ("/desk/kpi/estates", "nav.kpi_estates", "desk.kpi_estates"),
    ("/desk/roster", "nav.roster", "desk.roster"),
    ("/desk/settings/familiarity", "nav.familiarity_targets", "desk.familiarity_targets"),
    ("/desk/settings/time-limits", "nav.time_limits", "desk.time_limits"),
    ("/desk/settings/paid-services", "nav.paid_prices", "desk.paid_prices"),
    ("/admin/devices", "admin.nav.devices", "admin.devices"),
    ("/desk/settings/meters", "nav.meter_settings", "desk.meter_settings"),
    ("/desk/settings/property-fees", "nav.property_fees", "desk.property_fees"),
    ("/desk/settings/renovation-fees", "nav.renovation_fees", "desk.renovation_fees"),
    ("/desk/settings/surveys", "nav.survey_terms", "desk.survey_terms"),
    ("/desk/settings/fees", "nav.fee_terms", "desk.fee_terms"),
    ("/admin/audit", "admin.nav.audit", "admin.audit"),
    ("/admin/users", "admin.nav.users", "admin.users"),
    ("/admin/ledger", "admin.nav.ledger", "admin.ledger"),
]


def test_the_nav_shows_the_pages_in_their_order() -> None:
    assert [(e.href, e.key, e.route) for e in nav_entries()] == NAV_ORDER


def test_every_nav_link_and_export_has_an_access_line() -> None:
    assert {e.route for e in nav_entries()} <= ACCESS.keys()
    for listed in export_lists().values():
        assert listed.page in ACCESS, listed.name
        assert inspect.iscoroutinefunction(listed.build), listed.name


def test_the_exports_are_the_desk_lists() -> None:
    lists = export_lists()
    assert set(lists) == {"tickets", "callbacks", "escalations", "vacant", "patrols", "stewards",
                          "conflicts", "duplicates", "archive", "kpi", "kpi_breakdown", "kpi_records", "reports", "familiarity", "assessments",
                          "meter_sheet", "survey_results", "fee_arrears", "fee_collection"}
    assert {name for name, listed in lists.items() if listed.personal} == {"archive", "callbacks", "conflicts",
                                                                          "kpi_records", "familiarity", "fee_arrears"}
    assert {name for name, listed in lists.items() if ACCESS[listed.page] != ACCESS["desk.export"]} == {
        "kpi", "kpi_breakdown", "kpi_records", "assessments"}


async def _nothing(request: object) -> tuple[list[str], list[list[object]]]:
    return [], []


def test_the_registry_refuses_a_second_export_of_a_name() -> None:
    before = dict(export_lists())
    with pytest.raises(ValueError, match="registered twice"):
        export_list("tickets", page="desk.queue")(_nothing)
    with pytest.raises(ValueError, match="ACCESS"):
        export_list("nowhere", page="desk.no_such_page")(_nothing)
    assert dict(export_lists()) == before


@pytest.mark.parametrize("entry", [
    NavEntry(href="/desk/tickets", key="nav.other", route="desk.ticket", order=999),  # same link
    NavEntry(href="/desk/other", key="nav.other", route="desk.queue", order=999),  # same page
    NavEntry(href="/desk/other", key="nav.other", route="desk.ticket", order=10),  # same place
    NavEntry(href="/desk/other", key="nav.other", route="desk.no_such_page", order=999),  # no ACCESS line
])
def test_the_registry_refuses_a_clashing_nav_link(entry: NavEntry) -> None:
    before = nav_entries()
    with pytest.raises(ValueError):
        nav_entry(entry)
    assert nav_entries() == before


@pytest.mark.parametrize("role, shown", [
    ("desk", ["/desk/tickets", "/desk/intake", "/desk/callbacks", "/desk/duplicates", "/desk/archive",
              "/desk/estate", "/desk/move-ins", "/desk/keys", "/desk/vacant", "/desk/renovations", "/desk/patrols", "/desk/reports",
              "/desk/meters", "/desk/surveys", "/desk/survey-actions", "/desk/fees", "/desk/stewards", "/desk/familiarity",
              "/desk/visit-plans", "/desk/conflicts", "/desk/escalations", "/desk/roster", "/admin/devices"]),
    ("engineer", []),  # the phone app only
    ("admin", [href for href, _, _ in NAV_ORDER]),
])
def test_pages_read_the_registered_links_for_the_roles_that_may_follow_them(role: str, shown: list[str]) -> None:
    engine = JinjaTemplateEngine(directory=WEB_TEMPLATES)
    configure_templates(engine, settings=Settings())
    page = engine.engine.from_string("{% for e in nav_entries() if may(user, e.route) %}{{ e.href }} {% endfor %}")
    assert page.render(user=SimpleNamespace(role=role)).split() == shown
