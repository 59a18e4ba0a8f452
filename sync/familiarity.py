"""业主熟知 (must-know handbook 应知 5, 应知 6, 应会 1): what a steward must know of a household,
how complete a household's record is, the customer class a household's tenure gives, and
the estate's 熟知率 / 满意率 targets per class and staff standard.

Pure: the caller passes the household as a dict, the day as a ``date`` and the estate's
targets (``server.store.familiarity``) as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import msgspec

from schemas.vocab import CustomerClass, PlanReason

Standard = Literal["A", "B"]
"""The staff standard of 应知 5: a steward employed over half a year must meet B."""

CUSTOMER_CLASSES: tuple[CustomerClass, ...] = ("new", "settling", "stable", "old")
CLASS_UNTIL_MONTHS: tuple[tuple[CustomerClass, int], ...] = (("new", 6), ("settling", 18), ("stable", 30))
"""应知 5's 划分标准: a household is 新客户 under half a year after moving in, 磨合期 from half a
year to a year and a half, 稳定期 to two and a half years, 老客户 beyond. A boundary day
belongs to the later class (on the day half a year is up the household is 磨合期)."""

STANDARD_B_AFTER_MONTHS = 6
"""入职半年以上的客服管理员要求必须达到B类标准."""

KEY_CLASSES: frozenset[str] = frozenset({"vip", "media", "government", "group_staff"})
"""业主类别 that mark a key customer (重点客户, 应会 1.3: 媒体、政府、企业集团内部员工)."""

RECORD_FIELDS: tuple[str, ...] = (
    "owner_name", "spouse_name", "owner_age", "education", "hometown", "employer", "work_address",
    "family_structure", "family_size", "residence", "opinions", "special_needs",
)
"""What 应知 6 asks a steward to know, as the household's fields: (1) owner and spouse names,
age, education, hometown, employer and work address; (2) family structure and size; (3)
self-occupied or rented; (4) the view of the service and past suggestions (``opinions``);
(6) special requests (``special_needs``). (5), repairs and renovation changes, is the unit's
tickets, not a field to fill. A field that does not apply is filled with 无."""


def add_months(day: date, months: int) -> date:
    """``day`` ``months`` later; the 31st of a shorter month becomes its last day."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last))


def customer_class(move_in: date | None, on: date) -> CustomerClass | None:
    """The household's 客户类型 on ``on``; None without a move-in date (or one after ``on``)."""
    if move_in is None or move_in > on:
        return None
    for name, months in CLASS_UNTIL_MONTHS:
        if on < add_months(move_in, months):
            return name
    return "old"


def standard(employed_since: date | None, on: date) -> Standard:
    """The staff standard a steward is held to on ``on``: B from half a year after
    ``employed_since``, A before it (and A when the start is not known)."""
    if employed_since is None or on < add_months(employed_since, STANDARD_B_AFTER_MONTHS):
        return "A"
    return "B"


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() not in ("", "unknown")
    return True


def missing_fields(household: Mapping[str, Any]) -> list[str]:
    """The ``RECORD_FIELDS`` the household's record lacks."""
    return [f for f in RECORD_FIELDS if not _filled(household.get(f))]


def completeness(household: Mapping[str, Any]) -> int:
    """How complete the household's record is, a whole percentage of ``RECORD_FIELDS``."""
    filled = len(RECORD_FIELDS) - len(missing_fields(household))
    return round(100 * filled / len(RECORD_FIELDS))


def is_key(household: Mapping[str, Any]) -> bool:
    return household.get("owner_class") in KEY_CLASSES


class Target(msgspec.Struct, frozen=True, kw_only=True):
    """熟知率 and 满意率 a steward must reach, whole percentages."""

    familiarity: int
    satisfaction: int


class Targets(msgspec.Struct, frozen=True, kw_only=True):
    """An estate's targets: per customer class, per staff standard (``{"new": {"A": …, "B": …}}``)."""

    classes: dict[str, dict[str, Target]]

    def of(self, customer: CustomerClass, level: Standard) -> Target:
        return self.classes[customer][level]


