"""抄表 as data: an estate's meter settings, the rules a new reading must pass, and the
month's 分摊 (public use shared among a building's units). Pure: the server reads the
estate's settings and the meter's past and passes them in; the phone applies the same
rules before saving (web/static/app/meter_rules.js).

Rules (docs/procedures.md, 抄表):
- a reading lower than the meter's last is refused, unless marked ``replaced`` (换表) or
  ``rolled_over`` (表满归零) with a photo; the use of such a reading is the reading itself
  (the new dial starts from zero);
- a use far above the meter's usual (more than ``high_factor`` times its average daily use
  over the last ``average_months``, scaled to the days since the last reading, and at least
  ``high_floor``) is refused unless marked ``confirmed_high`` with a photo of the dial;
  a meter with fewer than two readings in that window has no usual yet;
- a reading the desk sent back for a re-read (复核) is left out of the meter's history: the
  re-read replaces it (the caller passes the history without it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import msgspec

RESETS = frozenset({"replaced", "rolled_over"})
DAY_SECONDS = 86400.0


class MeterSettings(msgspec.Struct, frozen=True, kw_only=True):
    """An estate's 抄表 settings. Seeded: the tariffs are the handbook's (应知 17: 水 2.4
    元/吨, 电 0.56 元/度, in fen); the others are the estate's own (the seeds give no round
    day, factor or floor; the issue proposes three times the six-month average)."""

    round_day: int = 25  # the day of the month the round is due by
    # a use needs confirming above high_factor x the usual, and at least high_floor (吨 / 度,
    # as the vacant checks' floor); tariffs in fen per 吨 / 度
    high_factor: float = 3.0
    average_months: int = 6
    high_floor: dict[str, float] = msgspec.field(default_factory=lambda: {"water": 1.0, "electricity": 10.0})
    share_by: Literal["area", "equal"] = "area"
    tariff_fen: dict[str, int] = msgspec.field(default_factory=lambda: {"water": 240, "electricity": 56})


SEED_METER_SETTINGS = MeterSettings()

FROM_SEEDS: dict[str, str] = {
    "tariff_fen.water": "水费 2.4元/吨 (应知 17)",
    "tariff_fen.electricity": "电费 0.56元/度 (应知 17)",
}
"""The settings the seeds give, with their words; every other one is the estate's own."""


def _at(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def use_of(previous: float, reading: float, flag: str | None) -> float:
    """The use between two readings: the difference, or the new dial's reading after a reset."""
    return reading if flag in RESETS else reading - previous


def usual_daily_use(past: Sequence[Mapping[str, Any]], before: str, months: int) -> float | None:
    """Average use per day over the ``months`` before ``before`` (None: fewer than two
    readings in that window, so no usual yet). ``past`` is any order."""
    start = _at(before) - timedelta(days=30 * months)
    window = sorted((r for r in past if start <= _at(r["read_at"]) < _at(before)), key=lambda r: r["read_at"])
    if len(window) < 2:
        return None
    used = sum(use_of(a["reading"], b["reading"], b.get("flag")) for a, b in zip(window, window[1:]))
    days = (_at(window[-1]["read_at"]) - _at(window[0]["read_at"])).total_seconds() / DAY_SECONDS
    return max(used, 0.0) / days if days > 0 else None


def reading_refusal(new: Mapping[str, Any], past: Sequence[Mapping[str, Any]], kind: str,
                    settings: MeterSettings) -> str | None:
    """Why a new reading is refused (a message code), or None. ``new`` holds ``reading``,
    ``read_at``, ``flag`` and ``photo_sha256``; ``past`` the meter's earlier readings (its
    rounds' and its unit's vacant checks'), any order."""
    earlier = sorted((r for r in past if r["read_at"] <= new["read_at"]), key=lambda r: r["read_at"])
    flag, photo = new.get("flag"), new.get("photo_sha256")
    if flag is not None and not photo:
        return "reading_needs_photo"
    if not earlier:
        return None
    last = earlier[-1]
    if new["reading"] < last["reading"] and flag not in RESETS:
        return "reading_lower"
    if flag in RESETS or flag == "confirmed_high":
        return None
    usual = usual_daily_use(earlier, new["read_at"], settings.average_months)
    if usual is None:
        return None
    days = (_at(new["read_at"]) - _at(last["read_at"])).total_seconds() / DAY_SECONDS
    use = new["reading"] - last["reading"]
    return "reading_high" if use > max(settings.high_factor * usual * days, settings.high_floor.get(kind, 0.0)) else None


# --- 分摊: the month's sheet -------------------------------------------------------------


class UnitArea(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    area_m2: float


def month_use(chain: Sequence[Mapping[str, Any]]) -> float:
    """The use over a chain of readings, oldest first (the month's last reading and every
    reading since the one before the month): resets count from zero."""
    return round(sum(use_of(a["reading"], b["reading"], b.get("flag")) for a, b in zip(chain, chain[1:])), 4)


def shares(units: Sequence[UnitArea], public_use: float, by: str) -> dict[str, float]:
    """A building's public use shared among its units: by area (面积分摊) or equally."""
    if not units:
        return {}
    total = sum(u.area_m2 for u in units)
    if by == "area" and total > 0:
        return {u.unit_id: public_use * u.area_m2 / total for u in units}
    return {u.unit_id: public_use / len(units) for u in units}


def amount_fen(use: float, share: float, tariff_fen: int) -> int:
    """What a unit pays for a month's use and its public share, in fen (rounded half up)."""
    return int((round((use + share) * tariff_fen, 6) + 0.5) // 1)
