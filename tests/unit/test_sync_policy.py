"""The role policy tables: reads, redaction, scope, and the table in docs/conflicts.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.records import COLLECTIONS
from sync import policy
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
    assert policy.in_scope(Actor(user_id="d", role="desk"), row) is True


@pytest.mark.parametrize("role", policy.ROLES)
def test_no_role_writes_server_managed_columns(role: str) -> None:
    for collection in COLLECTIONS:
        server = policy.META_FIELDS | policy.SERVER_FIELDS.get(collection, frozenset())
        assert not policy.writable_fields(role, collection) & server
        assert policy.writable_fields(role, collection) <= policy.ALL_FIELDS[collection]


def test_phones_pull_every_collection_reference_data_first() -> None:
    assert sorted(policy.PULLED_COLLECTIONS) == sorted(COLLECTIONS)
    assert policy.PULLED_COLLECTIONS[:2] == ("building", "unit")


def test_tickets_timeline_and_conflicts_are_never_deleted() -> None:
    for role in policy.ROLES:
        for collection in ("ticket", "ticket_event", "conflict"):
            assert not policy.may_delete(role, collection)
        assert not policy.may_create(role, "conflict")


def test_the_role_table_in_the_doc_matches_the_policy() -> None:
    lines = DOC.read_text(encoding="utf-8").split("| collection | steward | desk | manager "
                                                   "| admin |")[1].splitlines()[2:]
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
    assert seen == set(COLLECTIONS)


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
