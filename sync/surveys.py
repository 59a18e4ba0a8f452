"""Satisfaction surveys (满意度调查), pure: the sample, the tally and what opens a corrective
action (纠正和预防措施). No I/O: the server passes rows and the estate's settings in.

- **Sample.** All households of the estate, or N per building drawn reproducibly: each
  building's households ordered by sha256(campaign id, household id), the first N taken.
  The same campaign draws the same households, whoever draws and whenever.
- **Counted once.** A household's answer counts once per campaign: the first by server
  order (the engine marks later ones ``duplicate_of``: ``sync.spec.Spec.once_per``); an
  answer of a household outside its sheet's sample is not counted either.
- **满意率.** Of the counted rating answers of a service, the share scored 4 or 5 (满意,
  很满意); the average score beside it. Grouped by building, by service and by the steward
  of the household's building.
- **Corrective actions.** A building's service whose 满意率 falls below the estate's target
  (``SurveyTerms.target_rate``; the seeds' 90%, 应知 3) over at least ``min_answers``
  answers, or a complaint choice picked by ``complaint_repeats`` households or more in one
  campaign (a recurring complaint), opens one action per cause (``Trigger.key``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from schemas.surveys import Question, SampleMode

SATISFIED = 4  # a score of 4 (满意) or 5 (很满意) counts as satisfied
SERVICES: tuple[str, ...] = ("customer_service", "cleaning", "greening", "order", "engineering")
# the namespace of a sheet's id: uuid5(SHEETS, "<campaign>:<building>")
SHEETS = uuid.UUID("0c1f5a54-2b7e-5d3c-9a41-6e8f2d7b3c10")


def sheet_id(campaign_id: str, building_id: str) -> str:
    """A sheet's id follows from its campaign and building: opening twice writes nothing new."""
    return str(uuid.uuid5(SHEETS, f"{campaign_id}:{building_id}"))


def percent(rate: float | None) -> float | None:
    """A share as a percentage with one decimal (None stays None)."""
    return None if rate is None else round(rate * 100, 1)


