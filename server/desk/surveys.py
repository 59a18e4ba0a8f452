"""满意度调查 (workflow-center 职责 2, 14): campaigns planned at the desk (name, period,
questionnaire grouped by service, sample), opened to the phones (one sheet per building
with sampled households, through the merge), answered door to door or by phone here,
counted once per household, analysed by building, service and steward (charts, CSV/XLSX),
and a low score or a recurring complaint opens a corrective action (纠正和预防措施)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from schemas.limits import Day, Score, Short, Text
from schemas.surveys import Answer, Choice, Question, QuestionKind, SampleMode, SurveyService
from server import writes
from server.desk.common import DeskRequest, chosen_estate, client_ip, local_today, now, render
from server.desk.forms import convert, form_of
from server.desk.registry import NavEntry, Table, export_list, nav_entry
from server.errors import ApiError
from server.i18n import translate
from server.policy import MANAGEMENT, OFFICE, grant
from server.store import places
from server.store import surveys as store
from sync.surveys import SERVICES, SurveyTerms, Tally, draw_sample, percent, sheet_id, tally, triggers

grant({"desk.surveys": OFFICE, "desk.survey_add": OFFICE, "desk.survey": OFFICE,
       "desk.survey_question": OFFICE, "desk.survey_open": OFFICE, "desk.survey_close": OFFICE,
       "desk.survey_answer": OFFICE, "desk.survey_actions_open": OFFICE,
       "desk.survey_actions": OFFICE, "desk.survey_action_save": OFFICE,
       "desk.survey_terms": MANAGEMENT, "desk.survey_terms_save": MANAGEMENT})

class CampaignForm(msgspec.Struct, kw_only=True):
    estate_id: str = ""
    name: Short[80]
    starts_on: Day
    ends_on: Day
    sample_mode: SampleMode = "all"
    per_building: Annotated[int, msgspec.Meta(ge=0, le=500)] = 0


class QuestionForm(msgspec.Struct, kw_only=True):
    service: SurveyService
    kind: QuestionKind
    text: Short[200]
    choices: Text[800] = ""  # one per line; a line starting with * is a complaint
    remove: str = ""  # a question's key to take out instead


class ActionForm(msgspec.Struct, kw_only=True):
    owner_id: str = ""
    due_on: Day | None = None
    status: Annotated[str, msgspec.Meta(pattern="^(open|closed)$")] = "open"
    closing_note: Text[2000] = ""


def _refuse(code: str, zh: str, en: str, field: str | None = None) -> ApiError:
    return ApiError(422, code, f"{zh} / {en}", {"field": field} if field else None)


async def _campaign(request: DeskRequest, campaign_id: str) -> dict[str, Any]:
    found = await store.campaign(campaign_id, scope=request.user.scope)
    if found is None:
        raise ApiError(404, "unknown_campaign", "找不到该调查 / no such survey")
    return found


# --- campaigns ------------------------------------------------------------------------------


@get("/desk/surveys", name="desk.surveys", include_in_schema=False)
async def campaigns(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    context = await chosen_estate(request, estate_id)
    today = local_today(request)
    rows = await store.campaigns(scope=request.user.scope)
    return render(request, "surveys.html", "_surveys.html", {
        **context, "campaigns": rows, "today": today.isoformat(),
        "month_end": (today.replace(day=28) + timedelta(days=4)).replace(day=1).isoformat()})


@post("/desk/surveys", name="desk.survey_add", include_in_schema=False)
async def add(request: DeskRequest) -> Redirect:
    form = await form_of(request, CampaignForm)
    estate = (await chosen_estate(request, form.estate_id))["estate"]
    if form.ends_on < form.starts_on:
        raise _refuse("bad_period", "结束日期不能早于开始日期", "the period ends before it starts", "ends_on")
    if form.sample_mode == "per_building" and form.per_building < 1:
        raise _refuse("bad_sample", "每栋抽样户数至少为 1", "draw at least one household per building",
                      "per_building")
    campaign_id = await store.add_campaign(estate["id"], {
        "name": form.name, "starts_on": form.starts_on, "ends_on": form.ends_on,
        "sample_mode": form.sample_mode, "per_building": form.per_building},
        store.standard_questions(), user_id=request.user.user_id, now=now())
    return Redirect(f"/desk/surveys/{campaign_id}", status_code=303)


def _choices_of(text: str) -> list[Choice]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        return [msgspec.convert({"label": line.lstrip("*").strip(), "complaint": line.startswith("*")}, Choice)
                for line in lines]
    except msgspec.ValidationError:
        raise _refuse("bad_choice", "每个选项一行，最多 60 个字", "one choice a line, up to 60 characters",
                      "choices") from None


@post("/desk/surveys/{campaign_id:str}/questions", name="desk.survey_question", include_in_schema=False)
async def question(request: DeskRequest, campaign_id: FromPath[str]) -> Redirect:
    """Add a question to a draft's questionnaire (or take one out)."""
    campaign = await _campaign(request, campaign_id)
    if campaign["status"] != "draft":
        raise ApiError(409, "campaign_not_draft", "调查已发布，问卷不能再改 / the survey is out: its questions are fixed")
    form_data = await request.form()
    values = {k: form_data.get(k) for k in form_data.keys()}
    questions = store.questions_of(campaign)
    if values.get("remove"):
        questions = [q for q in questions if q.key != values["remove"]]
    else:
        form = convert(values, QuestionForm)
        choices = _choices_of(form.choices) if form.kind == "choice" else []
        if form.kind == "choice" and not 2 <= len(choices) <= 10:
            raise _refuse("bad_choice", "单选题需要 2 到 10 个选项", "a choice question needs 2 to 10 choices",
                          "choices")
        if len(questions) >= 40:
            raise _refuse("too_many_questions", "问卷最多 40 题", "at most 40 questions")
        number = max((int(q.key[1:]) for q in questions), default=0) + 1
        questions.append(Question(key=f"q{number}", service=form.service, kind=form.kind, text=form.text,
                                  choices=choices))
    await store.set_questions(campaign_id, questions)
    return Redirect(f"/desk/surveys/{campaign_id}", status_code=303)