def _seed(fam_a: int, fam_b: int, sat_a: int, sat_b: int) -> dict[str, Target]:
    return {"A": Target(familiarity=fam_a, satisfaction=sat_a), "B": Target(familiarity=fam_b, satisfaction=sat_b)}


SEED_TARGETS = Targets(classes={
    "new": _seed(80, 90, 80, 80),
    "settling": _seed(85, 95, 80, 80),
    "stable": _seed(90, 90, 80, 80),
    "old": _seed(95, 95, 80, 95),
})
"""The handbook's table (应知 5) as best it can be read: the source text is garbled (its cells
run together: "新客户 入住半年以下 90% B类 80% 80% 满意率 磨合期客户 半年~一年半 95% 85% 80%
稳定期客户 一年半~两年半 90% 90% 80% 80% 95% 95% 老客户 两年半以上"). Read as: each class's
熟知率 rises with tenure; B is the stricter standard (the one required after half a year),
so of a class's two 熟知率 figures the higher is B's; 满意率 80% throughout, 95% for B with
老客户 (the last pair). Every figure is the estate's to change (docs/procedures.md)."""


def rate(hits: int, total: int) -> int | None:
    """A whole percentage, None when nothing was counted."""
    return None if total == 0 else round(100 * hits / total)


def plan_reason(household: Mapping[str, Any], *, low_rated: bool, complained: bool) -> PlanReason | None:
    """Why a household belongs on its steward's visit plan (拜访计划), the most pressing first:
    a complaint to follow up, a low rating, a new owner, a key customer, an incomplete record;
    None when nothing calls for a visit. ``household`` carries its ``customer_class``."""
    if complained:
        return "complaint_follow_up"
    if low_rated:
        return "low_rating"
    if household.get("customer_class") == "new":
        return "new_owner"
    if is_key(household):
        return "key_customer"
    if missing_fields(household):
        return "incomplete_record"
    return None


QUIZ_FACTS: tuple[str, ...] = ("owner_ok", "employer_ok", "family_ok", "payment_ok")
"""What the steward recites of a drawn unit (应会 1.5.2): owner's name, employer, family
structure, payment status; the manager marks each right or wrong."""
QUIZ_UNITS = 10
CALLED_OWNERS = 5
SATISFIED = 4  # a rating of 4 or 5 of 5 is satisfied (as the KPIs count it)


def assessment_rates(quiz: list[Mapping[str, Any]], calls: list[Mapping[str, Any]]) -> tuple[int | None, int | None]:
    """熟知率 and 满意率 of an assessment. 熟知率: the facts the steward recited right plus the
    owners reached who know the steward's name, over the facts marked plus the owners
    reached (knowing is both ways: 应会 1.5 asks the steward about the owners and the owners
    about the steward). 满意率: owners reached who rated 4 or 5, over those who rated."""
    facts = [q[f] for q in quiz for f in QUIZ_FACTS if q.get(f) is not None]
    reached = [c for c in calls if c.get("reached")]
    known = sum(facts) + sum(1 for c in reached if c.get("knows_steward"))
    rated = [c["rating"] for c in reached if c.get("rating") is not None]
    return (rate(known, len(facts) + len(reached)),
            rate(sum(1 for r in rated if r >= SATISFIED), len(rated)))


def target_for(targets: Targets, classes: Mapping[str | None, int], level: Standard) -> Target | None:
    """The steward's target: the class targets of their standard weighted by how many of
    their households are in each class (households with no move-in date left out)."""
    counted = {c: n for c, n in classes.items() if c is not None and n}
    total = sum(counted.values())
    if not total:
        return None
    return Target(
        familiarity=round(sum(targets.of(c, level).familiarity * n for c, n in counted.items()) / total),  # type: ignore[arg-type]
        satisfaction=round(sum(targets.of(c, level).satisfaction * n for c, n in counted.items()) / total))  # type: ignore[arg-type]
