"""Conflict records: what a merge discarded, kept for the desk."""

from piccolo.columns import JSON, Varchar

from schemas.limits import COLLECTION_NAME_LENGTH
from server.tables.base import Synced, ts


class Conflict(Synced, tablename="conflict"):
    collection = Varchar(length=COLLECTION_NAME_LENGTH, index=True)
    record_id = Varchar(length=36, index=True)
    field = Varchar(length=40, null=True, default=None)
    kind = Varchar(length=16)
    kept_value = JSON(null=True, default=None)
    lost_value = JSON(null=True, default=None)
    kept_source = Varchar(length=80, null=True, default=None)
    lost_source = Varchar(length=80, null=True, default=None)
    rule = Varchar(length=40)
    status = Varchar(length=10, default="open", index=True)
    resolved_by = Varchar(length=36, null=True, default=None)
    resolved_at = ts()


TABLES = (Conflict,)