@post("/desk/surveys/{campaign_id:str}/open", name="desk.survey_open", include_in_schema=False)
async def open_campaign(request: DeskRequest, campaign_id: FromPath[str]) -> Redirect:
    """Draw the sample and send each building's sheet to its stewards' phones (through the
    merge, so a retry or a double click writes the same sheets once)."""
    campaign = await _campaign(request, campaign_id)
    if campaign["status"] == "closed":
        raise ApiError(409, "campaign_closed", "调查已结束 / the survey is closed")
    questions = store.questions_of(campaign)
    if not questions:
        raise _refuse("no_questions", "问卷还没有题目", "the questionnaire has no questions")
    households = await store.households_by_building(campaign["estate_id"], scope=request.user.scope)
    drawn = draw_sample(campaign_id, households, campaign["sample_mode"], campaign["per_building"])
    if not drawn:
        raise _refuse("empty_sample", "没有可调查的住户", "no households to survey")
    shared = {"campaign_id": campaign_id, "name": campaign["name"], "starts_on": campaign["starts_on"],
              "ends_on": campaign["ends_on"], "questions": msgspec.to_builtins(questions)}
    await writes.apply(request.user, [writes.create("survey_sheet", {
        **shared, "building_id": building_id, "household_ids": ids}, record_id=sheet_id(campaign_id, building_id))
        for building_id, ids in sorted(drawn.items())])
    await store.mark(campaign_id, "open", now=campaign["opened_at"] or now())
    return Redirect(f"/desk/surveys/{campaign_id}", status_code=303)


@post("/desk/surveys/{campaign_id:str}/close", name="desk.survey_close", include_in_schema=False)
async def close_campaign(request: DeskRequest, campaign_id: FromPath[str]) -> Redirect:
    campaign = await _campaign(request, campaign_id)
    if campaign["status"] != "open":
        raise ApiError(409, "campaign_not_open", "调查未发布 / the survey is not out")
    await store.mark(campaign_id, "closed")
    return Redirect(f"/desk/surveys/{campaign_id}", status_code=303)


