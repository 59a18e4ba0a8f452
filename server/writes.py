"""Writes made on the server (a desk clerk's edit, the escalation timer): mutations built
here go through the sync merge (``sync_service.apply_desk_mutations``), so phones see them
on their next pull and a concurrent edit becomes a conflict, not a loss."""

from __future__ import annotations

from typing import Any

import msgspec

from schemas.sync import Create, MutationResult, Update
from server.auth.principal import Principal
from server.errors import ApiError
from server.ids import uuid7
from server.sync_service import apply_desk_mutations


class Outcome(msgspec.Struct, kw_only=True):
    """What the merge made of the clerk's change."""

    results: list[MutationResult]

    @property
    def conflicts(self) -> list[MutationResult]:
        return [r for r in self.results if r.status == "conflict"]


def new_id() -> str:
    return uuid7()


def create(collection: str, fields: dict[str, Any], *, record_id: str | None = None) -> Create:
    return Create(seq=0, collection=collection, id=record_id or new_id(), fields=fields)


def update(collection: str, record_id: str, base_version: int, base: dict[str, Any],
           changes: dict[str, Any]) -> Update:
    return Update(seq=0, collection=collection, id=record_id, base_version=base_version,
                  base=base, changes=changes)


async def apply(principal: Principal, mutations: list[Create | Update]) -> Outcome:
    """Apply the mutations in order, in one transaction; a rejected one raises ``ApiError``
    with the merge's own code and message (the batch is one transaction: nothing is kept)."""
    numbered = [msgspec.structs.replace(m, seq=i) for i, m in enumerate(mutations, start=1)]
    results = await apply_desk_mutations(principal, numbered)
    for result in results:
        if result.status == "rejected":
            raise ApiError(409 if result.code in ("forbidden_transition", "status_not_allowed", "callback_required",
                                                  "owner_signature_required") else 422,
                           result.code or "rejected", result.message or "rejected")
    return Outcome(results=list(results))
