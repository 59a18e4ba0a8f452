"""The state a demo build threads through its steps: the seeded random source, the demo's
"now", stable ids and the rows made so far (plain dicts per table, in insertion order)."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.clock import iso
from server.demo.texts import GIVEN_NAMES, SURNAMES

NAMESPACE = uuid.UUID("5b1d7c3e-8f2a-4c6b-9d0e-1a2b3c4d5e6f")
DEMO_ESTATE_ID = str(uuid.uuid5(NAMESPACE, "estate"))
SECOND_ESTATE_ID = str(uuid.uuid5(NAMESPACE, "estate:CHY"))
"""The demo's second, small estate (翠湖苑): a company runs several from one deployment."""
DAY_STARTS = time(8, 0)
"""The demo's "now" on a given ``today`` is 08:00 (estate time): the morning patrol is under way."""


def stable_id(kind: str, *parts: object) -> str:
    """The same id for the same record in every load (uuid5 of kind and parts)."""
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *map(str, parts)])))


@dataclass
class Staff:
    id: str
    username: str
    display_name: str
    role: str
    phone: str
    building_ids: list[str] = field(default_factory=list)


@dataclass
class UnitInfo:
    id: str
    building_id: str
    code: str
    unit_type: str
    area_m2: float
    occupancy: str
    household_id: str
    owner_name: str
    owner_phone: str


@dataclass
class DemoContext:
    seed: int
    today: date
    timezone: str
    clock: time = DAY_STARTS  # the time of day of the demo's "now"
    rng: random.Random = field(init=False)
    tz: ZoneInfo = field(init=False)
    now: datetime = field(init=False)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    staff: list[Staff] = field(default_factory=list)
    units: list[UnitInfo] = field(default_factory=list)
    building_codes: dict[str, str] = field(default_factory=dict)  # building id -> code
    steward_of: dict[str, Staff] = field(default_factory=dict)  # building id -> steward
    estate_of: dict[str, str] = field(default_factory=dict)  # building id -> estate, when not the demo's
    engineer_of: dict[tuple[str, str], Staff] = field(default_factory=dict)  # (estate, team) -> on duty
    _phones: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.tz = ZoneInfo(self.timezone)
        self.now = datetime.combine(self.today, self.clock, self.tz)

    # --- people and places ---------------------------------------------------------
    def by_role(self, role: str) -> list[Staff]:
        return [s for s in self.staff if s.role == role]

    def fake_phone(self) -> str:
        """138-0000-xxxx: a reserved-looking, obviously invented mobile number."""
        self._phones += 1
        return f"1380000{self._phones:04d}"

    def person_name(self, surname: str | None = None) -> str:
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(GIVEN_NAMES)

    # --- time -----------------------------------------------------------------------
    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz)

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def daytime(self, day: date, start_hour: int = 8, end_hour: int = 20) -> datetime:
        """A random moment of ``day`` between the two hours (estate time)."""
        minutes = self.rng.randrange((end_hour - start_hour) * 60)
        return self.local(day, start_hour) + timedelta(minutes=minutes, seconds=self.rng.randrange(60))

    # --- rows -----------------------------------------------------------------------
    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.rows[table].append(row)
        return row

    def add_synced(self, table: str, row: dict[str, Any], *, at: datetime, by: str | None,
                   building_id: str | None, updated: datetime | None = None,
                   updated_by: str | None = None) -> dict[str, Any]:
        """A synced record with its metadata (its version is given at load time), in the
        estate of its building (the demo estate's, unless ``estate_of`` says otherwise)."""
        row.update(created_at=iso(at), updated_at=iso(updated or at), created_by=by,
                   updated_by=updated_by or by, deleted=False, building_id=building_id,
                   estate_id=self.estate_of.get(building_id or "", DEMO_ESTATE_ID))
        return self.add(table, row)

