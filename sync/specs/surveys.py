"""Satisfaction surveys (满意度调查): the questionnaire of a building, and the answers.

A sheet is written by the office (the server, when a campaign opens) and read by the
phones of the building's stewards. An answer is create-only (append-only) and counts once
per household and campaign: a household's sheet is its building's for that campaign, so
the key is ``(sheet_id, household_id)``; a second answer (two phones offline) is kept,
marked ``duplicate_of`` the first by server order, and not counted.
"""

from __future__ import annotations

from schemas.surveys import SurveyResponse, SurveySheet
from sync.scope import OFFICE_ROLES, WRITING_ROLES
from sync.spec import EDITABLE, Access, Placement, Spec, same_for

CAPABILITY = "surveys"

SURVEY_SHEET = Spec(
    name="survey_sheet", record=SurveySheet, capability=CAPABILITY,
    placement=Placement(given=True, needs_building=True),
    create_only=frozenset({"campaign_id", "name", "starts_on", "ends_on", "questions",
                           "household_ids"}),
    access=same_for(tuple(sorted(OFFICE_ROLES)), Access(create=True, write=EDITABLE)),
)

SURVEY_RESPONSE = Spec(
    name="survey_response", record=SurveyResponse, capability=CAPABILITY,
    placement=Placement(by=("unit_id",)),
    references={"unit_id": "unit", "household_id": "household", "sheet_id": "survey_sheet"},
    server_fields=frozenset({"duplicate_of"}),
    create_only=frozenset({"sheet_id", "unit_id", "household_id", "steward_id"}),
    append_only=True,
    once_per=("sheet_id", "household_id"),
    filled_by_maker=("steward_id",), owner_field="steward_id",
    access=same_for(WRITING_ROLES, Access(create=True, write=EDITABLE)),
)

SPECS = (SURVEY_SHEET, SURVEY_RESPONSE)