# --- results --------------------------------------------------------------------------------


async def results(request: DeskRequest, campaign: dict[str, Any]) -> dict[str, Any]:
    """The campaign's sheets, answers and tally, in the user's scope."""
    scope = request.user.scope
    questions = store.questions_of(campaign)
    sheets = await store.sheets(campaign["id"], scope=scope)
    answers = await store.responses([s["id"] for s in sheets], scope=scope)
    buildings = await places.building_codes(scope=scope)
    stewards, steward_names = await store.stewards_of({s["building_id"] for s in sheets})
    result = tally(questions, sheets, answers, stewards)
    terms, own = await store.terms_of(campaign["estate_id"])
    return {"questions": questions, "sheets": sheets, "answers": answers, "tally": result,
            "buildings": buildings, "steward_names": steward_names, "terms": terms, "own_terms": own,
            "triggers": triggers(campaign["id"], questions, result, terms)}


def chart_data(result: Tally, buildings: dict[str, str], target: float) -> dict[str, Any]:
    """The two charts' data (满意率 % by service and by building, against the target)."""
    services = [s for s in SERVICES if s in result.by_service]
    built = sorted(result.by_building, key=lambda b: places.natural(buildings.get(b, "")))
    return {
        "services": {"labels": [translate("zh-CN", f"survey.service.{s}") for s in services],
                     "keys": services, "values": [percent(result.by_service[s].rate) for s in services]},
        "buildings": {"labels": [buildings.get(b, "") for b in built],
                      "values": [percent(result.by_building[b].rate) for b in built]},
        "target": round(target * 100, 1),
    }


@get("/desk/surveys/{campaign_id:str}", name="desk.survey", include_in_schema=False)
async def campaign_page(request: DeskRequest, campaign_id: FromPath[str]) -> Template:
    campaign = await _campaign(request, campaign_id)
    found = await results(request, campaign)
    sampled = await store.sampled(sorted({h for s in found["sheets"] for h in s["household_ids"]}),
                                  scope=request.user.scope)
    answered = {a["household_id"] for a in found["answers"] if a["duplicate_of"] is None}
    makers = await store.staff_names({a["steward_id"] for a in found["answers"]})
    actions = await store.actions(scope=request.user.scope, campaign_id=campaign_id)
    staff = await store.staff_names({a["owner_id"] for a in actions if a["owner_id"]})
    units = {h["id"]: h for h in sampled}
    return render(request, "survey.html", "_survey.html", {
        "campaign": campaign, **found, "sampled": sorted(sampled, key=lambda h: places.natural(h["unit_code"])),
        "unanswered": [h for h in sorted(sampled, key=lambda h: places.natural(h["unit_code"]))
                       if h["id"] not in answered],
        "units": units, "makers": makers, "actions": actions, "staff": staff,
        "opened_keys": {a["trigger_key"] for a in actions},
        "chart": chart_data(found["tally"], found["buildings"], found["terms"].target_rate),
        "services": SERVICES})


# --- answers by phone at the desk --------------------------------------------------------------


