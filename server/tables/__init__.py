"""Piccolo tables. Times are ISO 8601 UTC strings (``2026-11-22T08:00:00.000Z``), dates
``YYYY-MM-DD``: sortable as text and the same on SQLite and PostgreSQL.

Each capability's module lists its tables in ``TABLES``; ``MODULES`` below is the one list
of modules. The synced tables (subclasses of ``Synced``) are found from it, by wire name
(a test keeps them equal to the specs of ``sync.specs``).
"""

from piccolo.table import Table

from server.tables import (
    attachments, conflicts, duty, estate, familiarity, fees, meters, move_in, patrol, renovation, staff, surveys, sync,
    tickets, vacant, visits,
)
from server.tables.base import Synced
from server.tables.estate import Building, Estate, FeeBill, Household, Unit
from server.tables.attachments import Attachment, AttachmentBlob, UploadPart
from server.tables.conflicts import Conflict
from server.tables.familiarity import FamiliarityAssessment, FamiliarityCheck, VisitPlanItem
from server.tables.meters import Meter, MeterReading
from server.tables.duty import DutyRoster
from server.tables.fees import Arrears, FeeContact
from server.tables.staff import (
    AuditLog, BuildingAssignment, LoginAttempt, StaffEstate, StaffSession, StaffUser,
)
from server.tables.patrol import Finding, PatrolRound
from server.tables.renovation import Renovation, RenovationInspection
from server.tables.sync import AppliedBatch, AppliedMutation, ChangeLog, SyncClock, SyncDevice
from server.tables.surveys import CorrectiveAction, SurveyCampaign, SurveyResponse, SurveySheet
from server.tables.tickets import Ticket, TicketEvent
from server.tables.vacant import VacantCheck
from server.tables.visits import Visit

MODULES = (estate, staff, duty, tickets, patrol, vacant, visits, fees, meters, renovation, move_in, surveys,
           attachments, sync, conflicts, familiarity)

ALL_TABLES: list[type[Table]] = [table for module in MODULES for table in module.TABLES]

VIEWS: list[type[Table]] = [AppliedMutation]
"""Tables over views (read only, bound to the engine like the tables; not in ``ALL_TABLES``)."""

SYNCED_TABLES: dict[str, type[Synced]] = {
    table._meta.tablename: table for table in ALL_TABLES if issubclass(table, Synced)}
"""Synced collections by wire name (the table's name); one per spec in ``sync.specs``."""

__all__ = [
    "ALL_TABLES", "SYNCED_TABLES", "VIEWS", "AppliedBatch", "AppliedMutation", "Arrears", "Attachment", "AttachmentBlob",
    "AuditLog", "Building", "BuildingAssignment", "ChangeLog", "Conflict", "CorrectiveAction", "DutyRoster", "Estate",
    "FamiliarityAssessment", "FamiliarityCheck", "FeeBill", "FeeContact",
    "Finding", "Household", "LoginAttempt", "Meter", "MeterReading", "PatrolRound", "Renovation",
    "RenovationInspection", "StaffEstate", "StaffSession",
    "StaffUser", "SurveyCampaign", "SurveyResponse", "SurveySheet", "SyncClock", "SyncDevice", "Ticket", "TicketEvent",
    "Unit", "UploadPart", "VacantCheck", "Visit", "VisitPlanItem",
]
