"""Patrol coverage and reported findings in the pure core (issue 15): a round's check-ins
only grow (set union, never a conflict), a steward checks in only where assigned, the
office marks a reported finding handled (stamped by the server), a steward may not; and
the desk's count of rounds per building."""

from __future__ import annotations

from typing import Any

from schemas.sync import Create, Update
from server.store.field_work import rounds_by_building
from sync import merge
from sync.merge import Context, Decision
from sync.storage import Actor
from tests.unit.memory_storage import B1, B2, E1, NOW, STEWARD, estate, snapshot

PHONE = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1, B2}), device_id="dev-1")
ONE_BUILDING = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1}), device_id="dev-1")
DESK = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1}))
MANAGER = Actor(user_id="user-manager", role="manager", estate_ids=frozenset({E1}))
B3 = "b-3"


def records(round_covered: list[str], **finding: Any) -> dict[tuple[str, str], dict[str, Any]]:
    storage = estate()
    storage.put("patrol_round", {"id": "r-1", "steward_id": STEWARD, "started_at": NOW, "status": "open",
                                 "covered_building_ids": round_covered, "notes": "", "building_id": None,
                                 "estate_id": E1, "created_by": STEWARD, "updated_by": STEWARD, "version": 3})
    storage.put("finding", {"id": "f-1", "kind": "staff_off_post", "occurred_at": NOW, "steward_id": STEWARD,
                            "building_id": B1, "estate_id": E1, "handled": False, "handled_note": "",
                            "handled_by": None, "handled_at": None, "created_by": STEWARD,
                            "updated_by": STEWARD, "version": 4, **finding})
    return snapshot(storage)


def decide(mutation: Any, recs: dict, actor: Actor = PHONE) -> Decision:
    return merge.decide(mutation, recs, Context(actor=actor, seq=1, now=NOW, version=100))


def check_in(base: list[str], new: list[str]) -> Update:
    return Update(seq=1, collection="patrol_round", id="r-1", base_version=3,
                  base={"covered_building_ids": base}, changes={"covered_building_ids": new})


def test_a_check_in_adds_the_building() -> None:
    decision = decide(check_in([], [B1]), records([]))
    assert decision.status == "applied" and decision.row is not None
    assert decision.row["covered_building_ids"] == [B1]


def test_two_offline_check_ins_from_the_same_base_both_count_and_never_conflict() -> None:
    """Another phone of the steward checked in at B2 first; this phone's B1, made from the
    empty list, is added to it, not a first-sync-wins conflict that loses a patrol."""
    decision = decide(check_in([], [B1]), records([B2]))
    assert decision.status == "applied" and not decision.conflicts
    assert decision.row is not None and decision.row["covered_building_ids"] == [B2, B1]


def test_a_check_in_never_removes_a_building() -> None:
    decision = decide(check_in([B1, B2], [B2]), records([B1, B2]))
    assert decision.status == "applied" and decision.row is None  # nothing to write


def test_a_check_in_already_there_is_a_no_op() -> None:
    decision = decide(check_in([], [B1]), records([B1]))
    assert decision.status == "applied" and decision.row is None


def test_a_steward_checks_in_only_at_assigned_buildings() -> None:
    decision = decide(check_in([], [B2]), records([]), actor=ONE_BUILDING)
    assert (decision.status, decision.code) == ("rejected", "out_of_scope")
    created = decide(Create(seq=1, collection="patrol_round", id="r-2", fields={
        "started_at": NOW, "covered_building_ids": [B1, B3]}), records([]), actor=ONE_BUILDING)
    assert (created.status, created.code) == ("rejected", "out_of_scope")


def test_a_new_round_with_no_building_is_fine() -> None:
    created = decide(Create(seq=1, collection="patrol_round", id="r-2", fields={"started_at": NOW}), records([]))
    assert created.status == "applied" and created.row is not None and created.row["covered_building_ids"] == []


def mark_handled(note: str = "已通知主管") -> Update:
    return Update(seq=1, collection="finding", id="f-1", base_version=4,
                  base={"handled": False, "handled_note": ""}, changes={"handled": True, "handled_note": note})


def test_the_office_marks_a_report_handled_and_the_server_stamps_who_and_when() -> None:
    for actor in (DESK, MANAGER):
        decision = decide(mark_handled(), records([]), actor=actor)
        assert decision.status == "applied" and decision.row is not None
        row = decision.row
        assert (row["handled"], row["handled_note"], row["handled_by"], row["handled_at"]) == (
            True, "已通知主管", actor.user_id, NOW)


def test_a_steward_may_not_mark_a_report_handled_nor_stamp_it() -> None:
    assert decide(mark_handled(), records([])).code == "field_not_writable"
    stamp = Update(seq=1, collection="finding", id="f-1", base_version=4, base={"handled_by": None},
                   changes={"handled_by": STEWARD})
    assert decide(stamp, records([]), actor=DESK).code == "field_not_writable"
    made = decide(Create(seq=1, collection="finding", id="f-2", fields={
        "kind": "release_slip", "occurred_at": NOW, "building_id": B1, "handled": True}), records([]))
    assert made.code == "field_not_writable"


def test_marked_back_unhandled_it_names_nobody() -> None:
    recs = records([], handled=True, handled_note="x", handled_by="user-desk", handled_at=NOW)
    decision = decide(Update(seq=1, collection="finding", id="f-1", base_version=4, base={"handled": True},
                             changes={"handled": False}), recs, actor=MANAGER)
    assert decision.row is not None and (decision.row["handled_by"], decision.row["handled_at"]) == (None, None)


def test_rounds_by_building_counts_check_ins_and_findings_once_per_round() -> None:
    rounds = [{"id": "r1", "covered_building_ids": ["b1"]}, {"id": "r2", "covered_building_ids": []},
              {"id": "r3", "covered_building_ids": ["b1", "b2"]}]
    findings = [{"round_id": "r2", "building_id": "b1"}, {"round_id": "r3", "building_id": "b2"},
                {"round_id": None, "building_id": "b3"}, {"round_id": "r2", "building_id": None}]
    counted = {b: [r["id"] for r in rs] for b, rs in rounds_by_building(rounds, findings).items()}
    assert counted == {"b1": ["r1", "r2", "r3"], "b2": ["r3"]}
