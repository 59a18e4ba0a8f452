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
    estate_id = Varchar(length=36, null=True, default=None)  # (estate_id, version, id)


SYNC_INDEXES: tuple[tuple[str, str], ...] = (
    ("scope_version_id", "building_id, version, id"),  # a steward's pull, by building
    ("estate_version_id", "estate_id, version, id"),  # an office role's pull, by estate
    ("version_id", "version, id"),  # pull order
)
"""The indexes every synced table needs (pull reads each scope key as one index range)."""


def sync_index_ddl(table: str, *, drop: bool = False) -> list[str]:
    """``CREATE INDEX`` (or ``DROP INDEX``) statements of ``SYNC_INDEXES`` for a synced
    table: what a migration adding a synced collection runs (docs/design.md)."""
    if drop:
        return [f"DROP INDEX IF EXISTS {table}_{name}" for name, _ in SYNC_INDEXES]
    return [f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table} ({columns})"
            for name, columns in SYNC_INDEXES]
