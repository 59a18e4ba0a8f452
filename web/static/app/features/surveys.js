// @ts-check
/**
 * Satisfaction surveys (满意度调查), door to door: the sheets of my buildings (read-only,
 * from the desk), the sampled households still to ask, and the questionnaire; an answer is
 * saved offline and counted once per household (a second one is kept, not counted).
 */
import { choices, field, h, value } from "../dom.js";
import { t } from "../i18n.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import * as store from "../store.js";
import { card, empty, newId, save, submitOnce } from "../screens/common.js";

/**
 * The answer of one household to a sheet, as an outbox intent.
 * @param {{ sheet: any, household: any, stewardId: string, answers: any[] }} form
 * @param {() => string} newId @param {string} now
 * @returns {import("../outbox.js").Intent}
 */
export function surveyAnswerIntent(form, newId, now) {
  return { op: "create", collection: "survey_response", id: newId(), fields: {
    sheet_id: form.sheet.id, unit_id: form.household.unit_id, household_id: form.household.id, channel: "door",
    answered_at: now, steward_id: form.stewardId, answers: form.answers,
  }, local: { building_id: form.sheet.building_id } };
}

/**
 * The answers a form holds: a score, a choice's index or words per question answered.
 * @param {any[]} questions @param {(name: string) => any} read
 */
export function answersOf(questions, read) {
  const answers = [];
  for (const q of questions) {
    const raw = read(q.key);
    if (raw === null || raw === undefined || String(raw).trim() === "") continue;
    if (q.kind === "rating") answers.push({ key: q.key, score: Number(raw) });
    else if (q.kind === "choice") answers.push({ key: q.key, choice: Number(raw) });
    else answers.push({ key: q.key, text: String(raw).trim() });
  }
  return answers;
}

/** Sheets open on `day` (YYYY-MM-DD), and the households already answered per sheet. @param {string} day */
async function openSheets(day) {
  const [sheets, responses] = await Promise.all([store.list("survey_sheet"), store.list("survey_response")]);
  /** @type {Map<string, Set<string>>} */ const answered = new Map();
  for (const r of responses) {
    if (!answered.has(r.sheet_id)) answered.set(r.sheet_id, new Set());
    answered.get(r.sheet_id)?.add(r.household_id);
  }
  return { sheets: sheets.filter((s) => s.starts_on <= day && day <= s.ends_on), answered };
}

/** @param {Date} now */
const today = (now) => `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;

/** @param {any} ctx */
async function survey(ctx) {
  const [sheetId, householdId] = ctx.args;
  if (sheetId && householdId) return answerForm(ctx, sheetId, householdId);
  if (sheetId) return households(ctx, sheetId);
  const { sheets, answered } = await openSheets(today(new Date()));
  const codes = new Map((await store.list("building")).map((b) => [b.id, b.code]));
  return h("div", { class: "screen" }, card(t("survey.title"), sheets.length ? h("ul", { class: "list" }, sheets.map((s) =>
    h("li", null, h("a", { class: "row link", href: `#/survey/${s.id}`, "data-survey-sheet": s.id },
      h("span", null, s.name, " · ", codes.get(s.building_id) || ""),
      h("span", { class: "chip" }, t("survey.progress", { done: answered.get(s.id)?.size || 0, n: s.household_ids.length })))))) :
    empty(t("survey.none"))));
}

