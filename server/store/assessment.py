"""The assessment on the 25th (应会 1.5, issue 17): a steward's month, the units and owners
drawn from their scope, the manager's marks, and the result kept month by month."""

from __future__ import annotations

import random
from typing import Any

from server.clock import now_iso
from server.tables import FamiliarityAssessment, FamiliarityCheck, FeeBill
from sync.scope import Scope


def _mine(scope: Scope) -> Any:
    return FamiliarityAssessment.estate_id.is_in(sorted(scope.estates) or [""])


async def of_month(steward_id: str, month: str, *, scope: Scope) -> dict[str, Any] | None:
    return await FamiliarityAssessment.select().where(
        (FamiliarityAssessment.steward_id == steward_id) & (FamiliarityAssessment.month == month)
        & _mine(scope)).first()


async def history(steward_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """The steward's assessments, latest month first."""
    return await FamiliarityAssessment.select().where(
        (FamiliarityAssessment.steward_id == steward_id) & _mine(scope)).order_by(
        FamiliarityAssessment.month, ascending=False)


async def of_months(month: str, *, scope: Scope) -> dict[str, dict[str, Any]]:
    """The month's assessments by steward."""
    return {a["steward_id"]: a for a in await FamiliarityAssessment.select().where(
        (FamiliarityAssessment.month == month) & _mine(scope))}


async def start(assessment: dict[str, Any], households: list[dict[str, Any]], quiz_units: int, calls: int,
                *, scope: Scope) -> bool:
    """Keep the assessment and its draw (seeded by its id: the same draw on a retry); False
    when the steward's month was assessed already (started twice: the first stands)."""
    if await of_month(assessment["steward_id"], assessment["month"], scope=scope) is not None:
        return False
    draw = random.Random(assessment["id"])
    quiz = draw.sample(households, min(quiz_units, len(households)))
    called = draw.sample(households, min(calls, len(households)))
    rows = [FamiliarityCheck(id=f"{assessment['id'][:28]}-{kind[0]}{n:02d}", assessment_id=assessment["id"],
                             estate_id=h["estate_id"], building_id=h["building_id"], kind=kind, position=n,
                             unit_id=h["unit_id"], household_id=h["id"])
            for kind, drawn in (("quiz", quiz), ("call", called)) for n, h in enumerate(drawn)]
    async with FamiliarityAssessment._meta.db.transaction():
        await FamiliarityAssessment.insert(FamiliarityAssessment(**assessment, started_at=now_iso()))
        if rows:
            await FamiliarityCheck.insert(*rows)
    return True


async def checks(assessment_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    return await FamiliarityCheck.select().where(
        (FamiliarityCheck.assessment_id == assessment_id)
        & FamiliarityCheck.estate_id.is_in(sorted(scope.estates) or [""])).order_by(
        FamiliarityCheck.kind, FamiliarityCheck.position)


async def finish(assessment_id: str, marks: dict[str, dict[str, Any]], familiarity: int | None,
                 satisfaction: int | None, *, scope: Scope) -> bool:
    """Keep the marks and the result, once: False when it was finished already."""
    async with FamiliarityAssessment._meta.db.transaction():
        done = await FamiliarityAssessment.update({
            FamiliarityAssessment.status: "done", FamiliarityAssessment.familiarity: familiarity,
            FamiliarityAssessment.satisfaction: satisfaction, FamiliarityAssessment.finished_at: now_iso()}).where(
            (FamiliarityAssessment.id == assessment_id) & (FamiliarityAssessment.status == "open")
            & _mine(scope)).returning(FamiliarityAssessment.id)
        if not done:
            return False
        for check_id, values in marks.items():
            await FamiliarityCheck.update({getattr(FamiliarityCheck, k): v for k, v in values.items()}).where(
                (FamiliarityCheck.id == check_id) & (FamiliarityCheck.assessment_id == assessment_id))
    return True


async def payment_status(unit_ids: list[str], month: str, *, scope: Scope) -> dict[str, dict[str, Any]]:
    """Each unit's latest fee bill up to ``month`` (the quiz's 缴费情况)."""
    latest: dict[str, dict[str, Any]] = {}
    for bill in await FeeBill.select(FeeBill.unit_id, FeeBill.month, FeeBill.amount_due, FeeBill.amount_paid).where(
            FeeBill.unit_id.is_in(unit_ids or [""]) & (FeeBill.month <= month)
            & FeeBill.estate_id.is_in(sorted(scope.estates) or [""])).order_by(FeeBill.month):
        latest[bill["unit_id"]] = bill
    return latest
