"""Meters (水表/电表) and their readings (抄表)."""

from piccolo.columns import DoublePrecision, Integer, Text, Varchar

from server.tables.base import Synced, ts


class Meter(Synced, tablename="meter"):
    unit_id = Varchar(length=36, null=True, default=None, index=True)
    kind = Varchar(length=12)
    use = Varchar(length=12)
    floor = Integer(default=0)
    place = Varchar(length=50, default="")
    walk_order = Integer(default=0)
    serial = Varchar(length=40, default="")


class MeterReading(Synced, tablename="meter_reading"):
    meter_id = Varchar(length=36, index=True)
    reading = DoublePrecision()
    read_at = ts()
    reader_id = Varchar(length=36)
    flag = Varchar(length=16, null=True, default=None)
    photo_sha256 = Varchar(length=64, null=True, default=None)
    source = Varchar(length=16, default="round")
    note = Text(default="")
    review = Varchar(length=12, null=True, default=None)
    review_note = Text(default="")


TABLES = (Meter, MeterReading)
