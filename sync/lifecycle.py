"""The ticket lifecycle (工单状态): which status moves are allowed.

已受理 received → 已派单 dispatched → 处理中 in_progress → 已完工 done → 已回访 called_back
→ 已关闭 closed. The lifecycle only moves forward; a few steps may be skipped where the
work allows it (an inquiry answered on the spot is closed straight from received; a
steward fixes a small fault at once: received → in_progress or done; a ticket that needs
no callback is closed from done). ``closed`` is final. A merge never produces a move that
is not in ``ALLOWED`` (see docs/conflicts.md).
"""

from __future__ import annotations

from schemas.vocab import TICKET_STATUSES

STATUSES: tuple[str, ...] = TICKET_STATUSES  # in lifecycle order

ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {
        ("received", "dispatched"),
        ("received", "in_progress"),
        ("received", "done"),
        ("received", "closed"),
        ("dispatched", "in_progress"),
        ("dispatched", "done"),
        ("in_progress", "done"),
        ("done", "called_back"),
        ("done", "closed"),
        ("called_back", "closed"),
    }
)

# Which time column a status stamps when a ticket enters it.
STAMPS: dict[str, str] = {
    "dispatched": "dispatched_at",
    "done": "done_at",
    "called_back": "called_back_at",
    "closed": "closed_at",
}


def allowed(from_status: str, to_status: str) -> bool:
    """True when a ticket may move from ``from_status`` straight to ``to_status``."""
    return (from_status, to_status) in ALLOWED


def rank(status: str) -> int:
    """Position of a status in the lifecycle (received = 0)."""
    return STATUSES.index(status)
