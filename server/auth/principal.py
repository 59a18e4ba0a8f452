"""Who is asking: the authenticated staff member (and the phone, for device credentials)."""

from __future__ import annotations

import msgspec

from schemas.vocab import Role
from sync.scope import Scope, scope_of


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    username: str
    display_name: str
    role: Role
    estate_ids: frozenset[str] = frozenset()  # the estates the person works in
    building_ids: frozenset[str] = frozenset()  # assigned buildings (stewards)
    device_id: str | None = None  # set when authenticated by a phone's credential
    # a desk user of several estates: all of them, by (id, name), for the estate switch;
    # ``estate_ids`` is then the one chosen (or all of them)
    estate_choices: tuple[tuple[str, str], ...] = ()

    @property
    def scope(self) -> Scope:
        """What this person may see, from the role table (``sync.scope``: fails closed)."""
        return scope_of(self.role, self.user_id, estate_ids=self.estate_ids,
                        building_ids=self.building_ids)
