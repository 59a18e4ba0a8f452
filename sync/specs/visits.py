"""Doorstep visits and callbacks (上门家访 / 回访)."""

from __future__ import annotations

from schemas.visits import Visit
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, Access, Placement, Spec, same_for

CAPABILITY = "visits"

VISIT = Spec(
    name="visit", record=Visit, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit", "household_id": "household", "ticket_id": "ticket"},
    create_only=frozenset({"unit_id", "steward_id"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE, delete=True)),
)

SPECS = (VISIT,)
