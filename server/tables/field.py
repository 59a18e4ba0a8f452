"""Field work: patrol rounds and findings, vacant-unit checks, visits, attachments."""

from piccolo.columns import JSON, BigInt, Boolean, Bytea, DoublePrecision, Integer, Serial, Text, Varchar
from piccolo.table import Table

from schemas.limits import COLLECTION_NAME_LENGTH
from server.tables.base import Synced, ts


class PatrolRound(Synced, tablename="patrol_round"):
    steward_id = Varchar(length=36, index=True)
    started_at = ts(index=True)
    ended_at = ts()
    status = Varchar(length=8, default="open")
    covered_building_ids = JSON(default=[])
    notes = Text(default="")


class Finding(Synced, tablename="finding"):
    round_id = Varchar(length=36, null=True, default=None)
    floor = Varchar(length=20, null=True, default=None)
    area = Varchar(length=16, null=True, default=None)
    unit_id = Varchar(length=36, null=True, default=None)
    kind = Varchar(length=20)
    severity = Varchar(length=10, default="medium")
    description = Text(default="")
    occurred_at = ts(index=True)
    ticket_id = Varchar(length=36, null=True, default=None, index=True)
    steward_id = Varchar(length=36)


class VacantCheck(Synced, tablename="vacant_check"):
    unit_id = Varchar(length=36, index=True)
    week = Varchar(length=8, index=True)
    checked_at = ts()
    steward_id = Varchar(length=36)
    results = JSON(default={})
    water_reading = DoublePrecision(null=True, default=None)
    electric_reading = DoublePrecision(null=True, default=None)
    notes = Text(default="")


class Visit(Synced, tablename="visit"):
    unit_id = Varchar(length=36, index=True)
    household_id = Varchar(length=36, null=True, default=None)
    purpose = Varchar(length=20, index=True)
    status = Varchar(length=8, default="planned", index=True)
    appointment_at = ts()
    visited_at = ts(index=True)
    steward_id = Varchar(length=36, index=True)
    outcome = Text(default="")
    satisfaction = Integer(null=True, default=None)
    owner_words = Text(default="")
    follow_ups = Text(default="")
    ticket_id = Varchar(length=36, null=True, default=None, index=True)
    signature_sha256 = Varchar(length=64, null=True, default=None)


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


class UploadPart(Table, tablename="upload_part"):
    """A received chunk of a resumable upload, until the whole blob is verified."""

    id = Serial(primary_key=True)
    sha256 = Varchar(length=64, index=True)
    offset = BigInt()
    total = BigInt()
    content = Bytea()


TABLES = (PatrolRound, Finding, VacantCheck, Visit, Attachment, AttachmentBlob, UploadPart)
