"""Fee reminders (催缴, 应会 7): each unit's arrears and the contact log (催缴记录本)."""

from __future__ import annotations

from schemas.fees import Arrears, FeeContact
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, META_FIELDS, Access, OnlyWhen, Placement, Spec, same_for

CAPABILITY = "fees"

# 欠费: kept by the server from the bills (the ledger import and desk payments write them
# through the merge as the admin role, ``server.store.fees.refresh_arrears``); every other
# role reads them where it sees the unit, and nobody edits them by hand.
ARREARS = Spec(
    name="arrears", record=Arrears, capability=CAPABILITY,
    placement=Placement(by=("unit_id",), required=True),
    references={"unit_id": "unit"},
    create_only=frozenset({"unit_id"}),
    access={"admin": Access(create=True, write=EDITABLE, delete=True)},
)

# 催缴记录: a call, a posted notice (its photo hangs under it) or a door visit (the visit,
# purpose fee_reminder); made on the phone, never changed (the record book is append-only).
FEE_CONTACT = Spec(
    name="fee_contact", record=FeeContact, capability=CAPABILITY,
    placement=Placement(by=("unit_id",), required=True),
    references={"unit_id": "unit", "visit_id": "visit", "ticket_id": "ticket"},
    create_only=frozenset(FeeContact.__struct_fields__) - META_FIELDS,
    append_only=True,
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE)),
    only_when=(
        OnlyWhen(field="notice", when_field="kind", when_values=frozenset({"notice"}), code="not_for_this_contact"),
        OnlyWhen(field="reached", when_field="kind", when_values=frozenset({"call"}), code="not_for_this_contact"),
        OnlyWhen(field="visit_id", when_field="kind", when_values=frozenset({"visit"}), code="not_for_this_contact"),
    ),
)

SPECS = (ARREARS, FEE_CONTACT)
