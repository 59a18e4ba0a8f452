"""Who is asking: the authenticated staff member (and the phone, for device credentials)."""

from __future__ import annotations

import msgspec

from schemas.vocab import Role


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    username: str
    display_name: str
    role: Role
    building_ids: frozenset[str] = frozenset()  # assigned buildings (stewards)
    device_id: str | None = None  # set when authenticated by a phone's credential
    csrf_token: str | None = None  # set for desk sessions

    @property
    def sees_all_buildings(self) -> bool:
        return self.role != "steward"

    def may_see_building(self, building_id: str | None) -> bool:
        return self.sees_all_buildings or (building_id is not None and building_id in self.building_ids)
