"""Overdue tickets escalate to the manager by themselves, every few minutes, and on the
desk's sweep button; both through the same merge as every other write.

Each escalation is the ticket's ``escalated`` flag and one "escalated" timeline line whose
id is derived from the ticket and its deadline: two sweeps racing (two server processes,
or the timer and a clerk's click) write the same line once, and the flag's second change
finds it already set. A ticket whose deadline moves (a promised date) and passes again is
escalated again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from schemas.sync import Create, Update
from server.auth.principal import Principal
from server.clock import now_iso
from server.desk import writes
from server.store import tickets as store

log = logging.getLogger("stewardsync.escalation")

# Who the timer's writes name (timeline author, change log user). Not a login.
SYSTEM = Principal(user_id="system", username="system", display_name="系统 / system", role="manager")
NAMESPACE = uuid.UUID("0b0a8f3e-6f1c-5d6e-9a1b-2c3d4e5f6a7b")


async def sweep(principal: Principal, at: str) -> int:
    """Escalate every active ticket past its deadline and not yet escalated; how many."""
    mutations: list[Create | Update] = []
    for ticket in await store.overdue_to_escalate(at):
        mutations.append(writes.update("ticket", ticket["id"], ticket["version"], {"escalated": False},
                                       {"escalated": True}))
        line = str(uuid.uuid5(NAMESPACE, f"{ticket['id']}:{ticket['resolve_due_at']}"))
        mutations.append(writes.create("ticket_event", {
            "ticket_id": ticket["id"], "type": "escalated", "body": "overdue",
            "author_id": principal.user_id}, record_id=line))
    if mutations:
        await writes.apply(principal, mutations)
        log.info("escalated overdue tickets=%d by=%s", len(mutations) // 2, principal.username)
    return len(mutations) // 2


async def every(seconds: float) -> None:
    """The timer: sweep, then wait ``seconds``, until cancelled (the app's shutdown). A
    failed sweep (a busy database) is logged and tried again at the next tick."""
    while True:
        try:
            await sweep(SYSTEM, now_iso())
        except Exception:  # noqa: BLE001 - the timer must outlive one bad tick
            log.exception("escalation sweep failed; next try in %.0f s", seconds)
        await asyncio.sleep(seconds)
