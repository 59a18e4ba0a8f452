"""Renovation supervision (装修): the case and its lifecycle, and the inspections made on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.renovation import Renovation, RenovationInspection
from sync.lifecycle import Lifecycle
from sync.renovation import STEPS, due_days, step_refusal
from sync.scope import OFFICE_ROLES, WRITING_ROLES
from sync.spec import EDITABLE, META_FIELDS, Access, Placement, Row, Spec, ValueRule, same_for

if TYPE_CHECKING:
    from sync.merge import Context

CAPABILITY = "renovation"
OFFICE = tuple(sorted(OFFICE_ROLES))

# 应会 3: each step after the one before, none skipped, none undone
RENOVATION_STEPS = Lifecycle(
    field="status", states=STEPS, start="applied",
    moves=frozenset(zip(STEPS, STEPS[1:], strict=False)),
    forbidden="renovation_step_order",
)

# on the phone a steward records the owner-signed test, 初验 and 复验 (the desk the rest)
STEWARD_STEPS = frozenset({"tested", "first_passed", "second_passed"})
STEWARD_FIELDS = frozenset({"status", "tested_on", "first_on", "second_on", "test_inspection_id",
                            "first_inspection_id", "second_inspection_id", "papers"})


def _refuse(code: str, detail: str = "") -> None:
    from sync.merge import Rejected

    raise Rejected(code, detail)


def new_case(row: Row, ctx: Context) -> Row:
    """A new case: its days in order, its due days (none yet)."""
    refused = step_refusal(row)
    if refused:
        _refuse(refused, row["status"])
    return {**row, **due_days(row)}


def case_changed(row: Row, current: Row, applied: Row, ctx: Context) -> Row:
    """A step taken: its day set, in order (the permit two days after the test); the due
    days follow the completion and 初验 days."""
    if applied.keys() & {"status", *(f for f in row if f.endswith("_on"))}:
        refused = step_refusal(row)
        if refused:
            _refuse(refused, row["status"])
    return {**row, **due_days(row)}


RENOVATION = Spec(
    name="renovation", record=Renovation, capability=CAPABILITY,
    placement=Placement(by=("unit_id",), required=True),
    references={"unit_id": "unit", "household_id": "household", "test_inspection_id": "renovation_inspection",
                "first_inspection_id": "renovation_inspection", "second_inspection_id": "renovation_inspection"},
    server_fields=frozenset({"first_due", "second_due"}),
    create_only=frozenset({"unit_id"}),
    grow_only=frozenset({"papers"}),
    # the desk opens and runs a case; cases are closed (refunded), never deleted
    access={"steward": Access(write=STEWARD_FIELDS),
            **same_for(OFFICE, Access(create=True, write=EDITABLE))},
    lifecycle=RENOVATION_STEPS,
    value_rules=(ValueRule(field="status", code="status_not_allowed", on_create=False, on_update=True,
                           by_role={"steward": STEWARD_STEPS}),),
    on_create=new_case,
    on_update=case_changed,
)

SIGNED_KINDS = frozenset({"test", "first", "second"})


def new_inspection(row: Row, ctx: Context) -> Row:
    """A test, 初验 or 复验 says whether it passed, and a pass carries the owner's signature;
    a deadline belongs to a notice; checking a notice records its result."""
    if row["kind"] in SIGNED_KINDS and row.get("passed") is None:
        _refuse("inspection_result_required", row["kind"])
    if row.get("passed") and row["kind"] in SIGNED_KINDS and not row.get("signature_sha256"):
        _refuse("inspection_signature_required", row["kind"])
    if row.get("notice_due") and not (row.get("notice") or "").strip():
        _refuse("notice_due_without_notice")
    if row.get("checks_notice_id") and row.get("notice_result") is None:
        _refuse("notice_result_required")
    return row


RENOVATION_INSPECTION = Spec(
    name="renovation_inspection", record=RenovationInspection, capability=CAPABILITY,
    placement=Placement(by=("renovation_id",), required=True),
    references={"renovation_id": "renovation", "checks_notice_id": "renovation_inspection"},
    create_only=frozenset(RenovationInspection.__struct_fields__) - META_FIELDS,
    append_only=True,
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE)),
    on_create=new_inspection,
)

SPECS = (RENOVATION, RENOVATION_INSPECTION)
