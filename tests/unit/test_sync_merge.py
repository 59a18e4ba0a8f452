"""Every mutation kind through the pure merge functions (no storage, no engine)."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.sync import Create, Delete, Update
from sync import merge
from sync.lifecycle import TICKET
from sync.merge import Context, Decision
from sync.storage import Actor
from tests.unit.memory_storage import E1, B1, B2, H1, NOW, STEWARD, U1, U2, estate, snapshot

# Office actors work in the test estate: every row carries its estate now, and an office
# role sees only its estates (sync.scope).
OFFICE_ESTATES = frozenset({E1})

STEWARD_PHONE = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1}),
                      device_id="dev-1")
OTHER_STEWARD = Actor(user_id="user-other", role="steward", building_ids=frozenset({B1}),
                      device_id="dev-2")
DESK = Actor(user_id="user-desk", role="desk", estate_ids=OFFICE_ESTATES)
VERSION = 100


def records(**extra: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    storage = estate()
    storage.put("household", {"id": "h-2", "building_id": B2, "unit_id": U2,
                              "owner_name": "李四"})
    for key, row in extra.items():
        storage.put(key.split("__")[0], row)
    return snapshot(storage)


def decide(mutation: Any, recs: dict | None = None, actor: Actor = STEWARD_PHONE) -> Decision:
    ctx = Context(actor=actor, seq=getattr(mutation, "seq", 1), now=NOW, version=VERSION)
    return merge.decide(mutation, records() if recs is None else recs, ctx)


def create(collection: str, fields: dict[str, Any], id: str = "new-1") -> Create:
    return Create(seq=1, collection=collection, id=id, fields=fields)


def finding(**fields: Any) -> dict[str, Any]:
    return {"kind": "public_damage", "occurred_at": NOW, **fields}


def ticket_row(**fields: Any) -> dict[str, Any]:
    return {"id": "t-1", "building_id": B1, "unit_id": U1, "kind": "repair", "title": "漏水",
            "number": "GD00000001", "created_by": "user-desk", "updated_by": "user-desk",
            **fields}


def assert_rejected(decision: Decision, code: str) -> None:
    assert (decision.status, decision.code) == ("rejected", code), decision
    assert decision.row is None and not decision.conflicts
    assert " | " in (decision.message or "")  # Chinese | English


# --- create --------------------------------------------------------------------------


def test_create_finding_in_a_unit_takes_the_units_building_and_the_steward() -> None:
    decision = decide(create("finding", finding(unit_id=U1)))
    assert decision.status == "applied" and decision.version == VERSION
    row = decision.row
    assert row is not None
    assert (row["building_id"], row["steward_id"], row["version"]) == (B1, STEWARD, VERSION)
    assert (row["created_at"], row["created_by"], row["deleted"]) == (NOW, STEWARD, False)
    assert row["severity"] == "medium"  # default filled in: every column is present


def test_create_finding_in_a_public_area_names_its_building() -> None:
    decision = decide(create("finding", finding(area="lift", floor="5", building_id=B1)))
    assert decision.row is not None and decision.row["building_id"] == B1


def test_create_finding_in_a_building_not_assigned_is_out_of_scope() -> None:
    assert_rejected(decide(create("finding", finding(building_id=B2))), "out_of_scope")
    assert_rejected(decide(create("finding", finding(unit_id=U2))), "out_of_scope")


def test_create_finding_with_a_building_that_contradicts_its_unit_is_refused() -> None:
    decision = decide(create("finding", finding(unit_id=U1, building_id=B2)), actor=DESK)
    assert_rejected(decision, "bad_reference")


def test_create_finding_without_place_belongs_to_its_steward() -> None:
    decision = decide(create("finding", finding()))
    assert decision.row is not None and decision.row["building_id"] is None


def test_create_ticket_gets_due_times_first_responder_and_a_timeline_line() -> None:
    decision = decide(create("ticket", {"kind": "repair", "title": "水管漏水", "unit_id": U1,
                                        "priority": "urgent"}))
    row = decision.row
    assert row is not None and decision.status == "applied"
    assert row["number"] is None  # the engine numbers it within its estate (test_sync_engine)
    assert (row["status"], row["first_responder_id"], row["building_id"]) == (
        "received", STEWARD, B1)
    assert (row["response_due_at"], row["resolve_due_at"]) == (
        "2026-11-22T08:15:00.000Z", "2026-11-22T14:00:00.000Z")
    assert decision.timeline == [("created", None, "received")]


def test_create_ticket_from_a_public_area_finding_takes_the_findings_building() -> None:
    recs = records(finding={"id": "f-1", "building_id": B1, "kind": "safety_hazard",
                            "occurred_at": NOW, "steward_id": STEWARD})
    decision = decide(create("ticket", {"kind": "patrol_finding", "title": "消防门损坏",
                                        "source_finding_id": "f-1"}), recs)
    assert decision.row is not None and decision.row["building_id"] == B1


@pytest.mark.parametrize(("fields", "code"), [
    ({"kind": "repair", "title": "x", "status": "dispatched"}, "bad_status"),
    ({"kind": "inquiry", "title": "x"}, "kind_not_allowed"),
    ({"kind": "repair", "title": "x", "number": "GD1"}, "field_not_writable"),
    ({"kind": "repair", "title": "x", "assignee": "工程部"}, "field_not_writable"),
    ({"kind": "repair", "title": "x", "unit_id": "u-404"}, "bad_reference"),
    ({"kind": "repair"}, "invalid"),
    ({"kind": "leak", "title": "x"}, "kind_not_allowed"),
])
def test_create_ticket_refusals(fields: dict[str, Any], code: str) -> None:
    assert_rejected(decide(create("ticket", fields)), code)


def test_desk_may_raise_an_inquiry_and_assign_it() -> None:
    decision = decide(create("ticket", {"kind": "inquiry", "title": "停车咨询",
                                        "assignee": "秩序"}), actor=DESK)
    assert decision.row is not None and decision.row["building_id"] is None


def test_create_ticket_event_takes_the_tickets_building() -> None:
    recs = records(ticket=ticket_row())
    decision = decide(create("ticket_event", {"ticket_id": "t-1", "type": "note",
                                              "body": "已联系业主"}), recs)
    assert decision.row is not None
    assert (decision.row["building_id"], decision.row["author_id"]) == (B1, STEWARD)
    status_line = {"ticket_id": "t-1", "type": "status", "to_status": "done"}
    assert_rejected(decide(create("ticket_event", status_line), recs), "event_type_not_allowed")
    assert_rejected(decide(create("ticket_event", {"ticket_id": "t-404", "type": "note"}),
                           recs), "bad_reference")


def test_create_attachment_takes_its_parents_building() -> None:
    recs = records(visit={"id": "v-1", "building_id": B1, "unit_id": U1,
                          "purpose": "routine", "steward_id": STEWARD})
    fields = {"sha256": "ab" * 32, "parent_collection": "visit", "parent_id": "v-1",
              "mime": "image/jpeg", "size": 1234}
    decision = decide(create("attachment", fields), recs)
    assert decision.row is not None and decision.row["building_id"] == B1
    assert decision.row["stored"] is False
    assert_rejected(decide(create("attachment", {**fields, "parent_id": "v-404"}), recs),
                    "bad_reference")
    assert_rejected(decide(create("attachment", {**fields, "parent_collection": "unit"}),
                           recs), "invalid")
    assert_rejected(decide(create("attachment", {**fields, "stored": True}), recs),
                    "field_not_writable")


def test_create_patrol_round_belongs_to_its_steward() -> None:
    decision = decide(create("patrol_round", {"started_at": NOW}))
    assert decision.row is not None
    assert (decision.row["building_id"], decision.row["steward_id"]) == (None, STEWARD)


def test_create_vacant_check_and_visit_take_the_units_building() -> None:
    check = decide(create("vacant_check", {"unit_id": U1, "week": "2026-W47",
                                           "checked_at": NOW, "results": {"leaks": "ok"}}))
    visit = decide(create("visit", {"unit_id": U1, "household_id": H1, "purpose": "routine",
                                    "status": "done", "visited_at": NOW}))
    assert check.row is not None and check.row["building_id"] == B1
    assert visit.row is not None and visit.row["building_id"] == B1
    assert_rejected(decide(create("visit", {"unit_id": U1, "household_id": "h-2",
                                            "purpose": "routine"})), "out_of_scope")


@pytest.mark.parametrize(("collection", "fields", "code"), [
    ("nonsense", {}, "unknown_collection"),
    ("household", {"unit_id": U1, "owner_name": "王五"}, "create_not_allowed"),
    ("conflict", {}, "create_not_allowed"),
    ("unit", {"code": "x"}, "create_not_allowed"),
    ("finding", finding(severity="huge"), "invalid"),
    ("finding", finding(version=7), "field_not_writable"),
    ("visit", {"unit_id": U1, "purpose": "routine", "building_id": B1}, "field_not_writable"),
    ("finding", finding(steward_id="user-other"), "not_own_record"),
    ("finding", finding(unit_id="u-404"), "bad_reference"),
    ("finding", finding(surprise=1), "field_not_writable"),
])
def test_create_refusals(collection: str, fields: dict[str, Any], code: str) -> None:
    assert_rejected(decide(create(collection, fields)), code)


def test_admin_creates_a_unit_in_a_building() -> None:
    admin = Actor(user_id="user-admin", role="admin", estate_ids=OFFICE_ESTATES)
    fields = {"code": "1-1-0201", "floor": 2, "unit_type": "yangfang", "area_m2": 98.5,
              "occupancy": "vacant", "building_id": B1}
    decision = decide(create("unit", fields), actor=admin)
    assert decision.row is not None and decision.row["building_id"] == B1
    no_building = {k: v for k, v in fields.items() if k != "building_id"}
    assert_rejected(decide(create("unit", no_building), actor=admin), "bad_reference")


def test_create_of_an_existing_id_identical_is_a_no_op() -> None:
    recs = records(finding={"id": "f-1", "building_id": B1, "kind": "other",
                            "occurred_at": NOW, "steward_id": STEWARD})
    version = recs[("finding", "f-1")]["version"]
    decision = decide(create("finding", {"kind": "other", "occurred_at": NOW}, id="f-1"), recs)
    assert (decision.status, decision.row, decision.version) == ("applied", None, version)


def test_create_of_an_existing_id_with_other_values_keeps_the_existing() -> None:
    recs = records(finding={"id": "f-1", "building_id": B1, "kind": "other",
                            "occurred_at": NOW, "steward_id": STEWARD})
    decision = decide(create("finding", {"kind": "parking", "occurred_at": NOW}, id="f-1"),
                      recs)
    assert decision.status == "conflict" and decision.row is None
    [note] = decision.conflicts
    assert (note.kind, note.kept_value["kind"], note.lost_value["kind"]) == (
        "create_exists", "other", "parking")
    assert note.lost_source == "device:dev-1#1"


# --- update --------------------------------------------------------------------------


def update(collection: str, record_id: str, base: dict, changes: dict,
           base_version: int = 1) -> Update:
    return Update(seq=7, collection=collection, id=record_id, base_version=base_version,
                  base=base, changes=changes)


def test_update_different_fields_both_survive() -> None:
    recs = records()
    recs[("household", H1)]["notes"] = "desk note"  # the desk changed notes meanwhile
    decision = decide(update("household", H1, {"opinions": None}, {"opinions": "绿化差"}), recs)
    assert decision.status == "applied" and decision.row is not None
    assert (decision.row["notes"], decision.row["opinions"]) == ("desk note", "绿化差")
    assert (decision.row["version"], decision.row["updated_by"]) == (VERSION, STEWARD)


def test_update_same_field_on_both_sides_keeps_the_server_value_and_records_the_other() -> None:
    recs = records()
    recs[("household", H1)] |= {"notes": "desk note", "updated_by": "user-desk"}
    decision = decide(update("household", H1, {"notes": None, "opinions": None},
                             {"notes": "phone note", "opinions": "好"}), recs)
    assert decision.status == "conflict" and decision.row is not None
    assert (decision.row["notes"], decision.row["opinions"]) == ("desk note", "好")
    [note] = decision.conflicts
    assert (note.kind, note.field, note.kept_value, note.lost_value, note.rule) == (
        "field", "notes", "desk note", "phone note", "first_sync_wins")
    assert (note.kept_source, note.lost_source) == ("user:user-desk", "device:dev-1#7")


def test_update_to_the_value_already_there_is_a_no_op() -> None:
    recs = records()
    recs[("household", H1)]["notes"] = "same"
    decision = decide(update("household", H1, {"notes": None}, {"notes": "same"}), recs)
    assert (decision.status, decision.row, decision.conflicts) == ("applied", None, [])
    assert decision.version == recs[("household", H1)]["version"]


def test_update_of_a_deleted_record_is_a_conflict_and_it_stays_deleted() -> None:
    recs = records(finding={"id": "f-1", "building_id": B1, "kind": "other",
                            "occurred_at": NOW, "steward_id": STEWARD, "deleted": True})
    decision = decide(update("finding", "f-1", {"description": ""}, {"description": "补充"}),
                      recs)
    assert decision.status == "conflict" and decision.row is None
    [note] = decision.conflicts
    assert (note.kind, note.lost_value) == ("edit_deleted", {"description": "补充"})


@pytest.mark.parametrize(("collection", "record_id", "base", "changes", "code"), [
    ("household", "h-404", {"notes": None}, {"notes": "x"}, "unknown_record"),
    ("nonsense", "x", {}, {}, "unknown_collection"),
    ("household", H1, {"owner_id_number": None}, {"owner_id_number": "1"},
     "field_not_writable"),
    ("household", H1, {}, {"notes": "x"}, "missing_base"),
    ("household", H1, {"residence": "unknown"}, {"residence": "owned"}, "invalid"),
    ("household", "h-2", {"notes": None}, {"notes": "x"}, "out_of_scope"),
    ("unit", U1, {"area_m2": 98.5}, {"area_m2": 100.0}, "field_not_writable"),
    ("unit", U1, {"occupancy": "occupied"}, {"occupancy": "haunted"}, "invalid"),
])
def test_update_refusals(collection: str, record_id: str, base: dict, changes: dict,
                         code: str) -> None:
    assert_rejected(decide(update(collection, record_id, base, changes)), code)


def test_append_only_records_cannot_be_updated() -> None:
    recs = records(ticket=ticket_row(), ticket_event={
        "id": "e-1", "building_id": B1, "ticket_id": "t-1", "type": "note", "body": "a"})
    decision = decide(update("ticket_event", "e-1", {"body": "a"}, {"body": "b"}), recs,
                      actor=DESK)
    assert_rejected(decision, "append_only")


def test_unit_occupancy_update_by_a_steward() -> None:
    decision = decide(update("unit", U1, {"occupancy": "occupied"}, {"occupancy": "vacant"}))
    assert decision.row is not None and decision.row["occupancy"] == "vacant"


def test_ticket_status_move_stamps_its_time_and_adds_a_timeline_line() -> None:
    recs = records(ticket=ticket_row(status="in_progress", owner_signed=True))  # the owner signed the 维修单
    decision = decide(update("ticket", "t-1", {"status": "in_progress"}, {"status": "done"}),
                      recs)
    assert decision.row is not None
    assert (decision.row["status"], decision.row["done_at"]) == ("done", NOW)
    assert decision.timeline == [("status", "in_progress", "done")]


def test_the_first_move_out_of_received_stamps_the_first_response_once() -> None:
    first = decide(update("ticket", "t-1", {"status": "received"}, {"status": "dispatched"}),
                   records(ticket=ticket_row()), actor=DESK)
    assert first.row is not None and first.row["responded_at"] == first.row["dispatched_at"] == NOW
    earlier = "2026-01-01T08:00:00.000Z"
    later = decide(update("ticket", "t-1", {"status": "dispatched"}, {"status": "in_progress"}),
                   records(ticket=ticket_row(status="dispatched", responded_at=earlier)), actor=DESK)
    assert later.row is not None and later.row["responded_at"] == earlier
    edit = decide(update("ticket", "t-1", {"title": "水管漏水"}, {"title": "厨房水管漏水"}),
                  records(ticket=ticket_row(title="水管漏水")))
    assert edit.row is not None and not edit.row.get("responded_at")  # no move, no response


def test_steward_may_not_dispatch_or_close() -> None:
    recs = records(ticket=ticket_row())
    for status in ("dispatched", "closed"):
        decision = decide(update("ticket", "t-1", {"status": "received"}, {"status": status}),
                          recs)
        assert_rejected(decision, "status_not_allowed")


def test_a_forbidden_move_of_the_phones_own_is_refused_whole() -> None:
    recs = records(ticket=ticket_row(status="done"))
    decision = decide(update("ticket", "t-1", {"status": "done", "description": ""},
                             {"status": "in_progress", "description": "x"}), recs)
    assert_rejected(decision, "forbidden_transition")


def test_desk_resolving_a_conflict_stamps_who_and_when() -> None:
    recs = records(conflict={"id": "c-1", "building_id": B1, "collection": "household",
                             "record_id": H1, "field": "notes", "kind": "field",
                             "rule": "first_sync_wins"})
    decision = decide(update("conflict", "c-1", {"status": "open"}, {"status": "reversed"}),
                      recs, actor=DESK)
    assert decision.row is not None
    assert (decision.row["resolved_by"], decision.row["resolved_at"]) == ("user-desk", NOW)
    assert_rejected(decide(update("conflict", "c-1", {"status": "open"}, {"status": "kept"}),
                           recs), "field_not_writable")


# --- delete --------------------------------------------------------------------------


def own_finding(**fields: Any) -> dict[str, dict[str, Any]]:
    row = {"id": "f-1", "building_id": B1, "kind": "other", "occurred_at": NOW,
           "steward_id": STEWARD, "created_by": STEWARD, "updated_by": STEWARD, **fields}
    return records(finding=row)


def delete(collection: str, record_id: str, base_version: int) -> Delete:
    return Delete(seq=9, collection=collection, id=record_id, base_version=base_version)


def test_delete_own_finding_leaves_a_tombstone() -> None:
    recs = own_finding()
    version = recs[("finding", "f-1")]["version"]
    decision = decide(delete("finding", "f-1", version), recs)
    assert decision.status == "applied" and decision.row is not None
    assert (decision.row["deleted"], decision.row["version"], decision.row["kind"]) == (
        True, VERSION, "other")


def test_delete_of_a_tombstone_is_a_no_op() -> None:
    recs = own_finding(deleted=True)
    decision = decide(delete("finding", "f-1", 1), recs)
    assert (decision.status, decision.row) == ("applied", None)


def test_delete_of_a_record_changed_since_keeps_its_values_in_a_conflict() -> None:
    recs = own_finding(description="更新过")
    decision = decide(delete("finding", "f-1", 1), recs, actor=DESK)  # the desk saw v1
    assert decision.status == "conflict" and decision.row is not None
    assert decision.row["deleted"] is True
    [note] = decision.conflicts
    assert note.kind == "delete_edited" and note.lost_value["description"] == "更新过"


def test_delete_after_the_senders_own_later_edit_is_no_conflict() -> None:
    recs = own_finding(description="我自己改的")
    decision = decide(delete("finding", "f-1", 0), recs)  # created and edited offline
    assert (decision.status, decision.conflicts) == ("applied", [])


@pytest.mark.parametrize(("actor", "collection", "record_id", "code"), [
    (OTHER_STEWARD, "finding", "f-1", "not_owner"),
    (STEWARD_PHONE, "ticket", "t-1", "delete_not_allowed"),
    (DESK, "ticket", "t-1", "delete_not_allowed"),
    (STEWARD_PHONE, "household", H1, "delete_not_allowed"),
    (STEWARD_PHONE, "finding", "f-404", "unknown_record"),
])
def test_delete_refusals(actor: Actor, collection: str, record_id: str, code: str) -> None:
    recs = own_finding()
    recs |= records(ticket=ticket_row())
    assert_rejected(decide(delete(collection, record_id, 999), recs, actor=actor), code)


def test_desk_may_delete_a_stewards_finding() -> None:
    decision = decide(delete("finding", "f-1", 999), own_finding(), actor=DESK)
    assert decision.status == "applied" and decision.row is not None


# --- derived records -----------------------------------------------------------------


def test_conflict_and_timeline_rows_have_deterministic_ids_and_every_column() -> None:
    note = merge.ConflictNote(kind="field", rule="first_sync_wins", field="notes",
                              kept_value="a", lost_value="b")
    # conflict and timeline rows take the place (building and estate) of their record
    household = {"id": H1, "building_id": B1, "estate_id": E1}
    rows = [merge.conflict_row(note, collection="household", record=household, record_id=H1,
                               version=5, actor=DESK, now=NOW) for _ in range(2)]
    assert rows[0] == rows[1] and rows[0]["status"] == "open"
    assert (rows[0]["building_id"], rows[0]["estate_id"]) == (B1, E1)
    assert rows[0]["id"] != merge.conflict_row(note, collection="household", record=household,
                                               record_id=H1, version=6, actor=DESK,
                                               now=NOW)["id"]
    line = merge.timeline_row(("status", "received", "dispatched"), lifecycle=TICKET,
                              record=ticket_row(estate_id=E1), version=8, actor=DESK, now=NOW)
    assert (line["type"], line["building_id"], line["estate_id"], line["client_time"]) == (
        "status", B1, E1, None)


# --- every collection through every op it allows ---------------------------------------

SAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {  # create fields, one change
    "building": ({"estate_id": "e-1", "code": "9栋", "name": "9栋", "floors": 18},
                 {"lifts": 2}),
    "unit": ({"building_id": B1, "code": "1-2-0301", "floor": 3, "unit_type": "diejia",
              "area_m2": 120.0, "occupancy": "vacant"}, {"occupancy": "renovating"}),
    "household": ({"unit_id": U1, "owner_name": "王五"}, {"special_needs": "独居老人"}),
    "ticket": ({"kind": "complaint", "title": "噪音", "unit_id": U1}, {"priority": "high"}),
    "ticket_event": ({"ticket_id": "t-1", "type": "note", "body": "已联系"}, {}),
    "patrol_round": ({"started_at": NOW, "steward_id": STEWARD}, {"status": "ended"}),
    "finding": ({"kind": "parking", "occurred_at": NOW, "unit_id": U1, "steward_id": STEWARD},
                {"severity": "low"}),
    "vacant_check": ({"unit_id": U1, "week": "2026-W47", "checked_at": NOW,
                      "steward_id": STEWARD}, {"water_reading": 12.5}),
    "visit": ({"unit_id": U1, "purpose": "repair_callback", "steward_id": STEWARD},
              {"status": "done"}),
    "attachment": ({"sha256": "cd" * 32, "parent_collection": "ticket", "parent_id": "t-1",
                    "mime": "image/png", "size": 99}, {}),
}
ADMIN = Actor(user_id="user-admin", role="admin", estate_ids=OFFICE_ESTATES)


@pytest.mark.parametrize("collection", sorted(SAMPLES))
def test_every_collection_is_created_updated_and_deleted_as_the_policy_allows(
        collection: str) -> None:
    from sync import policy

    recs = records(ticket=ticket_row())
    fields, change = SAMPLES[collection]
    made = decide(create(collection, fields), recs, actor=ADMIN)
    assert made.status == "applied" and made.row is not None, made
    recs[(collection, "new-1")] = made.row
    field, value = next(iter(change.items()), ("id", None))
    edit = decide(update(collection, "new-1", {field: made.row[field]}, {field: value}), recs,
                  actor=ADMIN)
    if collection in policy.APPEND_ONLY:
        assert_rejected(edit, "append_only")
    else:
        assert edit.status == "applied" and edit.row is not None and edit.row[field] == value
        recs[(collection, "new-1")] = edit.row
    gone = decide(delete(collection, "new-1", VERSION), recs, actor=ADMIN)
    if policy.may_delete("admin", collection):
        assert gone.status == "applied" and gone.row is not None and gone.row["deleted"]
    else:
        assert_rejected(gone, "delete_not_allowed")


def test_a_change_of_priority_recomputes_the_time_limits_from_when_it_was_received() -> None:
    received = "2026-11-22T08:00:00.000Z"
    recs = records(ticket=ticket_row(priority="normal", status="received", created_at=received,
                                     response_due_at="2026-11-22T10:00:00.000Z",
                                     resolve_due_at="2026-11-23T08:00:00.000Z"))
    version = recs[("ticket", "t-1")]["version"]
    decision = decide(Update(seq=1, collection="ticket", id="t-1", base_version=version,
                             base={"priority": "normal"}, changes={"priority": "urgent"}), recs, actor=DESK)
    assert decision.row is not None
    assert (decision.row["response_due_at"], decision.row["resolve_due_at"]) == (
        "2026-11-22T08:15:00.000Z", "2026-11-22T14:00:00.000Z")  # the seeds' urgent limits


def test_a_promised_date_moves_the_resolve_deadline_to_the_end_of_that_day() -> None:
    recs = records(ticket=ticket_row(priority="normal", status="dispatched", created_at=NOW,
                                     resolve_due_at="2026-11-23T08:00:00.000Z"))
    version = recs[("ticket", "t-1")]["version"]
    decision = decide(Update(seq=1, collection="ticket", id="t-1", base_version=version,
                             base={"promised_date": None}, changes={"promised_date": "2026-11-26"}),
                      recs, actor=DESK)
    assert decision.row is not None
    assert decision.row["resolve_due_at"] == "2026-11-26T15:59:59.999Z"  # midnight in Asia/Shanghai


def test_an_old_record_holding_what_is_no_longer_text_can_still_be_edited() -> None:
    """Stored before the text rules (issue 14): a title with a control character and a line
    break does not block an edit of another field; the edit itself is still checked."""
    recs = records()
    recs[("household", H1)]["owner_name"] = "王\u0007五\n"
    decision = decide(update("household", H1, {"opinions": None}, {"opinions": "绿化差"}), recs)
    assert decision.status == "applied" and decision.row is not None
    assert decision.row["opinions"] == "绿化差"
    assert_rejected(decide(update("household", H1, {"opinions": None}, {"opinions": "a\u202eb"}), recs),
                    "invalid")
