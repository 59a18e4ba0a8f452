"""业主熟知 (issue 17): the monthly visit plans (拜访计划, 应会 1.4) the desk proposes and the
manager approves. Desk-only (not synced): an approved line becomes a planned ``visit`` (same
id), which reaches the steward's phone through the ordinary sync."""

from piccolo.columns import Boolean, Integer, Varchar
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



class FamiliarityAssessment(Table, tablename="familiarity_assessment"):
    """应会 1.5: the manager's assessment of one steward for a month (once per steward and
    month), its draw and its result against the targets of the steward's households."""

    id = Varchar(length=36, primary_key=True)
    estate_id = Varchar(length=36, index=True)
    steward_id = Varchar(length=36)
    month = Varchar(length=7)
    status = Varchar(length=8, default="open")  # open / done
    households = Integer(default=0)
    completeness = Integer(null=True, default=None)  # the scope's mean record completeness at the start
    standard = Varchar(length=1, default="A")
    target_familiarity = Integer(default=0)
    target_satisfaction = Integer(default=0)
    familiarity = Integer(null=True, default=None)  # 熟知率 %, when done
    satisfaction = Integer(null=True, default=None)  # 满意率 %, when done (None: no owner rated)
    started_by = Varchar(length=36)
    started_at = ts()
    finished_at = ts()


class FamiliarityCheck(Table, tablename="familiarity_check"):
    """One drawn unit of an assessment: a quiz unit (the steward recites owner, employer,
    family, payment) or an owner called (knows the steward's name? their rating)."""

    id = Varchar(length=36, primary_key=True)
    assessment_id = Varchar(length=36, index=True)
    estate_id = Varchar(length=36)
    building_id = Varchar(length=36)
    kind = Varchar(length=5)  # quiz / call
    position = Integer(default=0)
    unit_id = Varchar(length=36)
    household_id = Varchar(length=36)
    owner_ok = Boolean(null=True, default=None)
    employer_ok = Boolean(null=True, default=None)
    family_ok = Boolean(null=True, default=None)
    payment_ok = Boolean(null=True, default=None)
    reached = Boolean(null=True, default=None)
    knows_steward = Boolean(null=True, default=None)
    rating = Integer(null=True, default=None)


TABLES = (VisitPlanItem, FamiliarityAssessment, FamiliarityCheck)
