"""业主熟知 (issue 17): the monthly visit plans (拜访计划, 应会 1.4) the desk proposes and the
manager approves. Desk-only (not synced): an approved line becomes a planned ``visit`` (same
id), which reaches the steward's phone through the ordinary sync."""

from piccolo.columns import Varchar
from piccolo.table import Table

from server.tables.base import ts


class VisitPlanItem(Table, tablename="visit_plan_item"):
    """One household on a steward's plan for a month; once per steward, month and unit."""

    id = Varchar(length=36, primary_key=True)  # also the id of the planned visit once approved
    estate_id = Varchar(length=36, index=True)
    building_id = Varchar(length=36, index=True)
    steward_id = Varchar(length=36)
    month = Varchar(length=7)  # "2026-12"
    unit_id = Varchar(length=36)
    household_id = Varchar(length=36, null=True, default=None)
    reason = Varchar(length=24)  # schemas.vocab.PlanReason
    status = Varchar(length=10, default="proposed")  # proposed / approved
    proposed_by = Varchar(length=36)
    proposed_at = ts()
    approved_by = Varchar(length=36, null=True, default=None)
    approved_at = ts()


TABLES = (VisitPlanItem,)
