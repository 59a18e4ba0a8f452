"""The field's evidence for the desk: the photos and signatures attached to records, read
within the reader's scope (the bytes are served by ``/api/v1/attachments/{sha256}``, which
checks the same scope and lets the browser cache them by content hash)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from server.store.scoping import scope_where
from server.tables import Attachment, Visit
from sync.scope import Scope

Key = tuple[str, str]  # (parent collection, parent id)


async def evidence(parents: Iterable[Key], *, scope: Scope) -> dict[Key, list[dict[str, Any]]]:
    """Photos and signatures of each record named, oldest first (none: absent key)."""
    wanted = {p for p in parents if p[1]}
    found: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    if not wanted:
        return found
    rows = await Attachment.select(
        Attachment.sha256, Attachment.parent_collection, Attachment.parent_id, Attachment.kind,
        Attachment.mime, Attachment.stored, Attachment.created_at,
    ).where(Attachment.parent_id.is_in(sorted({p[1] for p in wanted})) & (Attachment.deleted == False)  # noqa: E712
            & scope_where(Attachment, scope)).order_by(Attachment.created_at)
    for row in rows:
        key = (row["parent_collection"], row["parent_id"])
        if key in wanted:
            found[key].append(row)
    return found


async def of_ticket(ticket: dict[str, Any], *, scope: Scope) -> list[dict[str, Any]]:
    """What shows a ticket's case: its own photos, the finding or vacant check that raised
    it, and the visits made for it (a callback's signature)."""
    visits = await Visit.select(Visit.id).where((Visit.ticket_id == ticket["id"]) & (Visit.deleted == False)  # noqa: E712
                                                & scope_where(Visit, scope))
    keys = [("ticket", ticket["id"]), ("finding", ticket.get("source_finding_id") or ""),
            ("vacant_check", ticket.get("source_check_id") or ""), *(("visit", v["id"]) for v in visits)]
    found = await evidence(keys, scope=scope)
    return [item for key in keys for item in found.get(key, [])]
