"""Photos and signatures: their records, and the bytes (whole and while uploading)."""

from piccolo.columns import BigInt, Boolean, Bytea, Integer, Serial, Varchar
from piccolo.table import Table

from schemas.limits import COLLECTION_NAME_LENGTH
from server.tables.base import Synced, ts


class Attachment(Synced, tablename="attachment"):
    sha256 = Varchar(length=64, index=True)
    parent_collection = Varchar(length=COLLECTION_NAME_LENGTH)
    parent_id = Varchar(length=36, index=True)
    kind = Varchar(length=10, default="photo")
    mime = Varchar(length=20)
    size = Integer()
    stored = Boolean(default=False)


class AttachmentBlob(Table, tablename="attachment_blob"):
    """The bytes of a photo or signature, content-addressed (kept in the database so that
    backups are complete and several server processes share them)."""

    sha256 = Varchar(length=64, primary_key=True)
    mime = Varchar(length=20)
    size = Integer()
    content = Bytea()
    created_at = ts()


class AttachmentUpload(Table, tablename="attachment_upload"):
    """Who sent a blob's verified bytes: ``uploader`` is ``device:<id>`` (a phone) or
    ``user:<id>`` (a desk session). An attachment may name stored bytes its user uploaded;
    a phone's uploads that no record names count against its quota (migration 0015)."""

    id = Serial(primary_key=True)
    sha256 = Varchar(length=64)  # unique with uploader
    uploader = Varchar(length=80)
    user_id = Varchar(length=36)
    size = Integer()
    created_at = ts()


class UploadPart(Table, tablename="upload_part"):
    """A received chunk of a resumable upload, until the whole blob is verified; each
    uploader resumes its own parts."""

    id = Serial(primary_key=True)
    sha256 = Varchar(length=64, index=True)
    offset = BigInt()
    total = BigInt()
    content = Bytea()
    uploader = Varchar(length=80)
    created_at = ts()


TABLES = (Attachment, AttachmentBlob, AttachmentUpload, UploadPart)
