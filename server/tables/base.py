"""Columns every synced record carries."""

from piccolo.columns import BigInt, Boolean, Varchar
from piccolo.table import Table


def ts(**kwargs: object) -> Varchar:
    """An ISO 8601 UTC timestamp stored as text."""
    return Varchar(length=32, null=True, default=None, **kwargs)  # type: ignore[arg-type]


class Synced(Table):
    """Abstract base (never created): id made on the device, server version, tombstone."""

    id = Varchar(length=36, primary_key=True)
    version = BigInt(default=0)  # indexed with id: (version, id), migration 0005
    created_at = ts()
    updated_at = ts()
    created_by = Varchar(length=36, null=True, default=None)
    updated_by = Varchar(length=36, null=True, default=None)
    deleted = Boolean(default=False)
    building_id = Varchar(length=36, null=True, default=None)  # (building_id, version, id)
