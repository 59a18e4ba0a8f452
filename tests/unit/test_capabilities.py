"""Every registered collection is whole: its spec is consistent, it has its table and its
place in the pull order, and labels in both languages (docs/design.md, "Adding a
capability"). The phone's summaries are checked by tests/unit/test_pwa_*.py."""

from __future__ import annotations

import msgspec
import pytest

from schemas.limits import COLLECTION_NAME_LENGTH
from server.i18n import LANGUAGES, catalogue
from server.tables import SYNCED_TABLES
from sync import policy
from sync.scope import ROLE_SCOPES
from sync.spec import META_FIELDS, Spec
from sync.specs import REGISTRY, SPECS

NAMES = [spec.name for spec in REGISTRY]


def test_the_registry_the_tables_and_the_pull_order_agree() -> None:
    assert set(SYNCED_TABLES) == set(SPECS)
    assert policy.PULLED_COLLECTIONS == tuple(NAMES)
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("spec", REGISTRY, ids=NAMES)
def test_a_spec_names_only_what_exists(spec: Spec) -> None:
    fields = spec.fields
    assert len(spec.name) <= COLLECTION_NAME_LENGTH
    assert META_FIELDS <= fields, "a record Struct derives from schemas.base.Record"
    assert spec.server_fields <= fields and spec.create_only <= fields
    assert set(spec.filled_by_maker) <= fields
    assert spec.owner_field is None or spec.owner_field in fields
    for field, target in spec.references.items():
        assert field in fields and target in SPECS, (field, target)
    assert set(spec.placement.by) <= set(spec.references), "placing fields are references"
    if spec.placement.parent is not None:
        kind_field, id_field, parents = spec.placement.parent
        assert {kind_field, id_field} <= fields and parents <= set(SPECS)
    assert set(spec.access) <= set(ROLE_SCOPES), "access for a role the role table lacks"
    for access in spec.access.values():
        assert access.hidden <= fields
    for rule in spec.value_rules:
        assert rule.field in fields
    if spec.lifecycle is not None:
        assert spec.lifecycle.field in fields
        assert set(spec.lifecycle.stamps.values()) <= spec.server_fields
        if spec.lifecycle.timeline is not None:
            line, parent_field = spec.lifecycle.timeline
            assert line in SPECS and parent_field in SPECS[line].fields


@pytest.mark.parametrize("spec", REGISTRY, ids=NAMES)
def test_every_collection_has_its_table(spec: Spec) -> None:
    table = SYNCED_TABLES[spec.name]
    columns = {c._meta.name for c in table._meta.columns}
    assert columns == {f.name for f in msgspec.structs.fields(spec.record)}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_every_collection_has_labels_in_both_languages(name: str, lang: str) -> None:
    messages = catalogue()[lang]
    assert messages.get(f"collection.{name}"), f"desk label collection.{name} ({lang})"
    assert messages.get(f"phone.collection.{name}"), f"phone label phone.collection.{name} ({lang})"
