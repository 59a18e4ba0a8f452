"""The role policy tables: reads, redaction, scope, and the table in docs/conflicts.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.specs import SPECS
from sync import policy, scope
from sync.storage import Actor

DOC = Path(__file__).resolve().parents[2] / "docs" / "conflicts.md"
STEWARD = Actor(user_id="s-1", role="steward", building_ids=frozenset({"b-1"}))
HOUSEHOLD = {"id": "h-1", "building_id": "b-1", "unit_id": "u-1", "owner_name": "张三",
             "owner_id_number": "110101199001011234", "notes": "独居老人"}


def test_stewards_never_read_id_numbers_the_desk_does() -> None:
    assert "owner_id_number" not in policy.redact("steward", "household", HOUSEHOLD)
    assert policy.redact("steward", "household", HOUSEHOLD)["notes"] == "独居老人"
    assert policy.redact("desk", "household", HOUSEHOLD) == HOUSEHOLD


def test_conflict_records_never_show_a_steward_what_the_record_hides() -> None:
    whole = {"id": "c-1", "collection": "household", "record_id": "h-1", "field": None,
             "kind": "delete_edited", "kept_value": {"deleted": True},
             "lost_value": {"owner_name": "张三", "owner_id_number": "110101199001011234"}}
    field = {**whole, "field": "owner_id_number", "kind": "field",
             "kept_value": "110101199001011234", "lost_value": "110101199001019999"}
    assert policy.redact("steward", "conflict", whole)["lost_value"] == {"owner_name": "张三"}
    seen = policy.redact("steward", "conflict", field)
    assert (seen["kept_value"], seen["lost_value"], seen["field"]) == (
        None, None, "owner_id_number")
    assert policy.redact("desk", "conflict", field) == field
    ticket = {**field, "collection": "ticket", "field": "title"}
    assert policy.redact("steward", "conflict", ticket) == ticket
    assert policy.redacts_rows("steward", "conflict")
    assert not policy.redacts_rows("desk", "conflict")
    assert not policy.redacts_rows("steward", "household")  # columns are enough there


def test_unknown_roles_and_collections_read_nothing() -> None:
    assert policy.readable_fields("guest", "ticket") is None
    assert policy.readable_fields("steward", "nonsense") is None
    assert policy.redact("guest", "household", HOUSEHOLD) == {}


@pytest.mark.parametrize(("row", "expected"), [
    ({"building_id": "b-1", "created_by": "x"}, True),
    ({"building_id": "b-2", "created_by": "s-1"}, False),
    ({"building_id": None, "created_by": "s-1"}, True),
    ({"building_id": None, "created_by": "s-2"}, False),
])
def test_steward_scope(row: dict, expected: bool) -> None:
    assert policy.in_scope(STEWARD, row) is expected
    # the desk sees the rows of its estates (rows carry their estate since issue 11)
    desk = Actor(user_id="d", role="desk", estate_ids=frozenset({"e-1"}))
    assert policy.in_scope(desk, {**row, "estate_id": "e-1"}) is True


@pytest.mark.parametrize("role", ["desk", "manager", "admin"])
def test_an_office_role_sees_its_estates_only(role: str) -> None:
    actor = Actor(user_id="o", role=role, estate_ids=frozenset({"e-1"}))
    assert policy.in_scope(actor, {"building_id": "b-1", "estate_id": "e-1"})
    assert not policy.in_scope(actor, {"building_id": "b-9", "estate_id": "e-2"})
    assert not policy.in_scope(actor, {"building_id": None, "estate_id": None})
    nowhere = Actor(user_id="o", role=role)  # an office account given no estate
    assert not policy.in_scope(nowhere, {"building_id": "b-1", "estate_id": "e-1"})


def test_a_role_not_in_the_role_table_sees_and_writes_nothing() -> None:
    """A made-up role (a gardener: not a role of the product) fails closed."""
    gardener = Actor(user_id="x", role="gardener", estate_ids=frozenset({"e-1"}),
                     building_ids=frozenset({"b-1"}))
    assert gardener.scope() == scope.NOTHING
    assert not policy.in_scope(gardener, {"building_id": "b-1", "estate_id": "e-1",
                                          "created_by": "x"})
    for collection in SPECS:
        assert policy.readable_fields("gardener", collection) is None
        assert not policy.may_create("gardener", collection)
        assert not policy.may_delete("gardener", collection)
        assert not policy.writable_fields("gardener", collection)


@pytest.mark.parametrize("role", policy.ROLES)
def test_no_role_writes_server_managed_columns(role: str) -> None:
    for collection in SPECS:
        server = policy.META_FIELDS | policy.SERVER_FIELDS.get(collection, frozenset())
        assert not policy.writable_fields(role, collection) & server
        assert policy.writable_fields(role, collection) <= policy.ALL_FIELDS[collection]


def test_phones_pull_every_collection_reference_data_first() -> None:
    assert sorted(policy.PULLED_COLLECTIONS) == sorted(SPECS)
    assert policy.PULLED_COLLECTIONS[:2] == ("building", "unit")


def test_tickets_timeline_and_conflicts_are_never_deleted() -> None:
    for role in policy.ROLES:
        for collection in ("ticket", "ticket_event", "conflict"):
            assert not policy.may_delete(role, collection)
        assert not policy.may_create(role, "conflict")


def test_the_role_table_in_the_doc_matches_the_policy() -> None:
    lines = DOC.read_text(encoding="utf-8").split("| collection | steward | desk | manager "
                                                   "| admin | company | engineer |")[1].splitlines()[2:]
    seen = set()
    for line in lines:
        if not line.startswith("|"):
            break
        collection, *cells = [c.strip() for c in line.strip("|").split("|")]
        seen.add(collection)
        for role, cell in zip(policy.ROLES, cells, strict=True):
            assert ("create" in cell) == policy.may_create(role, collection), (role, collection)
            assert ("delete" in cell) == policy.may_delete(role, collection), (role, collection)
            assert ("update" in cell) == bool(policy.updatable_fields(role, collection)), (
                role, collection)
            assert ("delete (own)" in cell) == (policy.may_delete(role, collection)
                                       and role in policy.DELETE_OWN_ONLY)
    assert seen == set(SPECS)


def test_every_refusal_code_has_a_reason_and_is_documented() -> None:
    import ast

    from sync.messages import REASONS

    used = set()
    for name in ("merge.py", "engine.py"):
        tree = ast.parse((DOC.parents[1] / "sync" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("Rejected", "BatchRejected") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    assert used and used <= set(REASONS) | {"seq_gap"}
    doc = DOC.read_text(encoding="utf-8")
    assert [code for code in REASONS if f"| `{code}` |" not in doc] == []


# --- the engineer (维修工): only what a spec names it in ---------------------------------------

ENGINEER = Actor(user_id="g-1", role="engineer", estate_ids=frozenset({"e-1"}))


def test_an_engineer_sees_the_tickets_of_its_estates() -> None:
    assert ENGINEER.scope().whole_estates
    assert policy.in_scope(ENGINEER, {"building_id": "b-1", "estate_id": "e-1"})
    assert not policy.in_scope(ENGINEER, {"building_id": "b-9", "estate_id": "e-2"})
    assert not scope.sees_personal_data("engineer")
    assert "engineer" not in scope.OFFICE_ROLES and "engineer" not in scope.WRITING_ROLES
    assert "engineer" in scope.ESTATE_LIST_ROLES


@pytest.mark.parametrize("collection", ["household", "patrol_round", "finding", "vacant_check",
                                        "visit", "conflict"])
def test_an_engineer_reads_and_writes_nothing_of_the_archive_and_field_work(collection: str) -> None:
    """same_for(WRITING_ROLES, …) grants field work to the steward and the office, never to
    the engineer: it is named where it works (tickets), nowhere else."""
    assert policy.readable_fields("engineer", collection) is None
    assert not policy.may_create("engineer", collection)
    assert not policy.may_delete("engineer", collection)
    assert not policy.writable_fields("engineer", collection)


def test_an_engineer_works_the_ticket_it_does_not_raise_or_dispatch_it() -> None:
    assert not policy.may_create("engineer", "ticket")
    assert policy.updatable_fields("engineer", "ticket") == frozenset(
        {"status", "owner_signed", "promised_date", "part", "damage"})
    for status in ("in_progress", "done"):
        assert policy.allows_value("engineer", "ticket", "status", status, create=False)
    for status in ("received", "dispatched", "called_back", "closed"):
        assert not policy.allows_value("engineer", "ticket", "status", status, create=False)
    assert policy.may_create("engineer", "ticket_event")
    assert policy.allows_value("engineer", "ticket_event", "type", "arrived", create=True)
    for kind in ("assigned", "escalated", "validity", "callback", "status"):
        assert not policy.allows_value("engineer", "ticket_event", "type", kind, create=True)


def test_an_engineer_reads_and_adds_ticket_photos_only() -> None:
    assert policy.row_filter("engineer", "attachment") == ("parent_collection",
                                                           frozenset({"ticket", "ticket_event"}))
    assert policy.row_filter("steward", "attachment") is None
    assert policy.allows_value("engineer", "attachment", "parent_collection", "ticket", create=True)
    for parent in ("household", "visit", "finding", "vacant_check"):
        assert not policy.allows_value("engineer", "attachment", "parent_collection", parent,
                                       create=True)
    assert not policy.may_delete("engineer", "attachment")
    assert policy.readable_fields("engineer", "unit") is not None
    assert not policy.writable_fields("engineer", "unit")
