"""Photos and signatures: their metadata (the bytes travel apart, by sha256).

Synced records as they travel between server and phone; each mirrors its Piccolo table
in ``server/tables/attachments.py`` and is declared once in ``sync/specs/attachments.py``.
"""

from __future__ import annotations


from schemas.base import Record
from schemas.limits import CollectionName, Count, Id, Sha256
from schemas.vocab import AttachmentKind, AttachmentMime


class Attachment(Record, kw_only=True):
    """Metadata of a photo or signature; the bytes travel separately, addressed by sha256."""

    sha256: Sha256
    parent_collection: CollectionName
    parent_id: Id
    kind: AttachmentKind = "photo"
    mime: AttachmentMime
    size: Count
    stored: bool = False  # server-side: the bytes have arrived
