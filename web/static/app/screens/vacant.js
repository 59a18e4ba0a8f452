// @ts-check
/** Vacant-unit check: the weekly checklist, meter readings beside last week's, defects
 * raising a ticket, photos. */
import { choices, field, h, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { vacantCheckIntents } from "../intents.js";
import { isoWeek, lastReadings, latestChecks, vacantDue } from "../schedule.js";
import * as store from "../store.js";
import { card, empty, newId, photoPicker, save } from "./common.js";

export const CHECKLIST = ["doors_windows", "leaks", "power", "smells", "pests", "cleanliness"];
const RESULTS = ["ok", "defect", "na"];

/** @param {import("./common.js").Context} ctx */
export async function vacant(ctx) {
  const [unitId] = ctx.args;
  const checks = await store.list("vacant_check");
  if (unitId) return checkForm(ctx, unitId, checks);
  const units = (await store.list("unit")).filter((u) => u.occupancy === "vacant");
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

/** @param {import("./common.js").Context} ctx @param {string} unitId @param {any[]} checks */
async function checkForm(ctx, unitId, checks) {
  const me = ctx.session.user;
  const unit = await store.get("unit", unitId);
  if (!unit) return h("div", { class: "screen" }, empty(t("not_found")));
  const now = new Date();
  const last = lastReadings(checks, unitId, now);
  const photos = photoPicker();
  const raise = h("input", { type: "checkbox", name: "raise", checked: true, "data-raise-ticket": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-vacant-form": true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    /** @type {Record<string, string>} */ const results = {};
    for (const item of CHECKLIST) results[item] = value(form, `check_${item}`) || "ok";
    const defects = CHECKLIST.filter((item) => results[item] === "defect").map((item) => t(`check.${item}`));
    const reading = (/** @type {string} */ name) => { const v = value(form, name); return v === null ? null : Number(v); };
    const { intents } = vacantCheckIntents({
      unit, stewardId: me.user_id, week: isoWeek(now), results, water: reading("water"), electric: reading("electric"),
      notes: String(value(form, "notes") || ""), raiseTicket: Boolean(value(form, "raise")),
      title: t("vacant.ticket_title", { unit: unit.code, defects: defects.join("、") }),
      defectsText: defects.join("、"), photos: photos.captures(),
    }, newId, now.toISOString());
    await save(intents, photos.captures(), ctx);
    ctx.go("vacant");
  } },
  h("p", { class: "lead" }, unit.code, " · ", isoWeek(now)),
  ...CHECKLIST.map((item) => field(t(`check.${item}`), choices(`check_${item}`, options("result", RESULTS), "ok"))),
  field(t("vacant.water"), h("input", { name: "water", type: "number", step: "0.1", min: "0", inputmode: "decimal", "data-water": true }),
    t("vacant.last_reading", { value: last.water ?? "—" })),
  field(t("vacant.electric"), h("input", { name: "electric", type: "number", step: "0.1", min: "0", inputmode: "decimal", "data-electric": true }),
    t("vacant.last_reading", { value: last.electric ?? "—" })),
  field(t("vacant.notes"), h("textarea", { name: "notes", rows: 2 })),
  photos.node,
  h("label", { class: "check" }, raise, h("span", null, t("vacant.raise_ticket"))),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  return h("div", { class: "screen" }, card(t("vacant.check"), form));
}
