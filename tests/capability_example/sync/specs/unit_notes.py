"""Notes on units: a steward writes them, the office reads and edits them."""

from __future__ import annotations

from schemas.unit_notes import UnitNote
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, Access, Placement, Spec, same_for

UNIT_NOTE = Spec(
    name="unit_note", record=UnitNote, capability="unit_notes",
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit"},
    create_only=frozenset({"unit_id", "steward_id"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE, delete=True)),
)

SPECS = (UNIT_NOTE,)
