"""Satisfaction surveys (满意度调查): queries of campaigns, their sheets and answers, and the
corrective actions (纠正和预防措施). Every read takes a ``scope`` and fails closed; sheets
and answers are written through the sync merge (``server.writes``), campaigns and actions
here."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.query.mixins import OnConflictAction

from schemas.surveys import Choice, Question
from server.i18n import translate
from server.ids import uuid7
from server.store.scoping import scope_where
from server.store.terms import keep_own, own_or_seeded
from server.tables import (
    Building, BuildingAssignment, CorrectiveAction, Estate, Household, StaffEstate, StaffUser, SurveyCampaign,
    SurveyResponse, SurveySheet, Unit,
)
from sync.scope import Scope
from sync.surveys import SEED_SURVEY_TERMS, SERVICES, SurveyTerms, Trigger, percent

_questions = msgspec.json.Decoder(list[Question])

# the questionnaire a new campaign starts from (its words from the catalogue, in Chinese):
# one rating per service, a choice with complaint options, the owner's words
STANDARD: tuple[tuple[str, str, tuple[tuple[str, bool], ...]], ...] = (
    *((service, "rating", ()) for service in SERVICES),
    ("cleaning", "choice", (("clean", False), ("fair", False), ("garbage", True), ("clutter", True))),
    ("customer_service", "text", ()),
)


def standard_questions() -> list[Question]:
    """The seeded questionnaire (``survey.std.*`` in the catalogue), in the estate's words."""
    zh = lambda key: translate("zh-CN", f"survey.std.{key}")  # noqa: E731
    return [Question(key=f"q{n}", service=service, kind=kind,  # type: ignore[arg-type]
                     text=zh(f"{kind}.{service}"),
                     choices=[Choice(label=zh(f"choice.{c}"), complaint=bad) for c, bad in choices])
            for n, (service, kind, choices) in enumerate(STANDARD, start=1)]


def trigger_text(t: Trigger, questions: list[Question], buildings: dict[str, str]) -> str:
    """What opened an action, in the estate's words (kept on the action)."""
    service = translate("zh-CN", f"survey.service.{t.service}")
    if t.cause == "low_score":
        return translate("zh-CN", "survey.trigger.low_score", building=buildings.get(t.building_id or "", ""),
                         service=service, rate=percent(t.rate), n=t.answers)
    q = next(q for q in questions if q.key == t.question)
    return translate("zh-CN", "survey.trigger.complaint", service=service, choice=q.choices[t.choice or 0].label,
                     n=t.answers)


async def terms_of(estate_id: str) -> tuple[SurveyTerms, bool]:
    """The estate's survey settings and whether they are its own (False: the seeds')."""
    return await own_or_seeded(estate_id, Estate.survey_terms, SurveyTerms, SEED_SURVEY_TERMS)


async def set_terms(estate_id: str, terms: SurveyTerms, *, user_id: str, ip: str) -> None:
    """Keep ``terms`` as the estate's own and audit the change: before and after."""
    before, _ = await terms_of(estate_id)
    await keep_own(estate_id, Estate.survey_terms, terms, action="survey_terms_change", user_id=user_id, ip=ip,
                   before=msgspec.to_builtins(before), after=msgspec.to_builtins(terms))


def questions_of(campaign: dict[str, Any]) -> list[Question]:
    return _questions.decode(campaign["questions"])


async def campaigns(*, scope: Scope) -> list[dict[str, Any]]:
    """The campaigns of the scope's estates, newest first."""
    if not scope.estates:
        return []
    return await SurveyCampaign.select().where(
        SurveyCampaign.estate_id.is_in(sorted(scope.estates))).order_by(
        SurveyCampaign.starts_on, ascending=False)


async def campaign(campaign_id: str, *, scope: Scope) -> dict[str, Any] | None:
    row = await SurveyCampaign.select().where(SurveyCampaign.id == campaign_id).first()
    return row if row is not None and scope.admits_estate(row["estate_id"]) else None


async def add_campaign(estate_id: str, fields: dict[str, Any], questions: list[Question], *,
                       user_id: str, now: str) -> str:
    campaign_id = uuid7()
    await SurveyCampaign.insert(SurveyCampaign(
        id=campaign_id, estate_id=estate_id, created_by=user_id, created_at=now,
        questions=msgspec.json.encode(questions).decode(), status="draft", **fields))
    return campaign_id


async def set_questions(campaign_id: str, questions: list[Question]) -> None:
    """The questionnaire of a draft (an open campaign's sheets are already out)."""
    await SurveyCampaign.update({SurveyCampaign.questions: msgspec.json.encode(questions).decode()}).where(
        (SurveyCampaign.id == campaign_id) & (SurveyCampaign.status == "draft"))


async def mark(campaign_id: str, status: str, *, now: str | None = None) -> None:
    values: dict[Any, Any] = {SurveyCampaign.status: status}
    if now is not None:
        values[SurveyCampaign.opened_at] = now
    await SurveyCampaign.update(values).where(SurveyCampaign.id == campaign_id)


async def households_by_building(estate_id: str, *, scope: Scope) -> dict[str, list[str]]:
    """The current households (not ended) of the estate's buildings in scope."""
    if not scope.admits_estate(estate_id):
        return {}
    rows = await Household.select(Household.id, Household.building_id).where(
        (Household.estate_id == estate_id) & (Household.deleted == False)  # noqa: E712
        & Household.ended_on.is_null() & scope_where(Household, scope))
    found: dict[str, list[str]] = {}
    for row in rows:
        if row["building_id"]:
            found.setdefault(row["building_id"], []).append(row["id"])
    return found