class SurveyTerms(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An estate's survey settings (``estate.survey_terms``); the seeded ones are the seeds'
    figures: 满意率 90% (must-know-handbook 应知 3: 业主满意度…满意率为90%)."""

    target_rate: float = 0.90  # a building's service below this opens an action
    min_answers: int = 3  # …when at least this many households rated it
    complaint_repeats: int = 3  # households picking one complaint choice: a recurring complaint
    action_days: int = 7  # an action's due date, days after it opens


SEED_SURVEY_TERMS = SurveyTerms()


def sample_rank(campaign_id: str, household_id: str) -> str:
    return hashlib.sha256(f"{campaign_id}:{household_id}".encode()).hexdigest()


def draw_sample(campaign_id: str, households: Mapping[str, Sequence[str]], mode: SampleMode,
                per_building: int) -> dict[str, list[str]]:
    """The sampled households of each building (``households``: building → its household
    ids); buildings left with none are absent."""
    drawn: dict[str, list[str]] = {}
    for building_id, ids in households.items():
        chosen = sorted(set(ids), key=lambda h: sample_rank(campaign_id, h))
        if mode == "per_building":
            chosen = chosen[:max(per_building, 0)]
        if chosen:
            drawn[building_id] = sorted(chosen)
    return drawn


class Cell(msgspec.Struct, kw_only=True):
    """The ratings of one group: how many, their sum, how many satisfied."""

    answers: int = 0
    total: int = 0
    satisfied: int = 0

    def add(self, score: int) -> None:
        self.answers += 1
        self.total += score
        self.satisfied += score >= SATISFIED

    @property
    def average(self) -> float | None:
        return round(self.total / self.answers, 2) if self.answers else None

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None


class Tally(msgspec.Struct, kw_only=True):
    counted: int = 0  # households whose answer counts
    duplicates: int = 0  # answers kept but not counted (the same household again)
    outside: int = 0  # answers of households outside the sample
    sampled: int = 0  # households in the sample
    overall: Cell = msgspec.field(default_factory=Cell)
    by_service: dict[str, Cell] = {}
    by_building: dict[str, Cell] = {}
    by_steward: dict[str, Cell] = {}
    by_building_service: dict[tuple[str, str], Cell] = {}
    choices: dict[tuple[str, int], int] = {}  # (question key, choice) -> households
    texts: list[tuple[str, str, str]] = []  # (question key, building id, words)


def counts(response: Mapping[str, Any], sample: Mapping[str, frozenset[str]]) -> str:
    """Why an answer counts or not: ``counted``, ``duplicate`` or ``outside``."""
    if response.get("duplicate_of") is not None:
        return "duplicate"
    if response["household_id"] not in sample.get(response["sheet_id"], frozenset()):
        return "outside"
    return "counted"


def tally(questions: Sequence[Question], sheets: Iterable[Mapping[str, Any]],
          responses: Iterable[Mapping[str, Any]], stewards: Mapping[str, str]) -> Tally:
    """The campaign's results from its sheets and answers (tombstones left out by the
    caller); ``stewards``: building id → the steward it is counted under."""
    sample = {s["id"]: frozenset(s["household_ids"]) for s in sheets}
    by_key = {q.key: q for q in questions}
    result = Tally(sampled=sum(len(ids) for ids in sample.values()))
    cells: dict[str, dict[Any, Cell]] = defaultdict(lambda: defaultdict(Cell))
    choices: dict[tuple[str, int], int] = defaultdict(int)
    for response in responses:
        why = counts(response, sample)
        if why == "duplicate":
            result.duplicates += 1
            continue
        if why == "outside":
            result.outside += 1
            continue
        result.counted += 1
        building = response["building_id"]
        for answer in response["answers"]:
            question = by_key.get(answer["key"])
            if question is None:
                continue
            if question.kind == "rating" and answer.get("score") is not None:
                score = int(answer["score"])
                result.overall.add(score)
                for group, key in (("service", question.service), ("building", building),
                                   ("steward", stewards.get(building, "")),
                                   ("building_service", (building, question.service))):
                    cells[group][key].add(score)
            elif question.kind == "choice" and answer.get("choice") is not None:
                choices[(question.key, int(answer["choice"]))] += 1
            if answer.get("text"):
                result.texts.append((question.key, building, str(answer["text"])))
    result.by_service = dict(cells["service"])
    result.by_building = dict(cells["building"])
    result.by_steward = dict(cells["steward"])
    result.by_building_service = dict(cells["building_service"])
    result.choices = dict(choices)
    return result


class Trigger(msgspec.Struct, frozen=True, kw_only=True):
    """A cause for a corrective action; ``key`` names it once per campaign."""

    key: str
    cause: str  # low_score / complaint
    service: str
    building_id: str | None
    rate: float | None = None  # low_score: the 满意率 found
    answers: int = 0  # low_score: rated by; complaint: picked by
    question: str = ""  # complaint: the question's key
    choice: int | None = None  # complaint: the choice's index


def triggers(campaign_id: str, questions: Sequence[Question], result: Tally,
             terms: SurveyTerms) -> list[Trigger]:
    """What opens a corrective action in a campaign's results, in a stable order."""
    found: list[Trigger] = []
    for (building, service), cell in sorted(result.by_building_service.items()):
        if cell.answers >= terms.min_answers and (cell.rate or 0) < terms.target_rate:
            found.append(Trigger(key=f"{campaign_id}:low:{building}:{service}", cause="low_score",
                                 service=service, building_id=building, rate=cell.rate,
                                 answers=cell.answers))
    by_key = {q.key: q for q in questions}
    for (key, index), picked in sorted(result.choices.items()):
        question = by_key.get(key)
        if question is None or index >= len(question.choices) or not question.choices[index].complaint:
            continue
        if picked >= terms.complaint_repeats:
            found.append(Trigger(key=f"{campaign_id}:complaint:{key}:{index}", cause="complaint",
                                 service=question.service, building_id=None, answers=picked,
                                 question=key, choice=index))
    return found
