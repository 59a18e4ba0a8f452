// @ts-check
/**
 * Fee reminders (催缴, 应会 7): the arrears of my buildings (unit, items, months, amount,
 * stage, reason noted, last contact), offline; each unit's 催缴记录本: a call (reached or
 * not, promised day, reason, note; a dispute can raise a ticket), a posted notice (which one,
 * a photo of it on the door) or a door visit (a visit, purpose 上门催缴, linked by the
 * contact). The stage follows the month's calendar the arrears carry (the estate's
 * settings), computed as `sync/fees.py` computes it (a shared table of cases keeps the two
 * equal: tests/fixtures/fee_calendar.json).
 */
import { choices, field, h, select, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import * as store from "../store.js";
import { codes } from "../vocab.js";
import { card, empty, newId, photoPicker, save, submitOnce, when } from "../screens/common.js";
import { currentHousehold } from "./archive.js";
import { ticketCreate } from "./tickets.js";
import { visitIntents } from "./visits.js";

/** @typedef {{ list_by: number, phone_from: number, second_from: number, third_from: number, late_fee_per_10k: number }} Calendar */
/** @typedef {{ month: string, item: string, owed_fen: number }} Line */

const SEED_CALENDAR = { list_by: 5, phone_from: 6, second_from: 16, third_from: 21, late_fee_per_10k: 0 };

/** "YYYY-MM" of a local date. @param {Date} day */
export function monthOf(day) {
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}`;
}

/** The month before a local date's. @param {Date} day */
function monthBefore(day) {
  return monthOf(new Date(day.getFullYear(), day.getMonth() - 1, 1));
}

/**
 * Where arrears whose oldest unpaid bill is of `oldestMonth` stand on `today` (as
 * `sync.fees.stage`): this month's bill is not due; last month's follow this month's
 * calendar by the day; older ones stay at the third notice.
 * @param {Date} today @param {string} oldestMonth @param {Calendar} calendar
 */
export function feeStage(today, oldestMonth, calendar) {
  if (!oldestMonth || oldestMonth >= monthOf(today)) return "not_due";
  const day = today.getDate();
  if (oldestMonth < monthBefore(today) || day >= calendar.third_from) return "third_notice";
  if (day >= calendar.second_from) return "second_notice";
  if (day >= calendar.phone_from) return "phone";
  return "listed";
}

/**
 * 滞纳金 in fen (as `sync.fees.late_fee_fen`): each bill at the third notice, owed × rate ×
 * the days since its month ended, rounded half up per bill.
 * @param {Line[]} lines @param {Date} today @param {Calendar} calendar
 */
export function lateFeeFen(lines, today, calendar) {
  if (!(calendar.late_fee_per_10k > 0)) return 0;
  let total = 0;
  const noon = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  for (const line of lines) {
    if (feeStage(today, line.month, calendar) !== "third_notice") continue;
    const [year, month] = line.month.split("-").map(Number);
    const days = Math.round((noon - Date.UTC(year, month, 1)) / 86400000) + 1;  // month is 1-based: (year, month) is the next month
    total += Math.floor((line.owed_fen * calendar.late_fee_per_10k * days + 5000) / 10000);
  }
  return total;
}

/** Fen as yuan text. @param {number} fen */
export function yuan(fen) {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}


/**
 * A call, posted notice or door visit about a unit's arrears: the contact (and the visit,
 * the dispute's ticket, the notice's photos).
 * @param {{ unit: any, arrears: any, household: any | null, stewardId: string, kind: "call" | "notice" | "visit",
 *   reached: boolean | null, promisedOn: string | null, reason: string | null, notice: string | null, note: string,
 *   raiseTicket: boolean, ticketTitle: string, photos: import("../intents.js").Capture[] }} form
 * @param {() => string} newId @param {string} now
 */
export function feeContactIntents(form, newId, now) {
  const building = form.unit.building_id;
  /** @type {import("../outbox.js").Intent[]} */ const intents = [];
  let visitId = null;
  if (form.kind === "visit") {
    const visit = visitIntents({
      planned: null, unit: form.unit, household: form.household, ticket: null, stewardId: form.stewardId,
      purpose: "fee_reminder", outcome: form.note, satisfaction: null, ownerWords: "", followUps: "",
      raiseFollowUp: false, followUpTitle: "", archive: {}, signature: null,
    }, newId, now);
    visitId = visit.visitId;
    intents.push(...visit.intents);
  }
  const ticketId = form.raiseTicket && form.reason && form.reason.endsWith("_dispute") ? newId() : null;
  if (ticketId) {
    intents.push(ticketCreate(ticketId, {
      kind: "complaint", title: form.ticketTitle, description: form.note, unit_id: form.unit.id,
      place: form.unit.code, channel: form.kind === "visit" ? "visit" : "phone",
    }, form.stewardId, building));
  }
  const contactId = newId();
  intents.push({ op: "create", collection: "fee_contact", id: contactId, fields: {
    unit_id: form.unit.id, steward_id: form.stewardId, kind: form.kind, contacted_at: now,
    reached: form.kind === "call" ? form.reached : null, promised_on: form.promisedOn || null,
    reason: form.reason || null, notice: form.kind === "notice" ? form.notice : null, note: form.note,
    amount_fen: form.arrears?.amount_fen ?? 0, visit_id: visitId, ticket_id: ticketId,
  }, local: { building_id: building } });
  intents.push(...attachmentIntents("fee_contact", contactId, form.photos, "photo", newId, building));
  return { contactId, visitId, ticketId, intents };
}

/** The later the stage, the higher (the vocabulary is in calendar order). @param {string} stage */
function stageRank(stage) {
  return codes("fee_stage").indexOf(stage);
}

/** My arrears that are due today, with their units, stage first. @param {Date} now */
async function dueArrears(now) {
  const all = await store.list("arrears");
  const units = await Promise.all(all.map((a) => store.get("unit", a.unit_id)));
  return all.map((a, i) => ({ arrears: a, unit: units[i], stage: feeStage(now, a.oldest_month, a.calendar || SEED_CALENDAR) }))
    .filter((row) => row.unit && row.stage !== "not_due")
    .sort((a, b) => stageRank(b.stage) - stageRank(a.stage)
      || String(a.unit.code).localeCompare(String(b.unit.code), "zh-CN", { numeric: true }));
}

/** The latest contact of a unit. @param {any[]} contacts */
function latest(contacts) {
  return contacts.slice().sort((a, b) => String(b.contacted_at).localeCompare(String(a.contacted_at)))[0] || null;
}

/** @param {any} contact */
function contactText(contact) {
  const parts = [t(`fee.kind.${contact.kind}`)];
  if (contact.kind === "call") parts.push(t(contact.reached ? "fee.reached" : "fee.not_reached"));
  if (contact.notice) parts.push(t(`fee.notice.${contact.notice}`));
  if (contact.promised_on) parts.push(t("fee.promised", { day: contact.promised_on }));
  if (contact.reason) parts.push(t(`fee.reason.${contact.reason}`));
  return parts.join(" · ");
}

/** @param {any} ctx */
async function fees(ctx) {
  const [unitId] = ctx.args;
  if (unitId) return unitScreen(ctx, unitId);
  const now = new Date();
  const rows = await dueArrears(now);
  const lastOf = new Map();
  for (const row of rows) lastOf.set(row.unit.id, latest(await store.find("fee_contact", "unit_id", row.unit.id)));
  const total = rows.reduce((sum, row) => sum + row.arrears.amount_fen, 0);
  return h("div", { class: "screen" },
    h("p", { class: "lead", "data-fee-today": feeStage(now, monthBefore(now), rows[0]?.arrears.calendar || SEED_CALENDAR) },
      t("fee.today", { stage: t(`fee.stage.${feeStage(now, monthBefore(now), rows[0]?.arrears.calendar || SEED_CALENDAR)}`) })),
    card(t("fee.list", { n: rows.length, amount: yuan(total) }), rows.length ? h("ul", { class: "list" }, rows.map(({ arrears, unit, stage }) => {
      const last = lastOf.get(unit.id);
      return h("li", null, h("a", { class: "row link", href: `#/fees/${unit.id}`, "data-fee-unit": unit.code, "data-stage": stage },
        h("span", null, h("strong", null, unit.code), " ", yuan(arrears.amount_fen), t("fee.yuan"),
          h("span", { class: "hint" }, " ", [...new Set(arrears.lines.map((/** @type {Line} */ l) => t(`fee.item.${l.item}`)))].join("、"),
            " · ", [...new Set(arrears.lines.map((/** @type {Line} */ l) => l.month))].join("、")),
          last ? h("span", { class: "hint", "data-last-contact": true }, " · ", when(last.contacted_at), " ", contactText(last)) : null),
        h("span", { class: `chip chip-${stage}` }, t(`fee.stage.${stage}`))));
    })) : empty(t("fee.none"))));
}

