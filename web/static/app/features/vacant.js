// @ts-check
/**
 * Vacant-unit checks (空置房巡检): every vacant unit weekly, the checklist, meter readings
 * beside last week's, defects raising a ticket, photos; Today lists the units due.
 */
import { choices, field, h, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import { isoWeek, lastReadings, latestChecks, readingWarnings, vacantDue } from "../schedule.js";
import * as store from "../store.js";
import { codes } from "../vocab.js";
import { card, empty, keepDraft, newId, photoPicker, save, submitOnce } from "../screens/common.js";
import { keyLine } from "./move_in.js";
import { ticketCreate } from "./tickets.js";

/**
 * A weekly vacant-unit check; defects raise one ticket listing them.
 * @param {{ unit: any, stewardId: string, week: string, results: Record<string, string>, water: number | null,
 *   electric: number | null, notes: string, raiseTicket: boolean, title: string, defectsText: string,
 *   photos: import("../intents.js").Capture[] }} form
 * @param {() => string} newId @param {string} now
 */
export function vacantCheckIntents(form, newId, now) {
  const checkId = newId();
  const building = form.unit.building_id;
  const defects = Object.values(form.results).filter((result) => result === "defect");
  const ticketId = form.raiseTicket && defects.length ? newId() : null;
  /** @type {import("../outbox.js").Intent[]} */ const intents = [{ op: "create", collection: "vacant_check", id: checkId, fields: {
    unit_id: form.unit.id, week: form.week, checked_at: now, steward_id: form.stewardId, results: form.results,
    water_reading: form.water, electric_reading: form.electric, notes: form.notes,
  }, local: { building_id: building } }];
  if (ticketId) {
    intents.push(ticketCreate(ticketId, {
      kind: "vacant_defect", title: form.title, description: [form.defectsText, form.notes].filter(Boolean).join("\n"),
      unit_id: form.unit.id, place: form.unit.code, channel: "vacant_check", source_check_id: checkId,
    }, form.stewardId, building));
  }
  intents.push(...attachmentIntents("vacant_check", checkId, form.photos, "photo", newId, building));
  return { checkId, ticketId, intents };
}

/** The vacant units of my buildings, and the latest checks. */
async function vacantUnits() {
  return Promise.all([store.find("unit", "occupancy", "vacant"), store.list("vacant_check")]);
}

/** @param {any} ctx */
async function vacant(ctx) {
  const [unitId] = ctx.args;
  if (unitId) return checkForm(ctx, unitId);
  const [units, checks] = await vacantUnits();
  const now = new Date();
  const due = new Map(vacantDue(units, checks, now).map((d) => [d.unit.id, d.status]));
  const latest = latestChecks(checks);
  units.sort((a, b) => String(a.code).localeCompare(String(b.code), "zh-CN", { numeric: true }));
  return h("div", { class: "screen" },
    h("p", { class: "lead" }, t("vacant.week", { week: isoWeek(now), n: due.size })),
    card(t("vacant.units", { n: units.length }), units.length ? h("ul", { class: "list" }, units.map((u) => {
      const state = due.get(u.id) || "checked";
      return h("li", null, h("a", { class: "row link", href: `#/vacant/${u.id}`, "data-vacant-unit": u.id },
        h("span", null, u.code), h("span", { class: `chip chip-${state}` }, t(`vacant.${state}`), latest.get(u.id) ? ` · ${latest.get(u.id).week}` : "")));
    })) : empty(t("vacant.none"))));
}

/** @param {any} ctx @param {string} unitId */
async function checkForm(ctx, unitId) {
  const me = ctx.session.user;
  const unit = await store.get("unit", unitId);
  if (!unit) return h("div", { class: "screen" }, empty(t("not_found")));
  const now = new Date();
  const history = await store.find("vacant_check", "unit_id", unitId);
  const last = lastReadings(history, unitId, now);
  const warningBox = h("div", { "data-reading-warning": true });
  const checklist = codes("vacant_checklist");
  const photos = photoPicker();
  const raise = h("input", { type: "checkbox", name: "raise", checked: true, "data-raise-ticket": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-vacant-form": true, onsubmit: submitOnce(async () => {
    /** @type {Record<string, string>} */ const results = {};
    for (const item of checklist) results[item] = value(form, `check_${item}`) || "ok";
    const defects = checklist.filter((item) => results[item] === "defect").map((item) => t(`check.${item}`));
    const reading = (/** @type {string} */ name) => { const v = value(form, name); return v === null ? null : Number(v); };
    const readings = { water: reading("water"), electric: reading("electric") };
    const warnings = readingWarnings(readings, history, unitId, now).map((w) => t(`vacant.reading_${w.kind}`, {
      meter: t(`vacant.meter_${w.meter}`), last: w.last, reading: w.reading }));
    if (warnings.length && !value(form, "confirm_reading")) {  // shown beside the readings; saved once confirmed
      warningBox.replaceChildren(h("div", { class: "banner warn", role: "alert" }, ...warnings.map((w) => h("p", null, w)),
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "confirm_reading", "data-confirm-reading": true }),
          h("span", null, t("vacant.reading_confirm")))));
      warningBox.scrollIntoView({ block: "center" });
      return;
    }
    const notes = [String(value(form, "notes") || "").trim(), ...warnings.map((w) => `${w}（${t("vacant.reading_confirmed")}）`)]
      .filter(Boolean).join("\n");
    const { intents } = vacantCheckIntents({
      unit, stewardId: me.user_id, week: isoWeek(now), results, water: readings.water, electric: readings.electric,
      notes, raiseTicket: Boolean(value(form, "raise")),
      title: t("vacant.ticket_title", { unit: unit.code, defects: defects.join("、") }),
      defectsText: defects.join("、"), photos: photos.captures(),
    }, newId, now.toISOString());
    await save(intents, photos.captures(), ctx);
    await draft.clear();
    ctx.go("vacant");
  }) },
  h("p", { class: "lead" }, unit.code, " · ", isoWeek(now)),
  ...checklist.map((item) => field(t(`check.${item}`), choices(`check_${item}`, options("result", codes("check_result")), "ok"))),
  field(t("vacant.water"), h("input", { name: "water", type: "number", step: "0.1", min: "0", required: true, inputmode: "decimal", "data-water": true }),
    t("vacant.last_reading", { value: last.water ?? "—" })),
  field(t("vacant.electric"), h("input", { name: "electric", type: "number", step: "0.1", min: "0", required: true, inputmode: "decimal", "data-electric": true }),
    t("vacant.last_reading", { value: last.electric ?? "—" })),
  warningBox,
  field(t("vacant.notes"), h("textarea", { name: "notes", rows: 2 })),
  photos.node,
  h("label", { class: "check" }, raise, h("span", null, t("vacant.raise_ticket"))),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  const draft = await keepDraft(form, `vacant:${unitId}:${isoWeek(now)}`, () => void ctx.refresh());
  return h("div", { class: "screen" }, await keyLine(unitId), card(t("vacant.check"), draft.note, form));
}

/** Today: vacant units not checked this week (overdue first). @param {any} _ctx @param {Date} now */
async function unitsDue(_ctx, now) {
  const [units, checks] = await vacantUnits();
  const due = vacantDue(units, checks, now);
  return card(t("today.vacant", { n: due.length }),
    due.length ? h("ul", { class: "list" }, due.slice(0, 8).map(({ unit, last, status: s }) => h("li", null,
      h("a", { class: "row link", href: `#/vacant/${unit.id}`, "data-vacant-unit": unit.id },
        h("span", null, unit.code),
        h("span", { class: `chip chip-${s}` }, t(`vacant.${s}`), last ? ` · ${last.week}` : ""))))) : empty(t("today.vacant_none")));
}

export const feature = defineFeature({
  name: "vacant",
  collections: {
    vacant_check: { listed: true, summary: (data, { unitCode }) => [unitCode(data.unit_id), data.week].filter(Boolean).join(" · ") },
  },
  indexes: { unit: ["occupancy"], vacant_check: ["unit_id"] },
  screens: { vacant: { render: vacant, tab: 30, roles: FIELD_WORK_ROLES } },
  today: [{ order: 20, render: unitsDue, roles: FIELD_WORK_ROLES }],
  intents: { vacantCheckIntents },
});
