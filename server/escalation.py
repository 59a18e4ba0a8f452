"""Overdue tickets escalate to the manager by themselves, every few minutes, and on the
desk's sweep button; both through the same merge as every other write.

A ticket escalates when it is past its resolve deadline, or still 已受理 past its response
limit with no first response (body ``response_overdue``). Each escalation is the ticket's
``escalated`` flag and one "escalated" timeline line whose id is derived from the ticket
and its deadline: two sweeps racing (two server processes, or the timer and a clerk's
click) write the same line once, and the flag's second change finds it already set. A
promised date lifts the flag (``sync/specs/tickets.py``): a ticket whose new deadline
passes again is escalated again.

The timer is the timed job ``escalation`` (``server.jobs``), every
``STEWARDSYNC_ESCALATION_MINUTES`` minutes; 0 turns it off.
"""

from __future__ import annotations

import logging
import uuid

import msgspec

from schemas.sync import Create, Update
from server import jobs, writes
from server.auth.principal import Principal
from server.clock import now_iso
from server.settings import Settings
from server.store import places
from server.store import tickets as store

log = logging.getLogger("stewardsync.escalation")

# Who the timer's writes name (timeline author, change log user). Not a login.
SYSTEM = Principal(user_id="system", username="system", display_name="系统 / system", role="manager")
NAMESPACE = uuid.UUID("0b0a8f3e-6f1c-5d6e-9a1b-2c3d4e5f6a7b")


async def sweep(principal: Principal, at: str) -> int:
    """Escalate every active ticket past its deadline and not yet escalated, in the
    principal's scope (``SYSTEM``: every estate); how many."""
    system = principal is SYSTEM
    scope = await places.all_estates_scope() if system else principal.scope
    overdue = [(t, "overdue", t["resolve_due_at"]) for t in await store.overdue_to_escalate(at, scope=scope)]
    seen = {t["id"] for t, _, _ in overdue}
    overdue += [(t, "response_overdue", f"response:{t['response_due_at']}")
                for t in await store.unanswered_to_escalate(at, scope=scope) if t["id"] not in seen]
    if system:  # the system writes (as a manager) in the estates of what it escalates, no more
        principal = msgspec.structs.replace(
            SYSTEM, estate_ids=frozenset(t["estate_id"] for t, _, _ in overdue if t["estate_id"]))
    mutations: list[Create | Update] = []
    for ticket, why, deadline in overdue:
        mutations.append(writes.update("ticket", ticket["id"], ticket["version"], {"escalated": False},
                                       {"escalated": True}))
        line = str(uuid.uuid5(NAMESPACE, f"{ticket['id']}:{deadline}"))
        mutations.append(writes.create("ticket_event", {
            "ticket_id": ticket["id"], "type": "escalated", "body": why,
            "author_id": principal.user_id}, record_id=line))
    if mutations:
        await writes.apply(principal, mutations)
        log.info("escalated overdue tickets=%d by=%s", len(mutations) // 2, principal.username)
    return len(mutations) // 2


async def tick() -> None:
    """One run of the timer: sweep as the system."""
    await sweep(SYSTEM, now_iso())


def interval(settings: Settings) -> float:
    return settings.escalation_minutes * 60


JOB = jobs.register(jobs.Job(name="escalation", interval=interval, tick=tick))


async def every(seconds: float) -> None:
    """The timer on its own, every ``seconds`` until cancelled (the app runs it through
    ``server.jobs``); a failed sweep is logged and tried again at the next tick."""
    await jobs.every(JOB, seconds)
