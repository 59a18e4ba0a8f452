"""Satisfaction surveys, pure: the reproducible sample, the tally (a hand count), what opens
a corrective action, and the engine's rule that a household counts once per campaign
(``Spec.once_per``: the first by server order; later answers kept as ``duplicate_of``)."""

from __future__ import annotations

from typing import Any

from schemas.surveys import Choice, Question
from schemas.sync import Create
from sync.engine import apply_batch
from sync.storage import Actor
from sync.surveys import SEED_SURVEY_TERMS, SurveyTerms, draw_sample, tally, triggers
from tests.unit.memory_storage import B1, DEVICE, E1, H1, NOW, STEWARD, U1, estate

QUESTIONS = [
    Question(key="q1", service="customer_service", kind="rating", text="客服"),
    Question(key="q2", service="cleaning", kind="rating", text="保洁"),
    Question(key="q3", service="cleaning", kind="choice", text="卫生",
             choices=[Choice(label="干净"), Choice(label="垃圾清运不及时", complaint=True)]),
    Question(key="q4", service="customer_service", kind="text", text="意见"),
]


def test_the_sample_is_drawn_reproducibly_per_building() -> None:
    households = {"b1": [f"h{n}" for n in range(10)], "b2": ["x1", "x2"], "b3": []}
    drawn = draw_sample("c-1", households, "per_building", 3)
    assert drawn == draw_sample("c-1", {b: list(reversed(h)) for b, h in households.items()}, "per_building", 3)
    assert [len(drawn["b1"]), len(drawn["b2"])] == [3, 2] and "b3" not in drawn
    assert set(drawn["b1"]) <= set(households["b1"])
    assert draw_sample("c-1", households, "all", 0) == {"b1": sorted(households["b1"]), "b2": ["x1", "x2"]}


def response(rid: str, household: str, building: str, sheet: str, *answers: dict[str, Any],
             duplicate_of: str | None = None) -> dict[str, Any]:
    return {"id": rid, "household_id": household, "building_id": building, "sheet_id": sheet,
            "answers": list(answers), "duplicate_of": duplicate_of}


def test_the_tally_equals_a_hand_count() -> None:
    sheets = [{"id": "s1", "household_ids": ["h1", "h2", "h3"]}, {"id": "s2", "household_ids": ["h4"]}]
    score = lambda key, s: {"key": key, "score": s}  # noqa: E731
    rows = [
        response("r1", "h1", "b1", "s1", score("q1", 5), score("q2", 3), {"key": "q3", "choice": 1}),
        response("r2", "h2", "b1", "s1", score("q1", 4), score("q2", 2), {"key": "q4", "text": "电梯慢"}),
        response("r3", "h1", "b1", "s1", score("q1", 1), duplicate_of="r1"),  # not counted
        response("r4", "h9", "b1", "s1", score("q1", 1)),  # outside the sample
        response("r5", "h4", "b2", "s2", score("q1", 3), score("q2", 5), {"key": "q3", "choice": 1}),
    ]
    result = tally(QUESTIONS, sheets, rows, {"b1": "alice", "b2": "bob"})
    assert (result.sampled, result.counted, result.duplicates, result.outside) == (4, 3, 1, 1)
    # 客服 5,4,3 → 4.0, 2 of 3 satisfied; 保洁 3,2,5 → 3.33, 1 of 3
    assert (result.by_service["customer_service"].average, result.by_service["customer_service"].satisfied) == (4.0, 2)
    assert (result.by_service["cleaning"].average, result.by_service["cleaning"].satisfied) == (3.33, 1)
    # b1 (alice): 5,3,4,2 → 3.5, 2 of 4; b2 (bob): 3,5 → 4.0, 1 of 2
    assert (result.by_building["b1"].average, result.by_building["b1"].rate) == (3.5, 0.5)
    assert (result.by_steward["bob"].answers, result.by_steward["bob"].rate) == (2, 0.5)
    assert (result.overall.answers, result.overall.total, result.overall.satisfied) == (6, 22, 3)
    assert result.choices == {("q3", 1): 2} and result.texts == [("q4", "b1", "电梯慢")]

    found = triggers("c-1", QUESTIONS, result, SurveyTerms(min_answers=2, complaint_repeats=2))
    assert [(t.cause, t.building_id, t.service) for t in found] == [
        ("low_score", "b1", "cleaning"), ("complaint", None, "cleaning")]  # b1's 客服: 5, 4 → 100%
    assert found[-1].key == "c-1:complaint:q3:1"
    assert triggers("c-1", QUESTIONS, result, SEED_SURVEY_TERMS) == []  # 3 answers / 3 households needed


PHONE = Actor(user_id=STEWARD, role="steward", building_ids=frozenset({B1}), device_id=DEVICE)
OTHER = Actor(user_id="user-steward-2", role="steward", building_ids=frozenset({B1}), device_id="dev-2")
DESK = Actor(user_id="user-desk", role="desk", estate_ids=frozenset({E1}))


def answer(seq: int, rid: str, score: int) -> Create:
    return Create(seq=seq, collection="survey_response", id=rid, fields={
        "sheet_id": "s-1", "unit_id": U1, "household_id": H1, "answered_at": "2026-01-01T00:00:00Z",
        "answers": [{"key": "q1", "score": score}]})


async def test_the_engine_counts_a_household_once_first_by_server_order() -> None:
    storage = estate()
    sheet = Create(seq=0, collection="survey_sheet", id="s-1", fields={
        "campaign_id": "c-1", "name": "年度调查", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "building_id": B1, "household_ids": [H1]})
    [made] = (await apply_batch(storage, DESK, [sheet], now=NOW)).results
    assert made.status == "applied"
    # two phones answered offline; the one that syncs first counts, whatever the phones' clocks
    [second] = (await apply_batch(storage, OTHER, [answer(1, "r-other", 1)], now=NOW)).results
    first, again = (await apply_batch(storage, PHONE, [answer(1, "r-mine", 5), answer(2, "r-again", 4)],
                                      now=NOW)).results
    assert [second.status, first.status, again.status] == ["applied"] * 3
    rows = {r["id"]: r["duplicate_of"] for r in storage.rows("survey_response")}
    assert rows == {"r-other": None, "r-mine": "r-other", "r-again": "r-other"}
    # answers are create-only: no phone may rewrite one to move it off its household
    from schemas.sync import Update
    edit = Update(seq=3, collection="survey_response", id="r-mine", base_version=0,
                  base={"answers": []}, changes={"answers": []})
    [refused] = (await apply_batch(storage, PHONE, [edit], now=NOW)).results
    assert (refused.status, refused.code) == ("rejected", "append_only")
