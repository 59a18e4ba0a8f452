"""The audit log: who did what, when, from where. Detail holds counts and ids, never
personal data (no owner names, phones or ID numbers; no passwords)."""

from __future__ import annotations

from typing import Any, Literal, get_args

import msgspec

from server.clock import now_iso
from server.tables import AuditLog

AuditAction = Literal[
    "login", "login_failed", "lockout", "rate_limited", "unlock", "logout", "device_enrol", "device_revoke",
    "archive_read", "export", "conflict_resolve", "role_change", "assignment_change",
    "user_add", "user_deactivate", "password_reset", "ledger_import", "id_number_reveal",
    "terms_change", "team_change", "roster_change", "prices_change", "familiarity_targets_change",
    "renovation_fees_change",
    "property_fees_change",  # 物业费 rates (server.store.move_in)
    "meter_settings_change",
    "survey_terms_change",  # survey thresholds (server.store.surveys)
    "fees_change", "fee_payment",
]
AUDIT_ACTIONS: tuple[str, ...] = get_args(AuditAction)
MAX_PAGE = 200


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    at: str
    user_id: str | None
    action: str
    target: str
    detail: dict[str, Any]
    ip: str


class AuditPage(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[AuditEntry]
    next_before: int | None  # keyset cursor: pass as ``before`` for the next (older) page


async def record(action: AuditAction, *, user_id: str | None = None, target: str = "",
                 detail: dict[str, Any] | None = None, ip: str = "") -> None:
    """Append one entry. ``action`` must be one of ``AUDIT_ACTIONS``."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    await AuditLog.insert(AuditLog(
        at=now_iso(), user_id=user_id, action=action, target=target[:100],
        detail=detail or {}, ip=ip[:45],
    ))


async def page(*, action: str | None = None, user_id: str | None = None, target: str | None = None,
               since: str | None = None, until: str | None = None, before: int | None = None,
               limit: int = 50) -> AuditPage:
    """Newest first, filtered, keyset-paged by id (``before`` = the last id already shown)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = AuditLog.select().order_by(AuditLog.id, ascending=False).limit(limit + 1)
    if action:
        query = query.where(AuditLog.action == action)
    if user_id:
        query = query.where(AuditLog.user_id == user_id)
    if target:
        query = query.where(AuditLog.target == target)
    if since:
        query = query.where(AuditLog.at >= since)
    if until:
        query = query.where(AuditLog.at < until)
    if before is not None:
        query = query.where(AuditLog.id < before)
    rows = await query
    entries = [_entry(r) for r in rows[:limit]]
    more = len(rows) > limit
    return AuditPage(entries=entries, next_before=entries[-1].id if more and entries else None)


def _entry(row: dict[str, Any]) -> AuditEntry:
    detail = row["detail"]
    if isinstance(detail, str):
        detail = msgspec.json.decode(detail) if detail else {}
    return AuditEntry(id=row["id"], at=row["at"], user_id=row["user_id"], action=row["action"],
                      target=row["target"], detail=detail, ip=row["ip"])
