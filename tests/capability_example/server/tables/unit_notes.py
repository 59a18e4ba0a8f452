"""Notes on units."""

from piccolo.columns import Text, Varchar

from server.tables.base import Synced


class UnitNote(Synced, tablename="unit_note"):
    unit_id = Varchar(length=36)
    body = Text(default="")
    steward_id = Varchar(length=36)


TABLES = (UnitNote,)
