"""Ticket time limits (时限): when the first response and the resolution are due.

Limits per ticket kind at normal priority, from the seed manuals: inquiries answered within
30 minutes; equipment faults (repairs) get a first check within 2 hours and are back at
the desk the same day; complaints get a first response and are handled within 24 hours;
findings from patrols and vacant checks get a first check within 2 hours. Priority scales
both limits; urgent tickets (fire, gas, a burst pipe) are answered at once (15 minutes).
Pure arithmetic on ISO 8601 UTC text: the caller passes ``created_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


# kind -> (response limit, resolve limit) in minutes, at normal priority
LIMITS: dict[str, tuple[int, int]] = {
    "inquiry": (30, 24 * 60),
    "repair": (2 * 60, 24 * 60),
    "complaint": (24 * 60, 24 * 60),
    "patrol_finding": (2 * 60, 48 * 60),
    "vacant_defect": (2 * 60, 72 * 60),
}

# priority -> factor applied to both limits
PRIORITY_FACTOR: dict[str, float] = {"urgent": 0.25, "high": 0.5, "normal": 1.0, "low": 2.0}
URGENT_RESPONSE_MINUTES = 15


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _format(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def limits(kind: str, priority: str) -> tuple[int, int]:
    """(response, resolve) limits in minutes for a kind and priority."""
    response, resolve = LIMITS[kind]
    factor = PRIORITY_FACTOR[priority]
    response, resolve = round(response * factor), round(resolve * factor)
    if priority == "urgent":
        response = min(response, URGENT_RESPONSE_MINUTES)
    return response, resolve


def due_times(kind: str, priority: str, created_at: str) -> tuple[str, str]:
    """(response_due_at, resolve_due_at) of a ticket created at ``created_at``."""
    response, resolve = limits(kind, priority)
    start = _parse(created_at)
    return (
        _format(start + timedelta(minutes=response)),
        _format(start + timedelta(minutes=resolve)),
    )
