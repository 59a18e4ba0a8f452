// @ts-check
/**
 * 抄表 (meter reading rounds): the meters of my buildings floor by floor in walking order,
 * offline, each with its last reading; a reading checked before saving as the server checks
 * it (meter_rules.js); the desk's re-read tasks; Today shows the month's progress.
 */
import { choices, field, h, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { historyOf, readingRefusal, RESETS, readThisMonth, rereadTasks, walkingOrder } from "../meter_rules.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import * as store from "../store.js";
import { rules } from "../vocab.js";
import { card, empty, myBuildings, newId, photoPicker, save, submitOnce } from "../screens/common.js";


/**
 * A reading and its photos (the photo named by the reading, then attached to it).
 * @param {{ meter: any, readerId: string, reading: number, flag: string | null, note: string,
 *   photos: import("../intents.js").Capture[] }} form
 * @param {() => string} newId @param {string} now
 */
export function readingIntents(form, newId, now) {
  const id = newId();
  const building = form.meter.building_id;
  /** @type {import("../outbox.js").Intent[]} */ const intents = [{ op: "create", collection: "meter_reading", id, fields: {
    meter_id: form.meter.id, reading: form.reading, read_at: now, reader_id: form.readerId, flag: form.flag,
    photo_sha256: form.flag ? form.photos[0]?.sha256 ?? null : null, source: "round", note: form.note,
  }, local: { building_id: building } }];
  intents.push(...attachmentIntents("meter_reading", id, form.photos, "photo", newId, building));
  return { id, intents };
}

/** Everything the round reads from the cache. */
async function cached() {
  const [meters, readings, checks, units, buildings] = await Promise.all([
    store.list("meter"), store.list("meter_reading"), store.list("vacant_check"), store.list("unit"), myBuildings()]);
  return { meters: meters.filter((m) => !m.deleted), readings, checks, units: new Map(units.map((u) => [u.id, u])), buildings };
}

/** @param {any} meter @param {Map<string, any>} units */
function meterName(meter, units) {
  const where = meter.unit_id ? units.get(meter.unit_id)?.code ?? "" : t("meters.public");
  return [where, t(`meter_kind.${meter.kind}`), meter.place].filter(Boolean).join(" · ");
}

/** @param {any} ctx */
async function round(ctx) {
  const [meterId] = ctx.args;
  if (meterId) return readingForm(ctx, meterId);
  const { meters, readings, checks, units, buildings } = await cached();
  const now = new Date();
  const tasks = rereadTasks(readings);
  const cards = buildings.map((b) => {
    const mine = walkingOrder(meters.filter((m) => m.building_id === b.id));
    if (!mine.length) return null;
    const floors = [...new Set(mine.map((m) => m.floor))];
    const done = mine.filter((m) => readThisMonth(readings.filter((r) => r.meter_id === m.id), now)).length;
    return card(t("meters.building", { code: b.code, done, n: mine.length }), ...floors.map((floor) => h("div", { "data-floor": floor },
      h("h3", null, t("meters.floor", { n: floor })),
      h("ul", { class: "list" }, mine.filter((m) => m.floor === floor).map((m) => {
        const history = historyOf(m, readings, checks);
        const last = history[history.length - 1];
        const read = readThisMonth(readings.filter((r) => r.meter_id === m.id), now);
        return h("li", null, h("a", { class: "row link", href: `#/meters/${m.id}`, "data-meter": m.id, "data-read": read ? "yes" : "no" },
          h("span", null, meterName(m, units)),
          h("span", { class: `chip chip-${read ? "done" : "due"}` }, read ? t("meters.read") : t("meters.last", { value: last ? last.reading : "—" }))));
      })))));
  }).filter(Boolean);
  return h("div", { class: "screen" },
    tasks.length ? rereadCard(tasks, meters, units) : null,
    ...(cards.length ? cards : [empty(t("meters.none"))]));
}

/** @param {any[]} tasks @param {any[]} meters @param {Map<string, any>} units */
function rereadCard(tasks, meters, units) {
  const byId = new Map(meters.map((m) => [m.id, m]));
  return card(t("meters.rereads", { n: tasks.length }), h("ul", { class: "list", "data-rereads": true }, tasks.map((task) => {
    const meter = byId.get(task.meter_id);
    return h("li", null, h("a", { class: "row link", href: `#/meters/${task.meter_id}`, "data-reread": task.meter_id },
      h("span", null, meter ? meterName(meter, units) : ""),
      h("span", { class: "chip chip-overdue" }, task.review_note || t("meters.reread"))));
  })));
}

/** @param {any} ctx @param {string} meterId */
async function readingForm(ctx, meterId) {
  const { meters, readings, checks, units } = await cached();
  const meter = meters.find((m) => m.id === meterId);
  if (!meter) return h("div", { class: "screen" }, empty(t("not_found")));
  const settings = rules("meters");
  const history = historyOf(meter, readings, checks);
  const last = history[history.length - 1];
  const photos = photoPicker();
  const warning = h("div", { "data-reading-refusal": true });
  const flags = h("div", { hidden: true, "data-flags": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-reading-form": meter.id, onsubmit: submitOnce(async () => {
    const now = new Date().toISOString();
    const reading = Number(value(form, "reading"));
    const flag = /** @type {string | null} */ (value(form, "flag")) || (value(form, "confirm_high") ? "confirmed_high" : null);
    const captures = photos.captures();
    const refusal = readingRefusal({ reading, read_at: now, flag, photo_sha256: captures[0]?.sha256 ?? null }, history, meter.kind, settings);
    if (refusal) {
      showRefusal(refusal, flags, warning, last);
      return;
    }
    const { intents } = readingIntents({ meter, readerId: ctx.session.user.user_id, reading, flag,
      note: String(value(form, "note") || "").trim(), photos: flag ? captures : [] }, newId, now);
    await save(intents, flag ? captures : [], ctx);
    const next = nextUnread(meters, readings, meter, new Date());
    ctx.go(next ? `meters/${next.id}` : "meters");
  }) },
  h("p", { class: "lead" }, meterName(meter, units), meter.serial ? ` · ${meter.serial}` : ""),
  h("p", { class: "hint", "data-last-reading": true }, last ? t("meters.last_at", { value: last.reading, at: last.read_at.slice(0, 10) }) : t("meters.first")),
  field(t("meters.reading"), h("input", { name: "reading", type: "number", step: "0.01", min: "0", required: true, inputmode: "decimal", "data-reading": true })),
  warning, flags,
  field(t("meters.note"), h("input", { name: "note", type: "text", maxlength: "200" })),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("meters.save_next"))));
  flags.append(photos.node);
  return h("div", { class: "screen" }, card(t("meters.reading_of", { code: meter.serial || t(`meter_kind.${meter.kind}`) }), form),
    h("a", { class: "button secondary", href: "#/meters" }, t("meters.back")));
}