@post("/desk/surveys/{campaign_id:str}/answers", name="desk.survey_answer", include_in_schema=False)
async def answer(request: DeskRequest, campaign_id: FromPath[str]) -> Redirect:
    """An answer taken by phone (电话回访): the same record and merge as the door to door one;
    a household already answered is kept as a duplicate, not counted."""
    campaign = await _campaign(request, campaign_id)
    if campaign["status"] != "open":
        raise ApiError(409, "campaign_not_open", "调查未发布或已结束 / the survey is not open")
    form = await request.form()
    household_id = str(form.get("household_id") or "")
    sheets = await store.sheets(campaign_id, scope=request.user.scope)
    sheet = next((s for s in sheets if household_id in s["household_ids"]), None)
    if sheet is None:
        raise _refuse("not_sampled", "该住户不在本次调查的样本中", "the household is not in this survey's sample",
                      "household_id")
    [household] = await store.sampled([household_id], scope=request.user.scope)
    answers: list[dict[str, Any]] = []
    for q in store.questions_of(campaign):
        raw = str(form.get(q.key) or "").strip()
        if not raw:
            continue
        try:
            if q.kind == "rating":
                answers.append({"key": q.key, "score": msgspec.convert(int(raw), Score)})
            elif q.kind == "choice":
                index = int(raw)
                if not 0 <= index < len(q.choices):
                    raise ValueError(raw)
                answers.append({"key": q.key, "choice": index})
            else:
                answers.append(msgspec.to_builtins(msgspec.convert({"key": q.key, "text": raw}, Answer)))
        except (ValueError, msgspec.ValidationError):
            raise _refuse("bad_answer", f"第 {q.key[1:]} 题的回答不正确", f"question {q.key[1:]}: not a valid answer",
                          q.key) from None
    if not answers:
        raise _refuse("empty_answer", "请至少回答一题", "answer at least one question")
    await writes.apply(request.user, [writes.create("survey_response", {
        "sheet_id": sheet["id"], "unit_id": household["unit_id"], "household_id": household_id,
        "channel": "phone", "answered_at": now(), "answers": answers},
        record_id=str(form.get("record_id") or "") or None)])
    return Redirect(f"/desk/surveys/{campaign_id}#answers", status_code=303)


# --- corrective actions ------------------------------------------------------------------------


@post("/desk/surveys/{campaign_id:str}/actions", name="desk.survey_actions_open", include_in_schema=False)
async def open_actions(request: DeskRequest, campaign_id: FromPath[str]) -> Redirect:
    """Open a corrective action for each cause the results show that has none yet."""
    campaign = await _campaign(request, campaign_id)
    found = await results(request, campaign)
    due = (local_today(request) + timedelta(days=found["terms"].action_days)).isoformat()
    await store.open_actions(campaign, found["triggers"], {
        t.key: store.trigger_text(t, found["questions"], found["buildings"]) for t in found["triggers"]},
        due_on=due, now=now())
    return Redirect(f"/desk/surveys/{campaign_id}#actions", status_code=303)


@get("/desk/survey-actions", name="desk.survey_actions", include_in_schema=False)
async def actions_page(request: DeskRequest) -> Template:
    scope = request.user.scope
    rows = await store.actions(scope=scope)
    estates = sorted({r["estate_id"] for r in rows})
    people = {p["id"]: p for e in estates for p in await store.office_staff(e, scope=scope)}
    names = {c["id"]: c["name"] for c in await store.campaigns(scope=scope)}
    return render(request, "survey_actions.html", "_survey_actions.html", {
        "actions": rows, "people": people, "campaign_names": names,
        "buildings": await places.building_codes(scope=scope),
        "today": local_today(request).isoformat()})


@post("/desk/survey-actions/{action_id:str}", name="desk.survey_action_save", include_in_schema=False)
async def save_action(request: DeskRequest, action_id: FromPath[str]) -> Redirect:
    """Give an action its owner and due date, or close it with what was done."""
    found = await store.action(action_id, scope=request.user.scope)
    if found is None:
        raise ApiError(404, "unknown_action", "找不到该纠正措施 / no such corrective action")
    form = await form_of(request, ActionForm)
    people = {p["id"] for p in await store.office_staff(found["estate_id"], scope=request.user.scope)}
    if form.owner_id and form.owner_id not in people:
        raise _refuse("bad_owner", "责任人应为本项目的员工", "the owner is one of the estate's staff", "owner_id")
    if form.status == "closed" and not form.closing_note.strip():
        raise _refuse("closing_note_required", "关闭前请填写处理结果", "say what was done before closing",
                      "closing_note")
    if form.status == "closed" and not (form.owner_id or found["owner_id"]):
        raise _refuse("owner_required", "关闭前请指定责任人", "name the owner before closing", "owner_id")
    await store.update_action(action_id, {
        "owner_id": form.owner_id or None, "due_on": form.due_on or found["due_on"], "status": form.status,
        "closing_note": form.closing_note.strip(),
        "closed_at": (found["closed_at"] or now()) if form.status == "closed" else None})
    return Redirect("/desk/survey-actions", status_code=303)


