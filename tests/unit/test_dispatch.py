"""Dispatch from the on-duty roster (派单, 智能工单自动派单): the pure rules, then the engine
dispatching a new repair as it creates it (the roster passed in as data)."""

from __future__ import annotations

import pytest

from schemas.sync import Create, Update
from schemas.vocab import EngineerTeam, TicketSystem, codes
from sync import dispatch
from sync.dispatch import OnDuty, Roster
from sync.engine import apply_batch
from sync.storage import Actor
from tests.unit.memory_storage import E1, NOW, U1, estate

WANG = OnDuty(user_id="g-wang", name="王师傅", team="water_power")
LI = OnDuty(user_id="g-li", name="李师傅", team="lift")
TODAY = Roster(day="2026-11-22", teams={"water_power": WANG, "lift": LI})  # NOW is 16:00 in Shanghai
REPAIR = {"kind": "repair", "status": "received", "system": "water", "title": "水管漏水"}


def test_every_system_but_other_has_a_team_and_every_team_is_a_real_one() -> None:
    assert set(dispatch.TEAM_OF_SYSTEM) == set(codes(TicketSystem)) - {"other"}
    assert set(dispatch.TEAM_OF_SYSTEM.values()) == set(codes(EngineerTeam))
    assert dispatch.team_for("lighting") == "water_power" and dispatch.team_for("fire") == "low_voltage"
    assert dispatch.team_for("other") is None and dispatch.team_for(None) is None


def test_a_repair_goes_to_the_on_duty_engineer_of_its_systems_team() -> None:
    row = dispatch.auto_dispatch(REPAIR, TODAY, NOW)
    assert row == {**REPAIR, "status": "dispatched", "dispatched_at": NOW,
                   "assignee_id": "g-wang", "assignee": "王师傅"}
    assert dispatch.auto_dispatch({**REPAIR, "system": "lift"}, TODAY, NOW)["assignee_id"] == "g-li"


@pytest.mark.parametrize("change", [
    {"system": "civil"},  # nobody of 土建 on duty
    {"system": "other"},  # no team repairs "other": the desk dispatches by hand
    {"system": None},
    {"kind": "complaint"},  # not repair work
    {"kind": "inquiry"},
    {"assignee": "保洁"},  # the clerk already named someone
    {"assignee_id": "g-li"},
])
def test_what_is_not_auto_dispatched_stays_received_for_the_desk(change: dict) -> None:
    row = {**REPAIR, **change}
    assert dispatch.auto_dispatch(row, TODAY, NOW) == row
    assert dispatch.auto_dispatch(REPAIR, None, NOW) == REPAIR  # nobody rostered at all


def test_the_roster_day_is_the_estates_calendar_day() -> None:
    assert dispatch.local_day("2026-11-22T15:59:00.000Z", "Asia/Shanghai") == "2026-11-22"
    assert dispatch.local_day("2026-11-22T16:00:00.000Z", "Asia/Shanghai") == "2026-11-23"


def test_the_desk_picks_a_person_or_a_team_which_goes_to_its_on_duty_engineer() -> None:
    engineers = {WANG.user_id: WANG, LI.user_id: LI}
    assert dispatch.pick(TODAY, engineers, user_id="g-li") == LI
    assert dispatch.pick(TODAY, engineers, team="water_power") == WANG
    assert dispatch.pick(TODAY, engineers, team="civil") is None  # nobody on duty
    assert dispatch.pick(TODAY, engineers, user_id="g-nobody") is None


DESK = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1}))


def intake(seq: int, id: str, **fields: object) -> Create:
    return Create(seq=seq, collection="ticket", id=id,
                  fields={"kind": "repair", "title": "水管漏水", "unit_id": U1, "system": "water",
                          **fields})


async def test_the_engine_dispatches_a_new_repair_from_the_estates_roster() -> None:
    storage = estate()
    storage.estate_rosters[E1] = TODAY
    outcome = await apply_batch(storage, DESK, [intake(1, "t-1"), intake(2, "t-2", system="civil")],
                                now=NOW)
    assert [r.status for r in outcome.results] == ["applied", "applied"]
    ticket = storage.get("ticket", "t-1")
    assert ticket is not None and (ticket["status"], ticket["assignee_id"], ticket["assignee"],
                                   ticket["dispatched_at"]) == ("dispatched", "g-wang", "王师傅", NOW)
    lines = sorted((e["type"], e["from_status"], e["to_status"]) for e in storage.rows("ticket_event")
                   if e["ticket_id"] == "t-1")
    assert lines == [("created", None, "received"), ("status", "received", "dispatched")]
    left = storage.get("ticket", "t-2")
    assert left is not None and (left["status"], left["assignee_id"]) == ("received", None)


async def test_a_roster_of_another_day_dispatches_nothing_and_the_clerk_overrides() -> None:
    storage = estate()
    storage.estate_rosters[E1] = Roster(day="2026-11-21", teams={"water_power": WANG})  # yesterday's
    await apply_batch(storage, DESK, [intake(1, "t-1")], now=NOW)
    ticket = storage.get("ticket", "t-1")
    assert ticket is not None and ticket["status"] == "received" and ticket["assignee_id"] is None
    # the clerk dispatches by hand (or re-dispatches): an ordinary office edit
    await apply_batch(storage, DESK, [Update(
        seq=2, collection="ticket", id="t-1", base_version=ticket["version"],
        base={"status": "received", "assignee_id": None, "assignee": None},
        changes={"status": "dispatched", "assignee_id": "g-li", "assignee": "李师傅"})], now=NOW)
    ticket = storage.get("ticket", "t-1")
    assert ticket is not None and (ticket["status"], ticket["assignee_id"]) == ("dispatched", "g-li")


def test_the_status_table_by_role_in_the_doc_matches_the_spec() -> None:
    """docs/conflicts.md "who may move a ticket into which status" is the spec's ValueRule."""
    from pathlib import Path

    from schemas.vocab import TICKET_STATUSES
    from sync import policy

    doc = (Path(__file__).resolve().parents[2] / "docs" / "conflicts.md").read_text(encoding="utf-8")
    lines = doc.split("| role | moves a ticket into |")[1].splitlines()[2:]
    seen = set()
    for line in lines:
        if not line.startswith("|"):
            break
        role, cell = [c.strip() for c in line.strip("|").split("|")]
        seen.add(role)
        named = {word.strip(" ,") for word in cell.replace("(", " ( ").split() if word.strip(" ,") in TICKET_STATUSES}
        for status in TICKET_STATUSES:
            assert (status in named) == policy.allows_value(role, "ticket", "status", status, create=False), (role, status)
    assert seen == set(policy.ROLES) - {"company"}
