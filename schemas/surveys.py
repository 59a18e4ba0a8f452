"""Satisfaction surveys (满意度调查): the per-building questionnaire a phone answers, and
the answers (one household counted once per campaign).

The campaign itself (name, period, questionnaire, sample) is the office's, kept at the desk
(``server/tables/surveys.py``); when it opens, the server writes one ``SurveySheet`` per
building that holds sampled households, and phones of that building's stewards pull it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from schemas.base import Record, Wire
from schemas.limits import Day, Id, Score, Short, Text, Time

# the five services a questionnaire is grouped by: 客服, 保洁, 绿化, 秩序 (安保), 工程
SurveyService = Literal["customer_service", "cleaning", "greening", "order", "engineering"]
QuestionKind = Literal["rating", "choice", "text"]  # 评分 (1..5), 单选, 意见
SurveyChannel = Literal["door", "phone"]  # 上门 (on the phone), 电话 (at the desk)
SampleMode = Literal["all", "per_building"]  # 全部住户 / 每栋抽样

MAX_QUESTIONS = 40
MAX_SAMPLE = 5000


class Choice(Wire, kw_only=True):
    """One option of a choice question; ``complaint`` marks it a complaint (投诉点) that,
    chosen by enough households, opens a corrective action."""

    label: Short[60]
    complaint: bool = False


class Question(Wire, kw_only=True):
    key: Annotated[str, Meta(max_length=12, pattern=r"^q[0-9]{1,3}$")]
    service: SurveyService
    kind: QuestionKind
    text: Short[200]
    choices: Annotated[list[Choice], Meta(max_length=10)] = []


class Answer(Wire, kw_only=True):
    """The answer to one question: a score (rating), a choice's index, or words."""

    key: Annotated[str, Meta(max_length=12, pattern=r"^q[0-9]{1,3}$")]
    score: Score | None = None
    choice: Annotated[int, Meta(ge=0, le=9)] | None = None
    text: Text[500] = ""


class SurveySheet(Record, kw_only=True):
    """问卷: a campaign's questionnaire and sampled households of one building (read-only
    on the phone; written by the server when the campaign opens)."""

    campaign_id: Id
    name: Short[80]
    starts_on: Day
    ends_on: Day
    questions: Annotated[list[Question], Meta(max_length=MAX_QUESTIONS)] = []
    household_ids: Annotated[list[Id], Meta(max_length=MAX_SAMPLE)] = []


class SurveyResponse(Record, kw_only=True):
    """答卷: one household's answers, taken at the door (phone) or by phone (desk).
    ``duplicate_of``: the server's mark on a second answer of the same household in the
    same campaign (the first by server order counts; this one is kept, not counted)."""

    sheet_id: Id
    unit_id: Id
    household_id: Id
    channel: SurveyChannel = "door"
    answered_at: Time
    steward_id: Id
    answers: Annotated[list[Answer], Meta(max_length=MAX_QUESTIONS)] = []
    duplicate_of: Id | None = None
