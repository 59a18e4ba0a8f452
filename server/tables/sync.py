"""Sync bookkeeping: devices, applied mutations, the change log, the clock."""

from piccolo.columns import JSON, BigInt, Integer, Serial, Varchar
from piccolo.table import Table

from schemas.limits import COLLECTION_NAME_LENGTH
from server.tables.base import ts


class SyncDevice(Table, tablename="sync_device"):
    """An enrolled phone. ``last_seq`` moves in the same transaction as a push's effects."""

    id = Varchar(length=36, primary_key=True)
    user_id = Varchar(length=36, index=True)
    label = Varchar(length=100, default="")
    credential_hash = Varchar(length=64, index=True)
    last_seq = BigInt(default=0)
    enrolled_at = ts()
    expires_at = ts()
    revoked_at = ts()
    last_push_at = ts()
    last_pull_at = ts()
    reported_pending = Integer(default=0)
    app_version = Varchar(length=32, default="")
    protocol = Integer(default=0)


class AppliedBatch(Table, tablename="applied_batch"):
    """One processed push of a device: every mutation's replay answer, in seq order, as one
    JSON array of ``sync.storage.ProcessedMutation`` (one row per push, not per mutation:
    migration 0028). Unique on (device_id, last_seq)."""

    id = Serial(primary_key=True)
    device_id = Varchar(length=36)
    first_seq = BigInt()
    last_seq = BigInt()
    mutations = JSON(default=[])
    applied_at = ts()


class AppliedMutation(Table, tablename="applied_mutation"):
    """A view (migration 0028): one row per processed mutation, unnested from
    ``applied_batch``, for reading (the integrity check, operations queries). Not in
    ``TABLES``: nothing writes it."""

    device_id = Varchar(length=36)
    seq = BigInt(primary_key=True)
    collection = Varchar(length=COLLECTION_NAME_LENGTH)
    record_id = Varchar(length=36)
    op = Varchar(length=8)
    status = Varchar(length=10)  # applied / conflict / rejected
    version = BigInt(null=True, default=None)
    result = JSON(default={})
    payload = JSON(null=True, default=None)
    applied_at = ts()


class ChangeLog(Table, tablename="change_log"):
    """Every committed change, one row per record write, in server-version order."""

    version = BigInt(primary_key=True)
    collection = Varchar(length=COLLECTION_NAME_LENGTH)
    record_id = Varchar(length=36)
    building_id = Varchar(length=36, null=True, default=None)
    op = Varchar(length=8)
    device_id = Varchar(length=36, null=True, default=None)
    seq = BigInt(null=True, default=None)
    user_id = Varchar(length=36, null=True, default=None)
    at = ts()


class SyncClock(Table, tablename="sync_clock"):
    """A single row: the last server version handed out, and the tombstone horizon.

    Writers increment it under its row lock, so versions commit in order and a pull
    cursor can never skip a transaction that commits late."""

    id = Integer(primary_key=True)
    version = BigInt(default=0)
    purged_through = BigInt(default=0)


TABLES = (SyncDevice, AppliedBatch, ChangeLog, SyncClock)
