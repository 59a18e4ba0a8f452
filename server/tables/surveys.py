"""Satisfaction surveys (满意度调查): campaigns and corrective actions (the office's, at the
desk), the per-building sheets and the answers (synced)."""

from piccolo.columns import JSON, Integer, Text, Varchar
from piccolo.table import Table

from server.tables.base import Synced, ts


class SurveyCampaign(Table, tablename="survey_campaign"):
    """A campaign: its period, questionnaire (``schemas.surveys.Question`` list as JSON) and
    sample; ``status`` draft → open → closed. Opening writes the sheets."""

    id = Varchar(length=36, primary_key=True)
    estate_id = Varchar(length=36, index=True)
    name = Varchar(length=80)
    starts_on = Varchar(length=10)
    ends_on = Varchar(length=10)
    sample_mode = Varchar(length=16, default="all")
    per_building = Integer(default=0)
    questions = Text(default="[]")
    status = Varchar(length=8, default="draft")
    created_by = Varchar(length=36, null=True, default=None)
    created_at = ts()
    opened_at = ts()


class CorrectiveAction(Table, tablename="corrective_action"):
    """纠正和预防措施: opened by a low score or a recurring complaint of a campaign
    (``trigger_key`` once per cause), owned by a staff member, due, closed with a note."""

    id = Varchar(length=36, primary_key=True)
    estate_id = Varchar(length=36, index=True)
    campaign_id = Varchar(length=36, index=True)
    building_id = Varchar(length=36, null=True, default=None)
    service = Varchar(length=20)
    cause = Varchar(length=12)  # low_score / complaint
    trigger_key = Varchar(length=200, unique=True)
    detail = Text(default="")
    owner_id = Varchar(length=36, null=True, default=None)
    due_on = Varchar(length=10, null=True, default=None)
    status = Varchar(length=8, default="open")
    closing_note = Text(default="")
    created_at = ts()
    closed_at = ts()


class SurveySheet(Synced, tablename="survey_sheet"):
    campaign_id = Varchar(length=36, index=True)
    name = Varchar(length=80)
    starts_on = Varchar(length=10)
    ends_on = Varchar(length=10)
    questions = JSON(default=[])
    household_ids = JSON(default=[])


class SurveyResponse(Synced, tablename="survey_response"):
    sheet_id = Varchar(length=36, index=True)
    unit_id = Varchar(length=36)
    household_id = Varchar(length=36)
    channel = Varchar(length=8, default="door")
    answered_at = ts()
    steward_id = Varchar(length=36)
    answers = JSON(default=[])
    duplicate_of = Varchar(length=36, null=True, default=None)


TABLES = (SurveyCampaign, CorrectiveAction, SurveySheet, SurveyResponse)