/** @param {any} ctx @param {string} unitId */
async function unitScreen(ctx, unitId) {
  const me = ctx.session.user;
  const unit = await store.get("unit", unitId);
  if (!unit) return h("div", { class: "screen" }, empty(t("not_found")));
  const arrears = (await store.find("arrears", "unit_id", unitId))[0] || null;
  const household = currentHousehold(await store.find("household", "unit_id", unitId));
  const contacts = (await store.find("fee_contact", "unit_id", unitId))
    .sort((a, b) => String(b.contacted_at).localeCompare(String(a.contacted_at)));
  const now = new Date();
  const calendar = arrears?.calendar || SEED_CALENDAR;
  const stage = arrears ? feeStage(now, arrears.oldest_month, calendar) : "not_due";
  const late = arrears ? lateFeeFen(arrears.lines, now, calendar) : 0;
  const photos = photoPicker();
  const kind = arrears && stage !== "phone" && stage !== "listed" ? (stage === "third_notice" ? "visit" : "notice") : "call";
  const reasons = [["", t("fee.reason_none")], ...options("fee.reason", codes("fee_reason"))];
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-fee-form": true, onsubmit: submitOnce(async () => {
    const chosen = /** @type {"call" | "notice" | "visit"} */ (value(form, "kind") || "call");
    const captures = chosen === "notice" ? photos.captures() : [];
    if (chosen === "notice" && !captures.length) {
      ctx.flash(t("fee.notice_photo_required"), "warn");
      return;
    }
    const reason = value(form, "reason") || null;
    const { intents } = feeContactIntents({
      unit, arrears, household, stewardId: me.user_id, kind: chosen,
      reached: chosen === "call" ? value(form, "reached") === "yes" : null, promisedOn: value(form, "promised_on") || null,
      reason, notice: chosen === "notice" ? (value(form, "notice") || "second") : null,
      note: String(value(form, "note") || "").trim(), raiseTicket: Boolean(value(form, "raise")),
      ticketTitle: t("fee.ticket_title", { unit: unit.code, reason: reason ? t(`fee.reason.${reason}`) : "" }), photos: captures,
    }, newId, new Date().toISOString());
    await save(intents, captures, ctx);
    ctx.go(`fees/${unitId}`);
  }) },
  h("div", { onchange: () => showFor() }, field(t("fee.contact_kind"), choices("kind", options("fee.kind", codes("fee_contact_kind")), kind, "three"))),
  h("div", { "data-for": "call" }, field(t("fee.call_result"), choices("reached", [["yes", t("fee.reached")], ["no", t("fee.not_reached")]], "yes", "two"))),
  h("div", { "data-for": "notice" }, field(t("fee.which_notice"), choices("notice", options("fee.notice", codes("fee_notice")), stage === "third_notice" ? "third" : "second", "two"))),
  field(t("fee.promised_on"), h("input", { name: "promised_on", type: "date", "data-promised": true })),
  field(t("fee.reason_label"), select({ name: "reason", "data-reason": true }, reasons, "")),
  h("label", { class: "check" }, h("input", { type: "checkbox", name: "raise", "data-raise-ticket": true }), h("span", null, t("fee.raise_ticket"))),
  field(t("fee.note"), h("textarea", { name: "note", rows: 2, "data-note": true })),
  h("div", { "data-for": "notice" }, photos.node),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  /** Only the fields of the kind of contact chosen are shown. */
  const showFor = () => {
    const chosen = value(form, "kind") || "call";
    for (const part of Array.from(form.querySelectorAll("[data-for]"))) {
      /** @type {HTMLElement} */ (part).hidden = /** @type {HTMLElement} */ (part).dataset.for !== chosen;
    }
  };
  showFor();
  return h("div", { class: "screen" },
    h("p", { class: "lead" }, unit.code, household ? ` · ${household.owner_name}` : ""),
    card(t("fee.arrears"), arrears ? h("div", { "data-fee-arrears": unit.code },
      h("p", null, h("span", { class: `chip chip-${stage}`, "data-stage": stage }, t(`fee.stage.${stage}`)), " ",
        h("strong", { "data-amount": arrears.amount_fen }, yuan(arrears.amount_fen), t("fee.yuan")),
        late ? h("span", { class: "hint", "data-late-fee": late }, " ", t("fee.late_fee", { amount: yuan(late) })) : null),
      h("ul", { class: "list" }, arrears.lines.map((/** @type {Line} */ l) => h("li", { class: "row" },
        h("span", null, l.month, " ", t(`fee.item.${l.item}`)), h("span", null, yuan(l.owed_fen)))))) : empty(t("fee.paid"))),
    card(t("fee.log"), form),
    card(t("fee.history", { n: contacts.length }), contacts.length ? h("ul", { class: "list", "data-fee-history": true }, contacts.map((c) =>
      h("li", { class: "row", "data-contact-kind": c.kind }, h("span", null, contactText(c), c.note ? ` · ${c.note}` : ""),
        h("span", { class: "hint" }, when(c.contacted_at))))) : empty(t("fee.history_none"))));
}

