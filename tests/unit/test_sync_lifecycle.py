"""The ticket lifecycle, the status-pair table of docs/conflicts.md (read from the doc and
checked row by row through the engine), and the SLA due times."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from schemas.sync import Update
from sync import lifecycle, sla
from sync.engine import apply_batch
from sync.storage import Actor
from tests.unit.memory_storage import B1, E1, NOW, U1, estate

# Office actors work in the test estate: every row carries its estate now, and an office
# role sees only its estates (sync.scope).
OFFICE_ESTATES = frozenset({E1})

DOC = Path(__file__).resolve().parents[2] / "docs" / "conflicts.md"
DESK = Actor(user_id="user-desk", role="desk", estate_ids=OFFICE_ESTATES)


def doc_rows() -> list[tuple[str, str, str, str, str, str]]:
    """(base, current, incoming, result, status after, recorded) from the doc's table."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in lifecycle.TICKET.states:
            base, server, phone, result, after, recorded = cells
            rows.append((base, server.split()[-1], phone.split()[-1], result, after, recorded))
    return rows


ROWS = doc_rows()


def test_the_doc_table_covers_every_pair_from_received() -> None:
    pairs = {(c, i) for b, c, i, *_ in ROWS if b == "received"}
    assert pairs == {(c, i) for c in lifecycle.TICKET.states for i in lifecycle.TICKET.states}
    assert any(b != "received" for b, *_ in ROWS)


@pytest.mark.parametrize(("base", "current", "incoming", "result", "after", "recorded"), ROWS,
                         ids=[f"{r[0]}:{r[1]}+{r[2]}" for r in ROWS])
async def test_status_pair(base: str, current: str, incoming: str, result: str, after: str,
                           recorded: str) -> None:
    storage = estate()
    # an inquiry: the table is the lifecycle's moves; the conditions of repairs and
    # complaints (signature, callback) are tested below
    storage.put("ticket", {"id": "t-1", "building_id": B1, "unit_id": U1, "kind": "inquiry",
                           "title": "咨询", "status": current, "updated_by": "user-other"})
    mutation = Update(seq=1, collection="ticket", id="t-1", base_version=1,
                      base={"status": base}, changes={"status": incoming})
    before = storage.clock
    outcome = await apply_batch(storage, DESK, [mutation], now=NOW)
    [res] = outcome.results
    ticket = storage.get("ticket", "t-1")
    assert ticket is not None
    assert res.status == result.split()[0]
    assert ticket["status"] == after
    lines = [w.row for w in storage.log if w.collection == "ticket_event"]
    conflicts = storage.rows("conflict")
    if recorded.startswith("status line"):
        [line] = lines
        assert f"status line {line['from_status']} → {line['to_status']}" == recorded
        assert ticket[lifecycle.TICKET.stamps.get(after, "updated_at")] == NOW
        assert not conflicts and ticket["version"] == before + 1
    elif recorded.startswith("conflict"):
        [conflict] = conflicts
        assert not lines and res.conflict_ids == [conflict["id"]]
        assert (conflict["kind"], conflict["rule"], conflict["field"]) == (
            "status", "lifecycle", "status")
        assert recorded == f"conflict `status`: kept {conflict['kept_value']}, " \
                           f"lost {conflict['lost_value']}"
        assert ticket["version"] == before  # the ticket itself is not rewritten
    else:
        assert not lines and not conflicts and ticket["version"] == before
        if result.startswith("rejected"):
            assert res.code == re.search(r"`(\w+)`", result).group(1)  # type: ignore[union-attr]


def test_the_lifecycle_only_moves_forward_and_closed_is_final() -> None:
    for from_status, to_status in lifecycle.TICKET.moves:
        assert lifecycle.TICKET.rank(to_status) > lifecycle.TICKET.rank(from_status)
    assert not any(lifecycle.TICKET.allows("closed", s) for s in lifecycle.TICKET.states)
    assert lifecycle.TICKET.allows("done", "called_back")
    assert not lifecycle.TICKET.allows("received", "called_back")


