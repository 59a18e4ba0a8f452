"""The ticket lifecycle as the desk offers it: the transitions ``sync.lifecycle`` allows
from a status, and the message for one it refuses."""

from __future__ import annotations

from schemas.vocab import TICKET_STATUSES
from sync import lifecycle


def allowed(from_status: str, to_status: str) -> bool:
    return lifecycle.TICKET.allows(from_status, to_status)


def next_statuses(status: str, kind: str = "") -> list[str]:
    """Every status the lifecycle lets a ticket of ``kind`` move to from ``status`` (a
    repair's signature can be confirmed in the same step, so ``done`` is offered)."""
    return [s for s in TICKET_STATUSES if s != status and allowed(status, s)
            and lifecycle.TICKET.refusal({"status": status}, {"status": s, "kind": kind, "owner_signed": True}) is None]


def refusal(from_status: str, to_status: str, label: dict[str, str]) -> str:
    return (f"工单状态不能从“{label.get(from_status, from_status)}”改为“{label.get(to_status, to_status)}” / "
            f"a ticket cannot go from {from_status} to {to_status}")
