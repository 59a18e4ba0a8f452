"""Notes on units at the desk: a section of the unit's archive page."""

from server.desk.registry import UnitSection, unit_section

SECTION = unit_section(UnitSection(collection="unit_note", fields=("created_at", "body")))

ROUTES: list = []
