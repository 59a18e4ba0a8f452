"""Every synced collection, declared once, grouped by capability, in pull order.

``REGISTRY`` is the one ordered list: phones pull collections in this order (reference data
first, so that children arrive after what they point to), and ``sync.policy`` derives its
tables from it. A capability adds its collections by adding its module's ``SPECS`` here;
docs/design.md ("Adding a capability") lists the other files it touches.
"""

from __future__ import annotations

from collections.abc import Mapping

from sync.spec import Spec
from sync.specs import attachments, conflicts, estate, fees, meters, move_in, patrol, renovation, surveys, tickets, vacant, visits

REGISTRY: tuple[Spec, ...] = (
    *estate.SPECS,
    *meters.SPECS,
    *patrol.SPECS,
    *vacant.SPECS,
    *visits.SPECS,
    *renovation.SPECS,
    *move_in.SPECS,
    *tickets.SPECS,
    *surveys.SPECS,
    *fees.SPECS,
    *attachments.SPECS,
    *conflicts.SPECS,
)

SPECS: Mapping[str, Spec] = {spec.name: spec for spec in REGISTRY}
"""Every spec by its collection's wire name (also its table name)."""

assert len(SPECS) == len(REGISTRY), "two specs share a collection name"
