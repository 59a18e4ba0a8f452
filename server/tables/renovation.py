"""Renovation cases (装修) and their inspections."""

from piccolo.columns import JSON, Boolean, DoublePrecision, Integer, Text, Varchar

from server.tables.base import Synced, ts


def day(**kwargs: object) -> Varchar:
    """A calendar day, ``YYYY-MM-DD``."""
    return Varchar(length=10, null=True, default=None, **kwargs)  # type: ignore[arg-type]


class Renovation(Synced, tablename="renovation"):
    unit_id = Varchar(length=36, index=True)
    household_id = Varchar(length=36, null=True, default=None)
    status = Varchar(length=16, default="applied", index=True)
    owner_name = Varchar(length=50, default="")
    contractor = Varchar(length=100, default="")
    contractor_phone = Varchar(length=30, default="")
    plan = Text(default="")
    unit_type = Varchar(length=10)
    area_m2 = DoublePrecision(default=0.0)
    papers = JSON(default=[])
    applied_on = Varchar(length=10)
    approved_on = day()
    fees_paid_on = day()
    tested_on = day()
    permit_on = day()
    completed_on = day()
    first_on = day()
    passes_returned_on = day()
    second_on = day()
    refunded_on = day()
    test_inspection_id = Varchar(length=36, null=True, default=None)
    first_inspection_id = Varchar(length=36, null=True, default=None)
    second_inspection_id = Varchar(length=36, null=True, default=None)
    first_due = day()
    second_due = day()
    quality_deposit_fen = Integer(default=0)
    rubbish_fen = Integer(default=0)
    passes_issued = Integer(default=0)
    pass_fee_fen = Integer(default=0)
    pass_deposit_fen = Integer(default=0)
    passes_returned = Integer(default=0)
    pass_deposit_refunded_fen = Integer(default=0)
    quality_deposit_refunded_fen = Integer(default=0)
    notes = Text(default="")


class RenovationInspection(Synced, tablename="renovation_inspection"):
    renovation_id = Varchar(length=36, index=True)
    kind = Varchar(length=8)
    inspected_at = ts()
    inspected_on = Varchar(length=10)
    steward_id = Varchar(length=36)
    results = JSON(default={})
    findings = Text(default="")
    notice = Text(default="")
    notice_due = day()
    checks_notice_id = Varchar(length=36, null=True, default=None)
    notice_result = Varchar(length=16, null=True, default=None)
    passed = Boolean(null=True, default=None)
    signature_sha256 = Varchar(length=64, null=True, default=None, index=True)


TABLES = (Renovation, RenovationInspection)
