"""Patrols (巡查): a steward's rounds and what they find on them (巡检记录)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.patrol import Finding, PatrolRound
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, META_FIELDS, Access, Placement, Row, Spec, same_for

if TYPE_CHECKING:
    from sync.merge import Context

CAPABILITY = "patrol"
FIELD_WORK = Access(create=True, write=EDITABLE, delete=True)  # every role, own rules apply


def checked_in_where_assigned(row: Row, ctx: Context, *_: Row) -> Row:
    """A steward checks in only at the buildings assigned to them: a round claiming another
    building would count a patrol nobody may have walked (office roles see whole estates
    and are not limited here)."""
    from sync.merge import Rejected

    scope = ctx.scope if ctx.scope is not None else ctx.actor.scope()
    if scope.buildings is not None:
        outside = [b for b in row.get("covered_building_ids") or [] if b not in scope.buildings]
        if outside:
            raise Rejected("out_of_scope", ", ".join(outside))
    return row


def _round_updated(row: Row, current: Row, applied: Row, ctx: Context) -> Row:
    return checked_in_where_assigned(row, ctx) if "covered_building_ids" in applied else row


PATROL_ROUND = Spec(
    name="patrol_round", record=PatrolRound, capability=CAPABILITY,
    placement=Placement(),  # no building: the round's scope is the steward who walks it
    create_only=frozenset({"steward_id"}),
    # check-ins only add buildings: a set union, so two phones' offline check-ins both count
    grow_only=frozenset({"covered_building_ids"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, FIELD_WORK),
    on_create=checked_in_where_assigned, on_update=_round_updated,
)

HANDLING = frozenset({"handled", "handled_note"})
"""What the office writes when it deals with a finding reported upward (a steward may not)."""
HANDLING_STAMP = frozenset({"handled_by", "handled_at"})
STEWARD_FINDING_FIELDS = frozenset(Finding.__struct_fields__) - META_FIELDS - HANDLING - HANDLING_STAMP


def stamp_handling(row: Row, current: Row, applied: Row, ctx: Context) -> Row:
    """A finding marked handled names who handled it and when (the server's clock); marked
    back unhandled, it names nobody."""
    if "handled" not in applied:
        return row
    if applied["handled"]:
        return row | {"handled_by": ctx.actor.user_id, "handled_at": ctx.now}
    return row | {"handled_by": None, "handled_at": None}


FINDING = Spec(
    name="finding", record=Finding, capability=CAPABILITY,
    placement=Placement(by=("unit_id",), given=True),
    references={"round_id": "patrol_round", "unit_id": "unit", "ticket_id": "ticket"},
    server_fields=HANDLING_STAMP,
    create_only=frozenset({"unit_id", "steward_id"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access={
        **same_for(WRITING_ROLES, FIELD_WORK),
        "steward": Access(create=True, write=STEWARD_FINDING_FIELDS, delete=True),
    },
    on_update=stamp_handling,
)

SPECS = (PATROL_ROUND, FINDING)
