"""Where I/O meets the merge core: one push (or one desk edit) is one transaction.

The transaction is opened here, the ``Storage`` is built on it, ``sync.engine.apply_batch``
decides everything in memory and calls ``Storage.commit`` once; the transaction then
commits. On any exception the transaction rolls back and nothing is applied (the phone
keeps its outbox and retries; the retry is answered exactly once).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from schemas.sync import Mutation, MutationResult, PushRequest, PushResponse, PROTOCOL_VERSION
from server.auth.principal import Principal
from server.clock import now_iso
from server.settings import Settings
from server.store import pull
from server.store.sync_storage import SqlStorage, decides_ahead, read_snapshot, write_transaction
from sync.engine import apply_batch, plan_batch
from sync.storage import Actor, Storage

log = logging.getLogger("stewardsync.sync")


def actor_of(principal: Principal, *, device: bool = True) -> Actor:
    return Actor(user_id=principal.user_id, role=principal.role, estate_ids=principal.estate_ids,
                 building_ids=principal.building_ids,
                 device_id=principal.device_id if device else None)


async def push(principal: Principal, request: PushRequest, *, protocol: int,
               wrap: type | None = None) -> PushResponse:
    """Apply a device's push batch atomically. ``protocol`` is the version the phone spoke
    (1 for an upgraded body). ``wrap`` lets tests put a failing storage around the real one."""
    actor, now = actor_of(principal), now_iso()
    plan = None
    if decides_ahead():  # while another push holds the lock
        async with read_snapshot() as conn:
            plan = await plan_batch(SqlStorage(conn), actor, request.mutations, now=now,
                                    protocol=protocol)
    async with write_transaction() as conn:
        storage: Storage = SqlStorage(conn)
        if wrap is not None:
            storage = wrap(storage)
        outcome = await apply_batch(storage, actor, request.mutations, now=now,
                                    pending=request.pending, app_version=request.app_version,
                                    protocol=protocol, plan=plan)
    log.info("push device=%s mutations=%d last_seq=%d", actor.device_id, len(request.mutations),
             outcome.last_seq)
    return PushResponse(protocol=PROTOCOL_VERSION, last_seq=outcome.last_seq, results=outcome.results)


async def apply_desk_mutations(principal: Principal, mutations: Sequence[Mutation]) -> list[MutationResult]:
    """Apply a desk user's edits through the same merge and change log (no device)."""
    actor = actor_of(principal, device=False)
    async with write_transaction() as conn:
        outcome = await apply_batch(SqlStorage(conn), actor, mutations, now=now_iso())
    log.info("desk edit user=%s mutations=%d", actor.user_id, len(mutations))
    return list(outcome.results)


async def purge_tombstones(settings: Settings) -> int:
    """Delete tombstones older than ``settings.tombstone_days`` and move the horizon past
    them (phones with an older cursor are told to resync). For the ops scheduler."""
    purged = await pull.purge_tombstones(settings.tombstone_days)
    log.info("purged tombstones=%d older_than_days=%d", purged, settings.tombstone_days)
    return purged