async def sheets(campaign_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    return await SurveySheet.select().where(
        (SurveySheet.campaign_id == campaign_id) & (SurveySheet.deleted == False)  # noqa: E712
        & scope_where(SurveySheet, scope)).output(load_json=True)


async def responses(sheet_ids: list[str], *, scope: Scope) -> list[dict[str, Any]]:
    """The answers to the sheets, in server order (the order that decides which counts)."""
    if not sheet_ids:
        return []
    return await SurveyResponse.select().where(
        SurveyResponse.sheet_id.is_in(sheet_ids) & (SurveyResponse.deleted == False)  # noqa: E712
        & scope_where(SurveyResponse, scope)).order_by(SurveyResponse.version).output(load_json=True)


async def sampled(household_ids: list[str], *, scope: Scope) -> list[dict[str, Any]]:
    """The sampled households with their unit (for the desk's answer form and lists)."""
    if not household_ids:
        return []
    rows = await Household.select(Household.id, Household.unit_id, Household.owner_name,
                                  Household.building_id).where(
        Household.id.is_in(household_ids) & scope_where(Household, scope))
    units = {u["id"]: u["code"] for u in await Unit.select(Unit.id, Unit.code).where(
        Unit.id.is_in(sorted({r["unit_id"] for r in rows})))} if rows else {}
    return [{**r, "unit_code": units.get(r["unit_id"], "")} for r in rows]


async def stewards_of(building_ids: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The stewards each building's results count under: (building → key, key → their
    names); two stewards of one building count together, under one key."""
    if not building_ids:
        return {}, {}
    links = await BuildingAssignment.select(BuildingAssignment.user_id, BuildingAssignment.building_id).where(
        BuildingAssignment.building_id.is_in(sorted(building_ids)))
    users = {u["id"]: u["display_name"] for u in await StaffUser.select(StaffUser.id, StaffUser.display_name).where(
        StaffUser.id.is_in(sorted({link["user_id"] for link in links})) & (StaffUser.role == "steward"))} \
        if links else {}
    ids: dict[str, set[str]] = {}
    for link in links:
        if link["user_id"] in users:
            ids.setdefault(link["building_id"], set()).add(link["user_id"])
    keys = {b: ",".join(sorted(people)) for b, people in ids.items()}
    return keys, {",".join(sorted(people)): "、".join(sorted(users[p] for p in people)) for people in ids.values()}


async def staff_names(user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    return {u["id"]: u["display_name"] for u in await StaffUser.select(StaffUser.id, StaffUser.display_name).where(
        StaffUser.id.is_in(sorted(user_ids)))}


# --- corrective actions (纠正和预防措施) ----------------------------------------------------


async def open_actions(campaign: dict[str, Any], found: list[Trigger], details: dict[str, str], *,
                       due_on: str, now: str) -> int:
    """Open an action for each cause not opened before (``trigger_key`` is unique: a cause
    opens one action, however often the results are looked at); returns how many opened."""
    if not found:
        return 0
    before = {r["trigger_key"] for r in await CorrectiveAction.select(CorrectiveAction.trigger_key).where(
        CorrectiveAction.campaign_id == campaign["id"])}
    fresh = [t for t in found if t.key not in before]
    if fresh:
        await CorrectiveAction.insert(*[CorrectiveAction(
            id=uuid7(), estate_id=campaign["estate_id"], campaign_id=campaign["id"],
            building_id=t.building_id, service=t.service, cause=t.cause, trigger_key=t.key,
            detail=details[t.key], due_on=due_on, status="open", created_at=now) for t in fresh]
        ).on_conflict(target=CorrectiveAction.trigger_key, action=OnConflictAction.do_nothing)
    return len(fresh)


async def actions(*, scope: Scope, campaign_id: str | None = None) -> list[dict[str, Any]]:
    """The actions of the scope's estates (one campaign's, if given): open ones first, by due date."""
    if not scope.estates:
        return []
    where = CorrectiveAction.estate_id.is_in(sorted(scope.estates))
    if campaign_id is not None:
        where &= CorrectiveAction.campaign_id == campaign_id
    rows = await CorrectiveAction.select().where(where).order_by(CorrectiveAction.due_on)
    return sorted(rows, key=lambda r: r["status"] != "open")


async def action(action_id: str, *, scope: Scope) -> dict[str, Any] | None:
    row = await CorrectiveAction.select().where(CorrectiveAction.id == action_id).first()
    return row if row is not None and scope.admits_estate(row["estate_id"]) else None


async def update_action(action_id: str, values: dict[str, Any]) -> None:
    await CorrectiveAction.update({getattr(CorrectiveAction, k): v for k, v in values.items()}).where(
        CorrectiveAction.id == action_id)


async def office_staff(estate_id: str, *, scope: Scope) -> list[dict[str, Any]]:
    """Who may own an action: the estate's active staff (office and stewards), by name."""
    if not scope.admits_estate(estate_id):
        return []
    ids = {r["user_id"] for r in await StaffEstate.select(StaffEstate.user_id).where(
        StaffEstate.estate_id == estate_id)}
    buildings = [b["id"] for b in await Building.select(Building.id).where(Building.estate_id == estate_id)]
    if buildings:
        ids |= {r["user_id"] for r in await BuildingAssignment.select(BuildingAssignment.user_id).where(
            BuildingAssignment.building_id.is_in(buildings))}
    if not ids:
        return []
    return await StaffUser.select(StaffUser.id, StaffUser.display_name, StaffUser.role).where(
        StaffUser.id.is_in(sorted(ids)) & (StaffUser.active == True)  # noqa: E712
        & StaffUser.role.is_in(["steward", "desk", "manager", "admin"])).order_by(StaffUser.display_name)
