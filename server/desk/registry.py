"""What a capability adds to the desk's shared pages, registered once by the capability's
own desk module (imported by ``server/desk/__init__.py``).

Today: sections of the archive's unit page (``UnitSection``): the records of a synced
collection that belong to the unit, newest first, as a table of chosen fields labelled
``<collection>.<field>`` from the catalogues. A capability with a page of its own adds its
routes to ``ROUTES`` in its module, as every desk module does.
"""

from __future__ import annotations

import msgspec

from sync.specs import SPECS


class UnitSection(msgspec.Struct, frozen=True, kw_only=True):
    """Records of ``collection`` pointing at a unit (through ``unit_field``), shown on the
    unit's archive page: ``fields`` as columns, newest first by ``order_by``."""

    collection: str
    fields: tuple[str, ...]
    unit_field: str = "unit_id"
    order_by: str = "created_at"
    limit: int = 100


_UNIT_SECTIONS: dict[str, UnitSection] = {}


def unit_section(section: UnitSection) -> UnitSection:
    """Register a unit-page section; a misnamed collection or field fails at import."""
    spec = SPECS.get(section.collection)
    if spec is None:
        raise ValueError(f"unit section of an unknown collection: {section.collection}")
    unknown = {*section.fields, section.unit_field, section.order_by} - spec.fields
    if unknown or spec.references.get(section.unit_field) != "unit":
        raise ValueError(f"unit section {section.collection}: bad fields {sorted(unknown)}")
    if _UNIT_SECTIONS.get(section.collection, section) != section:
        raise ValueError(f"unit section {section.collection} registered twice")
    _UNIT_SECTIONS[section.collection] = section
    return section


def unit_sections() -> tuple[UnitSection, ...]:
    return tuple(_UNIT_SECTIONS.values())
