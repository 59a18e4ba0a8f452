"""Patrols (巡查): a steward's rounds and what they find on them (巡检记录)."""

from __future__ import annotations

from schemas.patrol import Finding, PatrolRound
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, Access, Placement, Spec, same_for

CAPABILITY = "patrol"
FIELD_WORK = Access(create=True, write=EDITABLE, delete=True)  # every role, own rules apply

PATROL_ROUND = Spec(
    name="patrol_round", record=PatrolRound, capability=CAPABILITY,
    placement=Placement(),  # no building: the round's scope is the steward who walks it
    create_only=frozenset({"steward_id"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, FIELD_WORK),
)

FINDING = Spec(
    name="finding", record=Finding, capability=CAPABILITY,
    placement=Placement(by=("unit_id",), given=True),
    references={"round_id": "patrol_round", "unit_id": "unit", "ticket_id": "ticket"},
    create_only=frozenset({"unit_id", "steward_id"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, FIELD_WORK),
)

SPECS = (PATROL_ROUND, FINDING)
