"""Move-in (入住) at the desk, the handover inspection (验房) on the phone, and the key
register (钥匙登记): the office writes move-ins and keys; a steward walks the handover."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.move_in import EstateKey, Handover, KeyLoan, MoveIn
from schemas.vocab import MoveInStep, codes
from sync.lifecycle import Lifecycle
from sync.move_in import step_refusal
from sync.scope import OFFICE_ROLES, WRITING_ROLES
from sync.spec import EDITABLE, Access, Placement, Row, Spec, same_for

if TYPE_CHECKING:
    from sync.merge import Context

CAPABILITY = "move_in"
OFFICE = tuple(sorted(OFFICE_ROLES))
STEPS: tuple[str, ...] = codes(MoveInStep)

# 应会 2: one step after the other, never skipped, never back
MOVE_IN_STEPS = Lifecycle(
    field="step", states=STEPS, start=STEPS[0],
    moves=frozenset(zip(STEPS, STEPS[1:])),
    stamps={"fee_paid": "fee_paid_at", "handed_over": "handed_over_at"},
)


def move_in_changed(row: Row, current: Row, applied: Row, ctx: Context) -> Row:
    """A step is entered only with what it needs (the agreements all signed, the fee and its
    receipt, the keys, gifts and manuals handed over): else refused with its code."""
    if "step" in applied:
        refused = step_refusal(applied["step"], row)
        if refused is not None:
            from sync.merge import Rejected  # the merge imports the specs

            raise Rejected(refused, f"{current['step']} → {applied['step']}")
    return row


MOVE_IN = Spec(
    name="move_in", record=MoveIn, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit", "household_id": "household"},
    server_fields=frozenset({"fee_paid_at", "handed_over_at"}),
    create_only=frozenset({"unit_id"}),
    access={"steward": Access(hidden=frozenset({"owner_id_number"})),
            **same_for(OFFICE, Access(create=True, write=EDITABLE))},
    lifecycle=MOVE_IN_STEPS,
    on_update=move_in_changed,
)

# the steward walks the unit and has the owner sign; the office may correct
HANDOVER = Spec(
    name="handover", record=Handover, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit", "move_in_id": "move_in"},
    create_only=frozenset({"unit_id", "move_in_id", "steward_id"}),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE)),
)

ESTATE_KEY = Spec(
    name="estate_key", record=EstateKey, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit"},
    create_only=frozenset({"kind", "unit_id"}),
    access=same_for(OFFICE, Access(create=True, write=EDITABLE, delete=True)),
)

KEY_LOAN = Spec(
    name="key_loan", record=KeyLoan, capability=CAPABILITY,
    placement=Placement(by=("key_id",)),
    references={"key_id": "estate_key"},
    create_only=frozenset({"key_id", "borrower", "reason", "out_at"}),
    access=same_for(OFFICE, Access(create=True, write=EDITABLE)),
)

SPECS = (MOVE_IN, HANDOVER, ESTATE_KEY, KEY_LOAN)
