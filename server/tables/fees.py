"""Fee reminders (催缴): each unit's arrears (kept by the server from ``fee_bill``) and the
steward's contact log (催缴记录本). Money in integer fen."""

from piccolo.columns import JSON, Boolean, Integer, Text, Varchar

from server.tables.base import Synced, ts


class Arrears(Synced, tablename="arrears"):
    unit_id = Varchar(length=36, index=True)
    lines = JSON(default=[])  # [{month, item, owed_fen}] oldest first
    amount_fen = Integer(default=0)
    oldest_month = Varchar(length=7, default="")
    calendar = JSON(default={})  # the estate's FeeCalendar when last written


class FeeContact(Synced, tablename="fee_contact"):
    unit_id = Varchar(length=36, index=True)
    steward_id = Varchar(length=36, index=True)
    kind = Varchar(length=8)
    contacted_at = ts(index=True)
    reached = Boolean(null=True, default=None)
    promised_on = Varchar(length=10, null=True, default=None)
    reason = Varchar(length=16, null=True, default=None)
    notice = Varchar(length=8, null=True, default=None)
    note = Text(default="")
    amount_fen = Integer(default=0)
    visit_id = Varchar(length=36, null=True, default=None)
    ticket_id = Varchar(length=36, null=True, default=None)


TABLES = (Arrears, FeeContact)
