"""The weekly check of vacant units (空置房巡检)."""

from __future__ import annotations

from schemas.vacant import VacantCheck
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, Access, Placement, Spec, same_for

CAPABILITY = "vacant"

VACANT_CHECK = Spec(
    name="vacant_check", record=VacantCheck, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit"},
    create_only=frozenset({"unit_id", "steward_id", "week"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE, delete=True)),
)

SPECS = (VACANT_CHECK,)
