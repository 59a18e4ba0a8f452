"""Patrols: a steward's rounds and their findings."""

from piccolo.columns import JSON, Boolean, Text, Varchar

from server.tables.base import Synced, ts


class PatrolRound(Synced, tablename="patrol_round"):
    steward_id = Varchar(length=36, index=True)
    started_at = ts(index=True)
    ended_at = ts()
    status = Varchar(length=8, default="open")
    covered_building_ids = JSON(default=[])
    notes = Text(default="")


class Finding(Synced, tablename="finding"):
    round_id = Varchar(length=36, null=True, default=None)
    floor = Varchar(length=20, null=True, default=None)
    area = Varchar(length=16, null=True, default=None)
    unit_id = Varchar(length=36, null=True, default=None)
    kind = Varchar(length=20)
    severity = Varchar(length=10, default="medium")
    description = Text(default="")
    occurred_at = ts(index=True)
    ticket_id = Varchar(length=36, null=True, default=None, index=True)
    steward_id = Varchar(length=36)
    handled = Boolean(default=False)  # migration 0018
    handled_note = Text(default="")
    handled_by = Varchar(length=36, null=True, default=None)
    handled_at = ts()


TABLES = (PatrolRound, Finding)