/** Show why the reading is refused and what would let it be saved. @param {string} code @param {HTMLElement} flags @param {HTMLElement} warning @param {any} last */
function showRefusal(code, flags, warning, last) {
  warning.replaceChildren(h("div", { class: "banner warn", role: "alert", "data-refusal": code }, t(`meters.refused.${code}`, { last: last?.reading ?? "" })));
  flags.hidden = false;
  if (code === "reading_lower" && !flags.querySelector("[name=flag]")) {
    flags.prepend(field(t("meters.why_lower"), choices("flag", options("reading_flag", RESETS.codes()), "")));
  }
  if (code === "reading_high" && !flags.querySelector("[name=confirm_high]")) {
    flags.prepend(h("label", { class: "check" }, h("input", { type: "checkbox", name: "confirm_high", "data-confirm-high": true }),
      h("span", null, t("meters.confirm_high"))));
  }
  warning.scrollIntoView({ block: "center" });
}

/** The next meter of the same building not read this month, in walking order. @param {any[]} meters @param {any[]} readings @param {any} meter @param {Date} now */
function nextUnread(meters, readings, meter, now) {
  const order = walkingOrder(meters.filter((m) => m.building_id === meter.building_id));
  const after = order.slice(order.findIndex((m) => m.id === meter.id) + 1);
  return after.find((m) => !readThisMonth(readings.filter((r) => r.meter_id === m.id), now)) ?? null;
}

/** Today: the month's round (read / all) and the re-read tasks. @param {any} _ctx @param {Date} now */
async function roundToday(_ctx, now) {
  const { meters, readings, units } = await cached();
  if (!meters.length) return null;
  const done = meters.filter((m) => readThisMonth(readings.filter((r) => r.meter_id === m.id), now)).length;
  const tasks = rereadTasks(readings);
  const due = rules("meters")?.round_day;
  return card(t("today.meters", { done, n: meters.length }),
    h("p", { "data-round-progress": `${done}/${meters.length}` }, t("meters.due_by", { day: due ?? "" })),
    tasks.length ? rereadCard(tasks, meters, units) : null,
    h("a", { class: "button primary", href: "#/meters", "data-start-round": true }, t("meters.start")));
}

export const feature = defineFeature({
  name: "meters",
  collections: {
    meter: { summary: (data, { unitCode }) => [unitCode(data.unit_id), t(`meter_kind.${data.kind}`), data.place].filter(Boolean).join(" · ") },
    meter_reading: { listed: true, summary: (data) => [data.reading, data.read_at ? String(data.read_at).slice(0, 10) : ""].filter((v) => v !== "").join(" · ") },
  },
  indexes: { meter_reading: ["meter_id"] },
  screens: { meters: { render: round, roles: FIELD_WORK_ROLES } },
  today: [{ order: 15, render: roundToday, roles: FIELD_WORK_ROLES }],
  intents: { readingIntents },
});
