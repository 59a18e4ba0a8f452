"""Issue 15 through the pure merge: intake's system, part and damage (日常报修处理规程 2),
written by stewards and the office like ``place``; an invalid-complaint category (无效投诉,
应会 10) set by the office only, and only on complaints (``not_a_complaint``)."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.sync import Create, Update
from schemas.vocab import InvalidComplaint, TicketSystem, codes
from server.i18n import catalogue
from sync import merge, policy
from sync.merge import Context, Decision
from sync.storage import Actor
from tests.unit.memory_storage import B1, E1, NOW, STEWARD, U1, estate, snapshot

STEWARD_PHONE = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1}), device_id="dev-1")
DESK = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1}))
MANAGER = Actor(user_id="user-manager", role="manager", estate_ids=frozenset({E1}))


def decide(mutation: Create | Update, actor: Actor, **tickets: dict[str, Any]) -> Decision:
    storage = estate()
    for ticket_id, fields in tickets.items():
        storage.put("ticket", {"id": ticket_id, "building_id": B1, "unit_id": U1, "title": "投诉",
                               "number": "E-1-000001", "created_by": "user-desk",
                               "updated_by": "user-desk", **fields})
    ctx = Context(actor=actor, seq=1, now=NOW, version=100)
    return merge.decide(mutation, snapshot(storage), ctx)


def create(**fields: Any) -> Create:
    return Create(seq=1, collection="ticket", id="t-new", fields={"title": "水龙头漏水", "unit_id": U1, **fields})


def update(base: dict[str, Any], changes: dict[str, Any]) -> Update:
    return Update(seq=1, collection="ticket", id="t-1", base_version=1, base=base, changes=changes)


def refused(decision: Decision, code: str) -> bool:
    return decision.status == "rejected" and decision.code == code and decision.row is None


@pytest.mark.parametrize("actor", [STEWARD_PHONE, DESK])
def test_a_repair_records_its_system_part_and_damage(actor: Actor) -> None:
    decision = decide(create(kind="repair", system="water", part="水龙头", damage="漏水"), actor)
    assert decision.status == "applied" and decision.row is not None
    assert (decision.row["system"], decision.row["part"], decision.row["damage"]) == ("water", "水龙头", "漏水")


def test_a_steward_corrects_them_like_the_place() -> None:
    decision = decide(update({"system": None, "part": ""}, {"system": "power", "part": "空气开关"}),
                      STEWARD_PHONE, **{"t-1": {"kind": "repair"}})
    assert decision.status == "applied" and decision.row is not None
    assert (decision.row["system"], decision.row["part"]) == ("power", "空气开关")
    assert {"system", "part", "damage"} <= policy.updatable_fields("steward", "ticket")


@pytest.mark.parametrize("fields", [{"system": "plumbing"}, {"part": "长" * 51}, {"damage": "漏\n水"}])
def test_a_system_not_in_the_vocabulary_or_an_overlong_part_is_invalid(fields: dict[str, Any]) -> None:
    assert refused(decide(create(kind="repair", **fields), STEWARD_PHONE), "invalid")


@pytest.mark.parametrize("actor", [DESK, MANAGER])
def test_the_office_marks_a_complaint_invalid_and_valid_again(actor: Actor) -> None:
    marked = decide(update({"invalid_category": None}, {"invalid_category": "utility_fault"}), actor,
                    **{"t-1": {"kind": "complaint"}})
    assert marked.status == "applied" and marked.row is not None
    assert marked.row["invalid_category"] == "utility_fault"
    again = decide(update({"invalid_category": "utility_fault"}, {"invalid_category": None}), actor,
                   **{"t-1": {"kind": "complaint", "invalid_category": "utility_fault"}})
    assert again.status == "applied" and again.row is not None and again.row["invalid_category"] is None


def test_only_a_complaint_is_marked_invalid() -> None:
    repair = decide(update({"invalid_category": None}, {"invalid_category": "outside_contract"}), DESK,
                    **{"t-1": {"kind": "repair"}})
    assert refused(repair, "not_a_complaint")
    assert "只有投诉工单才能认定为无效投诉" in (repair.message or "")
    assert refused(decide(create(kind="inquiry", invalid_category="outside_contract"), DESK), "not_a_complaint")
    made = decide(create(kind="complaint", invalid_category="outside_contract"), DESK)
    assert made.status == "applied"


def test_a_marked_complaint_changes_kind_only_once_it_is_valid_again() -> None:
    marked = {"t-1": {"kind": "complaint", "invalid_category": "personal_loss"}}
    assert refused(decide(update({"kind": "complaint"}, {"kind": "repair"}), DESK, **marked), "not_a_complaint")
    both = decide(update({"kind": "complaint", "invalid_category": "personal_loss"},
                         {"kind": "repair", "invalid_category": None}), DESK, **marked)
    assert both.status == "applied" and both.row is not None and both.row["kind"] == "repair"
    # an unrelated edit of a record stored before the rule is not refused for it
    legacy = decide(update({"priority": "normal"}, {"priority": "high"}), DESK,
                    **{"t-1": {"kind": "repair", "invalid_category": "personal_loss"}})
    assert legacy.status == "applied"


def test_a_steward_never_marks_a_complaint_invalid() -> None:
    decision = decide(update({"invalid_category": None}, {"invalid_category": "developer_legacy"}),
                      STEWARD_PHONE, **{"t-1": {"kind": "complaint"}})
    assert refused(decision, "field_not_writable")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_system_and_category_has_words_and_every_category_its_handling(lang: str) -> None:
    words = catalogue()[lang]
    keys = [f"system.{c}" for c in codes(TicketSystem)]
    keys += [f"invalid_complaint.{c}{part}" for c in codes(InvalidComplaint) for part in ("", ".scope", ".handling")]
    assert [k for k in keys if not words.get(k)] == []
    assert len(codes(InvalidComplaint)) == 6  # the handbook's six categories
