"""What a capability adds to the desk's shared pages, registered once by the capability's
own desk module (imported by ``server/desk/__init__.py``; the admin area's by ``server/admin``).

- sections of the archive's unit page (``UnitSection``): the records of a synced collection
  that belong to the unit, newest first, as a table of chosen fields labelled
  ``<collection>.<field>`` from the catalogues;
- lists the desk exports as CSV or XLSX (``ExportList``, served by ``server/desk/exports.py``
  at ``/desk/export/<name>.<csv|xlsx>``);
- links of the desk's navigation bar (``NavEntry``, shown by ``desk_base.html`` in ``order``
  to the roles that may open their route).

A capability with a page of its own adds its routes to ``ROUTES`` in its module, as every
desk module does; who may open a route stays in ``server.policy.ACCESS``. A duplicate name,
or a route missing from ``ACCESS``, fails at import.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import msgspec

from server.policy import ACCESS
from server.templating import provide_nav
from sync.specs import SPECS


class UnitSection(msgspec.Struct, frozen=True, kw_only=True):
    """Records of ``collection`` pointing at a unit (through ``unit_field``), shown on the
    unit's archive page: ``fields`` as columns, newest first by ``order_by``."""

    collection: str
    fields: tuple[str, ...]
    unit_field: str = "unit_id"
    order_by: str = "created_at"
    limit: int = 100
    href: str = ""  # each row's page (``{id}``: the record's id), e.g. a renovation case's


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


# --- exports -------------------------------------------------------------------------------

Table = tuple[list[str], list[list[Any]]]  # header keys (translated at export), rows
Builder = Callable[[Any], Awaitable[Table]]  # (request) -> table, with the page's filters
B = TypeVar("B", bound=Builder)


class ExportList(msgspec.Struct, frozen=True, kw_only=True):
    """A desk list exported as ``<name>.csv`` / ``<name>.xlsx``: ``build`` reads it with the
    same filters and field policy as ``page`` (a route name), and only the roles that may open
    that page may export it. ``personal`` lists carry owners' personal data (the audit entry
    says so)."""

    name: str
    build: Builder
    page: str
    personal: bool = False


_EXPORTS: dict[str, ExportList] = {}


def _known_route(route: str, what: str) -> None:
    if route not in ACCESS:
        raise ValueError(f"{what}: route {route!r} has no line in server.policy.ACCESS")


def export_list(name: str, *, page: str, personal: bool = False) -> Callable[[B], B]:
    """Register the decorated builder as the export ``name`` of the list shown by ``page``."""
    def register(build: B) -> B:
        _known_route(page, f"export {name}")
        if name in _EXPORTS:
            raise ValueError(f"export {name} registered twice")
        _EXPORTS[name] = ExportList(name=name, build=build, page=page, personal=personal)
        return build
    return register


def export_lists() -> Mapping[str, ExportList]:
    """The registered exports by name (a live, read-only view)."""
    return MappingProxyType(_EXPORTS)


# --- navigation ----------------------------------------------------------------------------


class NavEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A link of the desk's navigation bar: ``key`` is its label's catalogue key, ``route``
    the name of the page at ``href`` (the link shows only to roles that may open it), and
    ``order`` its place, smallest first."""

    href: str
    key: str
    route: str
    order: int


_NAV: list[NavEntry] = []


def nav_entry(entry: NavEntry) -> NavEntry:
    """Register a navigation link; a second link to the same page or at the same place fails."""
    _known_route(entry.route, f"nav entry {entry.href}")
    for other in _NAV:
        if entry.route == other.route or entry.href == other.href or entry.order == other.order:
            raise ValueError(f"nav entry {entry.href} (order {entry.order}) clashes with {other.href} "
                             f"(order {other.order})")
    _NAV.append(entry)
    _NAV.sort(key=lambda e: e.order)
    return entry


def nav_entries() -> tuple[NavEntry, ...]:
    """The navigation links in their order."""
    return tuple(_NAV)


provide_nav(nav_entries)  # pages read the links without server.templating importing the desk
