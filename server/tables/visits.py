"""Doorstep visits and callbacks."""

from piccolo.columns import Integer, Text, Varchar

from server.tables.base import Synced, ts


class Visit(Synced, tablename="visit"):
    unit_id = Varchar(length=36, index=True)
    household_id = Varchar(length=36, null=True, default=None)
    purpose = Varchar(length=20, index=True)
    status = Varchar(length=8, default="planned", index=True)
    appointment_at = ts()
    visited_at = ts(index=True)
    steward_id = Varchar(length=36, index=True)
    outcome = Text(default="")
    satisfaction = Integer(null=True, default=None)
    owner_words = Text(default="")
    follow_ups = Text(default="")
    ticket_id = Varchar(length=36, null=True, default=None, index=True)
    signature_sha256 = Varchar(length=64, null=True, default=None)
    plan_reason = Varchar(length=24, null=True, default=None)  # migration 0024


TABLES = (Visit,)
