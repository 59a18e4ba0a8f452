"""Piccolo tables. Times are ISO 8601 UTC strings (``2026-11-22T08:00:00.000Z``), dates
``YYYY-MM-DD``: sortable as text and the same on SQLite and PostgreSQL."""

from server.tables.estate import Building, Estate, FeeBill, Household, Unit  # noqa: F401
from server.tables.field import Attachment, AttachmentBlob, Finding, PatrolRound, UploadPart, VacantCheck, Visit
from server.tables.staff import AuditLog, BuildingAssignment, LoginAttempt, StaffSession, StaffUser
from server.tables.sync import AppliedMutation, ChangeLog, Conflict, SyncClock, SyncDevice
from server.tables.tickets import Ticket, TicketEvent

ALL_TABLES = [
    Estate, Building, Unit, Household, FeeBill,
    StaffUser, BuildingAssignment, StaffSession, LoginAttempt, AuditLog,
    Ticket, TicketEvent,
    PatrolRound, Finding, VacantCheck, Visit, Attachment, AttachmentBlob, UploadPart,
    SyncDevice, AppliedMutation, ChangeLog, SyncClock, Conflict,
]

SYNCED_TABLES = {
    "building": Building,
    "unit": Unit,
    "household": Household,
    "ticket": Ticket,
    "ticket_event": TicketEvent,
    "patrol_round": PatrolRound,
    "finding": Finding,
    "vacant_check": VacantCheck,
    "visit": Visit,
    "attachment": Attachment,
    "conflict": Conflict,
}
"""Synced collections by wire name; mirrors ``schemas.records.COLLECTIONS``."""

__all__ = [t.__name__ for t in ALL_TABLES] + ["ALL_TABLES", "SYNCED_TABLES"]
