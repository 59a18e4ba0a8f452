"""Every query-layer function that reads records cannot be called without a scope (issue 11).

Each public async function of the desk's query modules either has a required keyword-only
``scope: Scope`` parameter (no default: forgetting it is a TypeError, not every estate's
rows), or is on the allow-list below with the reason it reads no estate's records.
"""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from server.store import (
    archive, assessment, audit, conflicts, exports, familiarity, field_work, kpi, kpi_breakdown, kpi_records, meters,
    places, tickets, visit_plan,
)

MODULES = (tickets, places, archive, field_work, kpi, kpi_breakdown, kpi_records, conflicts, exports, audit,
           familiarity, visit_plan, assessment, meters)

ALLOWED: dict[str, str] = {
    "server.store.places.all_estates_scope": "builds the system's every-estate scope from the estate table",
    "server.store.places.codes_of": "codes of buildings named by rows already read in scope (a look-up by id)",
    "server.store.field_work.staff_names": "names of people named by rows already read in scope (a look-up by id)",
    "server.store.meters.set_settings": "writes an estate's settings (the estate chosen in scope by the caller)",
    "server.store.meters.settings_of": "an estate's settings (its row), the estate chosen in scope by the caller",
    "server.store.meters.past_of_meters": "the sync engine's read inside a push, of the meters a mutation "
                                          "names (the merge refuses one out of scope)",
    "server.store.kpi.clock_version": "the deployment's sync clock: one number, no record",
    "server.store.audit.record": "appends an audit entry; reads nothing",
    "server.store.familiarity.of_estate": "one estate's own setting, the estate chosen in scope by the desk",
    "server.store.familiarity.set_targets": "writes one estate's setting, the estate chosen in scope by the desk",
    "server.store.audit.page": "the audit log carries no estate (counts and ids of staff actions); "
                               "management only, see server.policy",
}


def public_async_functions(module: ModuleType) -> list[tuple[str, object]]:
    return [(f"{module.__name__}.{name}", fn) for name, fn in vars(module).items()
            if inspect.iscoroutinefunction(fn) and not name.startswith("_")
            and fn.__module__ == module.__name__]


@pytest.mark.parametrize("qualified,fn", [f for m in MODULES for f in public_async_functions(m)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_reads_take_a_required_keyword_only_scope(qualified: str, fn) -> None:
    if qualified in ALLOWED:
        return
    parameter = inspect.signature(fn).parameters.get("scope")
    assert parameter is not None, f"{qualified} reads records without a scope"
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{qualified}: scope must be keyword-only"
    assert parameter.default is inspect.Parameter.empty, f"{qualified}: scope must have no default"
    assert parameter.annotation in ("Scope", "sync.scope.Scope") or getattr(
        parameter.annotation, "__name__", "") == "Scope", f"{qualified}: scope is a sync.scope.Scope"


def test_the_allow_list_names_functions_that_exist() -> None:
    names = {q for m in MODULES for q, _ in public_async_functions(m)}
    assert sorted(set(ALLOWED) - names) == []


def test_the_desk_query_functions_are_many() -> None:
    """A guard on the guard: the walk finds the functions (an import change would empty it)."""
    checked = [q for m in MODULES for q, _ in public_async_functions(m) if q not in ALLOWED]
    assert len(checked) >= 25, checked
