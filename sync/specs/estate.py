"""The estate's structure and its archive: buildings (楼栋), units (户) and households (业户档案)."""

from __future__ import annotations

from schemas.estate import Building, Household, Unit
from sync.spec import EDITABLE, Access, Placement, Spec, same_for

CAPABILITY = "estate"

# What a visit changes in the household archive (what a steward may write there).
STEWARD_HOUSEHOLD_FIELDS: frozenset[str] = frozenset(
    {"family_structure", "residence", "tenant_name", "tenant_phone", "special_needs",
     "emergency_contact_name", "emergency_contact_phone", "opinions", "notes",
     "co_residents", "known_by_steward",
     "move_in_date"}  # set when the owner signs the handover (验房, sync.specs.move_in)
)
OCCUPANCY = frozenset({"occupancy"})
# Shown masked (the last four characters) wherever the archive leaves the desk's audited
# reveal: on the desk's pages and exports, and on every phone (``sync.policy.for_phone``);
# never written from a phone, so that the mask cannot come back as a change.
MASKED: frozenset[str] = frozenset({"owner_id_number"})

# The estate's structure is kept at the desk by the manager and the admin (the desk marks
# occupancy); a household's end (``ended_on``, ``end_reason``: 过户, tenant change) is the
# office's, never a steward's.
BUILDING = Spec(
    name="building", record=Building, capability=CAPABILITY,
    placement=Placement(own=True),
    access={
        "manager": Access(create=True, write=EDITABLE),
        "admin": Access(create=True, write=EDITABLE, delete=True),
        "engineer": Access(),  # reads where a work order is
    },
)

UNIT = Spec(
    name="unit", record=Unit, capability=CAPABILITY,
    placement=Placement(given=True, needs_building=True),
    create_only=frozenset({"code"}),
    access={
        **same_for(("steward", "desk"), Access(write=OCCUPANCY)),
        "manager": Access(create=True, write=EDITABLE),
        "admin": Access(create=True, write=EDITABLE, delete=True),
        "engineer": Access(),  # the unit code of a work order; no household (not named there)
    },
)

HOUSEHOLD = Spec(
    name="household", record=Household, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit"},
    create_only=frozenset({"unit_id"}),
    access={
        "steward": Access(write=STEWARD_HOUSEHOLD_FIELDS, hidden=frozenset({"owner_id_number"})),
        **same_for(("desk", "manager"), Access(create=True, write=EDITABLE)),
        "admin": Access(create=True, write=EDITABLE, delete=True),
    },
)

SPECS = (BUILDING, UNIT, HOUSEHOLD)