/** The sampled households of a sheet, those still to ask first. @param {any} ctx @param {string} sheetId */
async function households(ctx, sheetId) {
  const sheet = await store.get("survey_sheet", sheetId);
  if (!sheet) return h("div", { class: "screen" }, empty(t("not_found")));
  const done = new Set((await store.list("survey_response")).filter((r) => r.sheet_id === sheetId).map((r) => r.household_id));
  const rows = [];
  for (const id of sheet.household_ids) {
    const household = await store.get("household", id);
    const unit = household ? await store.get("unit", household.unit_id) : null;
    rows.push({ id, code: unit?.code || "", owner: household?.owner_name || "", done: done.has(id) });
  }
  rows.sort((a, b) => Number(a.done) - Number(b.done) || a.code.localeCompare(b.code, "zh-CN", { numeric: true }));
  return h("div", { class: "screen" }, card(sheet.name, h("ul", { class: "list" }, rows.map((r) => h("li", null,
    h("a", { class: "row link", href: `#/survey/${sheetId}/${r.id}`, "data-survey-household": r.id },
      h("span", null, r.code, " ", r.owner),
      h("span", { class: `chip ${r.done ? "chip-checked" : "chip-due"}` }, t(r.done ? "phone.survey.answered" : "phone.survey.to_ask"))))))));
}

/** @param {any} ctx @param {string} sheetId @param {string} householdId */
async function answerForm(ctx, sheetId, householdId) {
  const sheet = await store.get("survey_sheet", sheetId);
  const household = await store.get("household", householdId);
  if (!sheet || !household || !sheet.household_ids.includes(householdId)) return h("div", { class: "screen" }, empty(t("not_found")));
  const unit = await store.get("unit", household.unit_id);
  const already = (await store.list("survey_response")).some((r) => r.sheet_id === sheetId && r.household_id === householdId);
  const scores = ["5", "4", "3", "2", "1"].map((s) => /** @type {[string, string]} */ ([s, t(`survey.score.${s}`)]));
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-survey-form": true, onsubmit: submitOnce(async () => {
    const answers = answersOf(sheet.questions, (name) => value(form, name));
    if (!answers.length) {
      form.querySelector("[data-survey-empty]")?.removeAttribute("hidden");
      return;
    }
    const intent = surveyAnswerIntent({ sheet, household, stewardId: ctx.session.user.user_id, answers }, newId, new Date().toISOString());
    await save([intent], [], ctx);
    ctx.go(`survey/${sheetId}`);
  }) },
  h("p", { class: "lead" }, unit?.code || "", " ", household.owner_name || ""),
  already ? h("p", { class: "banner warn", "data-survey-already": true }, t("survey.already")) : null,
  ...sheet.questions.map((/** @type {any} */ q) => field(`${t(`survey.service.${q.service}`)} · ${q.text}`,
    q.kind === "rating" ? choices(q.key, scores, null) :
      q.kind === "choice" ? choices(q.key, q.choices.map((/** @type {any} */ c, /** @type {number} */ i) => [String(i), c.label]), null, "two") :
        h("textarea", { name: q.key, rows: 2, maxlength: 500 }))),
  h("p", { class: "banner warn", hidden: true, "data-survey-empty": true }, t("survey.empty")),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("survey.save"))));
  return h("div", { class: "screen" }, card(sheet.name, form));
}

/** Today: households still to ask in the open surveys. @param {any} _ctx @param {Date} now */
async function toAsk(_ctx, now) {
  const { sheets, answered } = await openSheets(today(now));
  if (!sheets.length) return null;
  const left = sheets.reduce((n, s) => n + s.household_ids.filter((/** @type {string} */ id) => !answered.get(s.id)?.has(id)).length, 0);
  return card(t("survey.today", { n: left }), h("a", { class: "row link", href: "#/survey", "data-today-survey": true },
    h("span", null, t("survey.title"))));
}

export const feature = defineFeature({
  name: "surveys",
  collections: {
    survey_sheet: { summary: (data) => data.name || "" },
    survey_response: { listed: true, summary: (data, { unitCode }) => unitCode(data.unit_id) },
  },
  indexes: { survey_response: ["sheet_id"] },
  screens: { survey: { render: survey, tab: 45, roles: FIELD_WORK_ROLES } },
  today: [{ order: 35, render: toAsk, roles: FIELD_WORK_ROLES }],
  intents: { surveyAnswerIntent },
});