# --- the estate's thresholds (the manager's, audited) --------------------------------------------


class TermsForm(msgspec.Struct, kw_only=True):
    estate_id: str = ""
    target_percent: Annotated[int, msgspec.Meta(ge=1, le=100)]
    min_answers: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    complaint_repeats: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    action_days: Annotated[int, msgspec.Meta(ge=1, le=365)]


async def _terms_context(request: DeskRequest, estate_id: str, **extra: Any) -> dict[str, Any]:
    context = await chosen_estate(request, estate_id)
    terms, own = await store.terms_of(context["estate"]["id"])
    return {**context, "terms": terms, "own": own, "target_percent": round(terms.target_rate * 100), **extra}


@get("/desk/settings/surveys", name="desk.survey_terms", include_in_schema=False)
async def terms_page(request: DeskRequest, estate_id: FromQuery[str] = "") -> Template:
    return render(request, "survey_terms.html", "_survey_terms.html", await _terms_context(request, estate_id))


@post("/desk/settings/surveys", name="desk.survey_terms_save", include_in_schema=False)
async def terms_save(request: DeskRequest) -> Template | Redirect:
    form = await form_of(request, TermsForm)
    estate_id = (await chosen_estate(request, form.estate_id))["estate"]["id"]
    await store.set_terms(estate_id, SurveyTerms(
        target_rate=form.target_percent / 100, min_answers=form.min_answers,
        complaint_repeats=form.complaint_repeats, action_days=form.action_days),
        user_id=request.user.user_id, ip=client_ip(request))
    if not request.headers.get("hx-request"):
        return Redirect(f"/desk/settings/surveys?estate_id={estate_id}", status_code=303)
    return render(request, "survey_terms.html", "_survey_terms.html",
                  await _terms_context(request, estate_id, saved=True))


# --- export ------------------------------------------------------------------------------------


HEADER = ["survey.group", "survey.group_name", "survey.answers", "survey.average", "survey.rate"]


@export_list("survey_results", page="desk.survey")
async def results_table(request: DeskRequest) -> Table:
    """One row per group (the whole campaign, each service, building and steward): ratings,
    average score, 满意率; of ``?campaign_id=``, else of the newest campaign."""
    chosen = str(request.query_params.get("campaign_id") or "")
    if not chosen:  # the newest campaign of the user's estates
        newest = await store.campaigns(scope=request.user.scope)
        if not newest:
            return HEADER, []
        chosen = newest[0]["id"]
    found = await results(request, await _campaign(request, chosen))
    result: Tally = found["tally"]
    rows: list[list[Any]] = [[translate("zh-CN", "survey.group.overall"), "", result.overall.answers,
                              result.overall.average, percent(result.overall.rate)]]
    rows += [[translate("zh-CN", "survey.group.service"), translate("zh-CN", f"survey.service.{s}"),
              c.answers, c.average, percent(c.rate)] for s, c in result.by_service.items()]
    rows += [[translate("zh-CN", "survey.group.building"), found["buildings"].get(b, ""), c.answers, c.average,
              percent(c.rate)] for b, c in result.by_building.items()]
    rows += [[translate("zh-CN", "survey.group.steward"), found["steward_names"].get(s, ""), c.answers, c.average,
              percent(c.rate)] for s, c in result.by_steward.items()]
    return HEADER, rows


ROUTES = [campaigns, add, question, open_campaign, close_campaign, campaign_page, answer, open_actions,
          actions_page, save_action, terms_page, terms_save]
nav_entry(NavEntry(href="/desk/surveys", key="nav.surveys", route="desk.surveys", order=77))
nav_entry(NavEntry(href="/desk/survey-actions", key="nav.survey_actions", route="desk.survey_actions", order=78))
nav_entry(NavEntry(href="/desk/settings/surveys", key="nav.survey_terms", route="desk.survey_terms", order=124))
