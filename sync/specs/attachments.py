"""Photos and signatures: metadata records; the bytes travel apart, addressed by sha256."""

from __future__ import annotations

from typing import Any

from schemas.attachments import Attachment
from sync.scope import WRITING_ROLES, Scope
from sync.spec import EDITABLE, META_FIELDS, Access, Placement, Row, Spec, ValueRule, same_for

CAPABILITY = "attachments"

# What a photo or signature may hang under (its parent gives it its building).
PARENTS: frozenset[str] = frozenset(
    {"ticket", "ticket_event", "finding", "vacant_check", "visit", "household", "handover", "meter_reading",
     "renovation", "renovation_inspection", "fee_contact"}
)
TICKET_PARENTS: frozenset[str] = frozenset({"ticket", "ticket_event"})

ATTACHMENT = Spec(
    name="attachment", record=Attachment, capability=CAPABILITY,
    placement=Placement(parent=("parent_collection", "parent_id", PARENTS)),
    server_fields=frozenset({"stored"}),
    create_only=frozenset(
        {"sha256", "parent_collection", "parent_id", "kind", "mime", "size"}) - META_FIELDS,
    append_only=True,
    access={**same_for(WRITING_ROLES, Access(create=True, write=EDITABLE, delete=True)),
            # an engineer adds the photos and the owner's signature of its work orders and
            # reads only ticket photos (never a household's or a visit's)
            "engineer": Access(create=True, write=EDITABLE, only=("parent_collection", TICKET_PARENTS))},
    value_rules=(ValueRule(field="parent_collection", code="parent_not_allowed",
                           by_role={"engineer": TICKET_PARENTS}),),
)

SPECS = (ATTACHMENT,)

BYTES_FIELDS: dict[str, str] = {ATTACHMENT.name: "sha256", "visit": "signature_sha256",
                                 "meter_reading": "photo_sha256", "renovation_inspection": "signature_sha256"}
"""The fields that name stored bytes by their sha256: a photo's, a visit's signature."""

BLOBS = "attachment_blob"
"""What the engine loads, by sha256, for each record that comes to name bytes
(``sync.storage``): the stored bytes' facts, ``{"uploaded_by": [user ids], "attached":
[placements]}`` (the users whose phones sent the bytes; the ``building_id``, ``estate_id``
and ``created_by`` of the live records naming them), absent while the bytes are not stored."""


def may_point_at(blob: Row | None, user_id: str, scope: Scope) -> bool:
    """Knowing a hash grants nothing: a record may come to name stored bytes (a new photo, a
    visit's signature) only if the writer's own phone uploaded them or a record in the
    writer's scope already names them. Bytes not stored yet may be named: a photo may follow
    its record (its upload then proves the bytes)."""
    if blob is None:
        return True
    attached: list[dict[str, Any]] = blob.get("attached") or []
    return user_id in (blob.get("uploaded_by") or ()) or any(scope.admits(p) for p in attached)
