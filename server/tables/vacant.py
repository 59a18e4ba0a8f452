"""The weekly check of vacant units."""

from piccolo.columns import JSON, DoublePrecision, Text, Varchar

from server.tables.base import Synced, ts


class VacantCheck(Synced, tablename="vacant_check"):
    unit_id = Varchar(length=36, index=True)
    week = Varchar(length=8, index=True)
    checked_at = ts()
    steward_id = Varchar(length=36)
    results = JSON(default={})
    water_reading = DoublePrecision(null=True, default=None)
    electric_reading = DoublePrecision(null=True, default=None)
    notes = Text(default="")


TABLES = (VacantCheck,)
