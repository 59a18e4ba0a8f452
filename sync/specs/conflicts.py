"""Conflict records: what a merge discarded, kept so the desk can see and reverse it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from schemas.conflicts import Conflict
from sync.scope import OFFICE_ROLES
from sync.spec import EDITABLE, Access, Placement, Row, Spec, same_for

if TYPE_CHECKING:
    from sync.merge import Context

CAPABILITY = "conflicts"


def stamp_resolution(row: Row, current: Row, applied: Row, ctx: Context) -> Row:
    """A conflict kept or reversed names who decided it and when."""
    if applied.get("status", "open") != "open":
        return row | {"resolved_by": ctx.actor.user_id, "resolved_at": ctx.now}
    return row


CONFLICT = Spec(
    name="conflict", record=Conflict, capability=CAPABILITY,
    placement=Placement(),  # made by the server, placed where the record it is about is
    # the desk keeps or reverses a conflict (its status); the rest is the server's
    server_fields=frozenset(f.name for f in msgspec.structs.fields(Conflict)) - {"status"},
    access=same_for(tuple(sorted(OFFICE_ROLES)), Access(write=EDITABLE)),
    on_update=stamp_resolution,
)

SPECS = (CONFLICT,)
