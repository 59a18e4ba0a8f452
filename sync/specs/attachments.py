"""Photos and signatures: metadata records; the bytes travel apart, addressed by sha256."""

from __future__ import annotations

from schemas.attachments import Attachment
from sync.scope import WRITING_ROLES
from sync.spec import EDITABLE, META_FIELDS, Access, Placement, Spec, same_for

CAPABILITY = "attachments"

# What a photo or signature may hang under (its parent gives it its building).
PARENTS: frozenset[str] = frozenset(
    {"ticket", "ticket_event", "finding", "vacant_check", "visit", "household"}
)

ATTACHMENT = Spec(
    name="attachment", record=Attachment, capability=CAPABILITY,
    placement=Placement(parent=("parent_collection", "parent_id", PARENTS)),
    server_fields=frozenset({"stored"}),
    create_only=frozenset(
        {"sha256", "parent_collection", "parent_id", "kind", "mime", "size"}) - META_FIELDS,
    append_only=True,
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE, delete=True)),
)

SPECS = (ATTACHMENT,)
