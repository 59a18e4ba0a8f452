"""Time limits (时限) as data: when a record's first response and its resolution are due.

``DueRules`` holds the limits of one collection (per kind, at normal priority) and how
priority scales them; ``Terms`` holds an estate's rules per collection. The merge core is
given the terms (``merge.Context.terms``) and never reads settings: an estate may set its
own limits, and a future work order or renovation case brings its own rules.

The seed defaults (``SEED_TERMS``), per ticket kind at normal priority: inquiries answered
within 30 minutes; equipment faults (repairs) get a first check within 2 hours and are back
at the desk the same day; complaints get a first response and are handled within 24 hours;
findings from patrols and vacant checks get a first check within 2 hours. Priority scales
both limits; urgent tickets (fire, gas, a burst pipe) are answered at once (15 minutes).
Pure arithmetic on ISO 8601 UTC text: the caller passes ``created_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec


SAME_LIMITS_AS: dict[str, str] = {"warranty": "repair"}
"""Kinds that are a form of another for their time limits: a warranty repair found at the
handover (工程质量维修单, 验房) is repair work, answered and done as the estate's repairs are."""


class DueRules(msgspec.Struct, frozen=True, kw_only=True):
    """Limits in minutes: kind -> (response, resolve) at normal priority; priority ->
    factor applied to both; urgent records are answered within ``urgent_response``."""

    limits: dict[str, tuple[int, int]]
    priority_factor: dict[str, float]
    urgent_response: int

    def minutes(self, kind: str, priority: str) -> tuple[int, int]:
        """(response, resolve) limits in minutes for a kind and priority (a kind without
        limits of its own takes those of the kind it is a form of: ``SAME_LIMITS_AS``)."""
        response, resolve = self.limits.get(kind) or self.limits[SAME_LIMITS_AS[kind]]
        factor = self.priority_factor[priority]
        response, resolve = round(response * factor), round(resolve * factor)
        if priority == "urgent":
            response = min(response, self.urgent_response)
        return response, resolve

    def due_times(self, kind: str, priority: str, created_at: str) -> tuple[str, str]:
        """(response_due_at, resolve_due_at) of a record created at ``created_at``."""
        response, resolve = self.minutes(kind, priority)
        start = _parse(created_at)
        return (
            _format(start + timedelta(minutes=response)),
            _format(start + timedelta(minutes=resolve)),
        )


class Terms(msgspec.Struct, frozen=True, kw_only=True):
    """An estate's rules the merge core applies: due-time rules per collection, and the
    estate's time zone (a promised date ends at midnight there)."""

    due: dict[str, DueRules]
    timezone: str = "Asia/Shanghai"
    # 回访: how many callbacks must reach no one before 未联系上业主 may stand as the
    # callback (the seeds give no number: the estate's own setting)
    callback_attempts: int = 3

    def end_of_day(self, day: str) -> str:
        """The last moment of a calendar day (``2026-12-10``) in the estate, as ISO UTC."""
        start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(self.timezone))
        return _format(start + timedelta(days=1) - timedelta(milliseconds=1))


TICKET_RULES = DueRules(
    limits={
        "inquiry": (30, 24 * 60),
        "repair": (2 * 60, 24 * 60),
        "complaint": (24 * 60, 24 * 60),
        "patrol_finding": (2 * 60, 48 * 60),
        "vacant_defect": (2 * 60, 72 * 60),
    },
    priority_factor={"urgent": 0.25, "high": 0.5, "normal": 1.0, "low": 2.0},
    urgent_response=15,
)

SEED_TERMS = Terms(due={"ticket": TICKET_RULES})
"""The rules every estate starts with (an estate's own settings replace them)."""

FROM_SEEDS: dict[tuple[str, str], str] = {
    ("inquiry", "response"): "咨询……要求响应时间不超过30分钟",
    ("complaint", "response"): "普通投诉需在24小时内初步响应",
    ("repair", "response"): "设备故障则需在2小时内完成初步排查",
    ("repair", "resolve"): "要求当日事当日毕（不能立即修复的另定维修时间）",
}
"""The limits the seeds give (new-staff-summary.txt), with their words: every other figure
is the estate's own setting, and the 时限设置 page says so."""


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _format(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
