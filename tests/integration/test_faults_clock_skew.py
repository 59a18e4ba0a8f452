"""A phone whose clock is a day fast and one a day slow change no merge outcome.

Three pairs of stewards share a building each and play the same script: both edit the same
household field and move the same ticket while offline, then the first phone pushes, then
the second. Pair 0 has correct clocks; in pair 1 the first phone is a day fast and the
second a day slow; in pair 2 the other way round. Results, final values, ticket status and
conflict records must be identical for the three pairs: push order decides, never clocks.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.load_phones import Phone, Stats, new_id, seed, verify
from server.tables import Conflict, Household, Ticket

DAY = 86400.0
SKEWS = [(0.0, 0.0), (DAY, -DAY), (-DAY, DAY)]


async def play(first: Phone, second: Phone, http: httpx.AsyncClient, stats: Stats,
               deadline: float) -> dict[str, Any]:
    for phone in (first, second):
        await phone.pull(http, stats, deadline)
    building = first.steward.building_ids[0]
    home = next(r for (c, _), r in sorted(first.replica.items()) if c == "household" and r["building_id"] == building)
    ticket_id = new_id()
    first.mutate("create", "ticket", ticket_id, fields={
        "kind": "complaint", "title": "楼道灯不亮", "unit_id": home["unit_id"], "channel": "patrol"})  # no signature step
    await first.push(http, stats, deadline)
    for phone in (first, second):
        await phone.pull(http, stats, deadline)
    for phone, note, status in ((first, "先到的记录", "in_progress"), (second, "后到的记录", "done")):
        ticket = phone.replica[("ticket", ticket_id)]
        house = phone.replica[("household", home["id"])]
        phone.mutate("update", "household", home["id"], base_version=house["version"],
                     base={"notes": house.get("notes")}, changes={"notes": note})
        phone.mutate("update", "ticket", ticket_id, base_version=ticket["version"],
                     base={"status": ticket["status"]}, changes={"status": status})
    await first.push(http, stats, deadline)  # a day fast in one pair, a day slow in another
    await second.push(http, stats, deadline)
    for phone in (first, second):
        await phone.pull(http, stats, deadline)
    conflicts = await Conflict.select(Conflict.collection, Conflict.field, Conflict.kind, Conflict.kept_value,
                                      Conflict.lost_value, Conflict.rule, Conflict.status).where(
        Conflict.record_id.is_in([home["id"], ticket_id])).output(load_json=True)
    return {
        "results": [[(r["status"], r.get("code")) for _, r in sorted(p.results.items())] for p in (first, second)],
        "notes": (await Household.select(Household.notes).where(Household.id == home["id"]).first())["notes"],
        "status": (await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first())["status"],
        "conflicts": sorted(conflicts, key=lambda c: (c["collection"], str(c["field"]), str(c["lost_value"]))),
    }


async def test_skewed_clocks_change_no_outcome(client: httpx.AsyncClient) -> None:
    deadline, stats = time.monotonic() + 120, Stats()
    stewards, _ = await seed(6)  # pairs (0, 1), (2, 3), (4, 5) share a building
    base = str(client.base_url).rstrip("/")
    phones = [Phone(s, base) for s in stewards]
    outcomes = []
    for pair, (fast, slow) in enumerate(SKEWS):
        first, second = phones[2 * pair], phones[2 * pair + 1]
        first.clock_offset_s, second.clock_offset_s = fast, slow
        outcomes.append(await play(first, second, client, stats, deadline))
    assert outcomes[0]["notes"] == "先到的记录"  # the first to sync wins the field
    assert outcomes[0]["conflicts"], "the second phone's note is kept in a conflict record"
    assert outcomes[1] == outcomes[0]
    assert outcomes[2] == outcomes[0]
    skewed = [m["client_time"] for m in phones[2].outbox] + [m["client_time"] for m in phones[3].outbox]
    assert len({t[:10] for t in skewed}) >= 2  # the phones really did stamp different days
    assert await verify(phones) == []