/** Today: how many units are due for which step. @param {any} _ctx @param {Date} now */
async function dueToday(_ctx, now) {
  const rows = await dueArrears(now);
  if (!rows.length) return null;
  return card(t("today.fees", { n: rows.length }), h("ul", { class: "list" }, rows.slice(0, 5).map(({ unit, arrears, stage }) =>
    h("li", null, h("a", { class: "row link", href: `#/fees/${unit.id}` },
      h("span", null, unit.code, " · ", yuan(arrears.amount_fen), t("fee.yuan")),
      h("span", { class: `chip chip-${stage}` }, t(`fee.stage.${stage}`)))))));
}

export const feature = defineFeature({
  name: "fees",
  collections: {
    arrears: { summary: (data, { unitCode }) => [unitCode(data.unit_id), `${yuan(data.amount_fen || 0)}${t("fee.yuan")}`].filter(Boolean).join(" · ") },
    fee_contact: { listed: true, summary: (data, { unitCode }) => [unitCode(data.unit_id), t(`fee.kind.${data.kind}`)].filter(Boolean).join(" · ") },
  },
  indexes: { arrears: ["unit_id"], fee_contact: ["unit_id"] },
  screens: { fees: { render: fees, tab: 45, roles: FIELD_WORK_ROLES } },
  today: [{ order: 35, render: dueToday, roles: FIELD_WORK_ROLES }],
  intents: { feeContactIntents },
});
