"""Lifecycles as data: the states a record's status field moves through, and the moves
allowed. The merge core is given a collection's ``Lifecycle`` by its spec (sync/specs/) and
never produces a move the lifecycle forbids (docs/conflicts.md).

The ticket lifecycle (工单状态): 已受理 received → 已派单 dispatched → 处理中 in_progress →
已完工 done → 已回访 called_back → 已关闭 closed. It only moves forward; a few steps may be
skipped where the work allows it (an inquiry answered on the spot is closed straight from
received; a steward fixes a small fault at once: received → in_progress or done; a ticket
that needs no callback is closed from done). ``closed`` is final. Conditions narrow the
table for some kinds: a repair is done only once the owner has signed, and a repair or
complaint is closed only after its callback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from schemas.vocab import TICKET_STATUSES


class Condition(msgspec.Struct, frozen=True, kw_only=True):
    """A move that needs more than the table of moves, for some records: into ``to``, a
    record whose ``when_field`` is one of ``when_values`` may come only from ``from_states``
    (when given) and only with ``needs`` set in the record (when given); else ``code``."""

    to: str
    when_field: str
    when_values: frozenset[str]
    code: str
    from_states: frozenset[str] | None = None
    needs: str | None = None

    def refuses(self, before: Mapping[str, Any], after: Mapping[str, Any], field: str) -> bool:
        if after.get(field) != self.to or after.get(self.when_field) not in self.when_values:
            return False
        if self.from_states is not None and before.get(field) not in self.from_states:
            return True
        return self.needs is not None and not after.get(self.needs)


class Lifecycle(msgspec.Struct, frozen=True, kw_only=True):
    """A status field's states (in order), where a new record starts, the moves allowed,
    and the time column each state stamps when a record enters it. ``timeline`` names the
    collection and its parent field where the server writes a line for every move (None:
    no timeline)."""

    field: str
    states: tuple[str, ...]
    start: str
    moves: frozenset[tuple[str, str]]
    stamps: dict[str, str] = {}
    timeline: tuple[str, str] | None = None
    conditions: tuple[Condition, ...] = ()
    # the time column stamped once, the first time a record leaves ``start`` (a ticket's
    # first response: dispatched, taken up, answered or closed, whichever comes first)
    left_start: str | None = None

    def allows(self, from_state: str, to_state: str) -> bool:
        """True when a record may move from ``from_state`` straight to ``to_state``."""
        return (from_state, to_state) in self.moves

    def refusal(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
        """The code of the condition a record's move breaks (None: the move may happen)."""
        return next((c.code for c in self.conditions if c.refuses(before, after, self.field)), None)

    def rank(self, state: str) -> int:
        """Position of a state in the lifecycle (the start is 0)."""
        return self.states.index(state)


TICKET = Lifecycle(
    field="status",
    states=TICKET_STATUSES,
    start="received",
    moves=frozenset({
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
    }),
    stamps={
        "dispatched": "dispatched_at",
        "done": "done_at",
        "called_back": "called_back_at",
        "closed": "closed_at",
    },
    left_start="responded_at",
    timeline=("ticket_event", "ticket_id"),
    conditions=(
        # 规程 3/5: a repair is finished only with the owner's confirmation (签字确认)
        Condition(to="done", when_field="kind", when_values=frozenset({"repair", "warranty"}),
                  needs="owner_signed", code="owner_signature_required"),
        # 首问责任制 / 规程 6: a repair or complaint is closed only after its callback; 应会 9:
        # 工程质量维修 gets its own callback (专项回访) too
        Condition(to="closed", when_field="kind", when_values=frozenset({"repair", "complaint", "warranty"}),
                  from_states=frozenset({"called_back"}), code="callback_required"),
    ),
)