@pytest.mark.parametrize(("kind", "priority", "response", "resolve"), [
    ("inquiry", "normal", "2026-11-22T08:30:00.000Z", "2026-11-23T08:00:00.000Z"),
    ("repair", "normal", "2026-11-22T10:00:00.000Z", "2026-11-23T08:00:00.000Z"),
    ("repair", "urgent", "2026-11-22T08:15:00.000Z", "2026-11-22T14:00:00.000Z"),
    ("complaint", "high", "2026-11-22T20:00:00.000Z", "2026-11-22T20:00:00.000Z"),
    ("vacant_defect", "low", "2026-11-22T12:00:00.000Z", "2026-11-28T08:00:00.000Z"),
])
def test_due_times(kind: str, priority: str, response: str, resolve: str) -> None:
    assert sla.TICKET_RULES.due_times(kind, priority, NOW) == (response, resolve)


def test_due_times_accept_offsets_and_answer_in_utc() -> None:
    assert sla.TICKET_RULES.due_times("inquiry", "normal", "2026-11-22T16:00:00+08:00")[0] == \
        "2026-11-22T08:30:00.000Z"


async def test_an_estate_brings_its_own_time_limits_as_data() -> None:
    """The core reads no settings: the storage gives each estate's ``Terms`` (here an estate
    whose repairs are due within 4 hours), other estates keep the seeds' limits."""
    from schemas.sync import Create

    own = sla.Terms(due={"ticket": msgspec.structs.replace(
        sla.TICKET_RULES, limits={**sla.TICKET_RULES.limits, "repair": (60, 4 * 60)})})
    storage = estate()
    ticket = {"kind": "repair", "title": "水管漏水", "unit_id": U1}
    storage.estate_terms["another-estate"] = own
    await apply_batch(storage, DESK, [Create(seq=1, collection="ticket", id="t-seed", fields=ticket)], now=NOW)
    storage.estate_terms[E1] = own
    await apply_batch(storage, DESK, [Create(seq=1, collection="ticket", id="t-own", fields=ticket)], now=NOW)
    mine, seeded = storage.get("ticket", "t-own"), storage.get("ticket", "t-seed")
    assert mine is not None and seeded is not None
    assert (mine["response_due_at"], mine["resolve_due_at"]) == (
        "2026-11-22T09:00:00.000Z", "2026-11-22T12:00:00.000Z")
    assert (seeded["response_due_at"], seeded["resolve_due_at"]) == sla.TICKET_RULES.due_times(
        "repair", "normal", NOW)


@pytest.mark.parametrize(("kind", "current", "changes", "code"), [
    ("repair", "in_progress", {"status": "done"}, "owner_signature_required"),
    ("repair", "done", {"status": "closed"}, "callback_required"),
    ("repair", "received", {"status": "closed"}, "callback_required"),
    ("complaint", "done", {"status": "closed"}, "callback_required"),
    ("repair", "in_progress", {"status": "done", "owner_signed": True}, None),
    ("complaint", "in_progress", {"status": "done"}, None),  # a complaint needs no signature
    ("repair", "called_back", {"status": "closed"}, None),
    ("inquiry", "received", {"status": "closed"}, None),  # answered on the spot
    ("patrol_finding", "done", {"status": "closed"}, None),  # no owner to call back
])
async def test_repairs_need_the_owners_signature_and_close_after_their_callback(
        kind: str, current: str, changes: dict, code: str | None) -> None:
    storage = estate()
    storage.put("ticket", {"id": "t-1", "building_id": B1, "unit_id": U1, "kind": kind, "title": "x",
                           "status": current, "owner_signed": False})
    base = {"status": current, **({"owner_signed": False} if "owner_signed" in changes else {})}
    outcome = await apply_batch(storage, DESK, [Update(seq=1, collection="ticket", id="t-1", base_version=1,
                                                       base=base, changes=changes)], now=NOW)
    [result] = outcome.results
    ticket = storage.get("ticket", "t-1")
    assert ticket is not None
    if code is None:
        assert result.status == "applied" and ticket["status"] == changes["status"]
    else:
        assert (result.status, result.code, ticket["status"]) == ("rejected", code, current)
