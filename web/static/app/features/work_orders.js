// @ts-check
/**
 * The engineer's work orders (维修单, 日常报修处理规程 3-8) on the phone, offline: 我的工单 on
 * Today (dispatched to me, not finished), and the work-order screen: 接单 (dispatched → in
 * progress), 到场 (a timeline line), 完工 with photos and the owner's signature taken on the
 * spot (owner_signed plus the signature as an attachment), or 不能立即修复 with the reason
 * and the date of the further repair (promised_date: the desk sees it, the deadline moves),
 * the owner told. The same ticket the desk and the steward edit, through the same sync.
 */
import { field, h, value } from "../dom.js";
import { t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { signaturePad } from "../media.js";
import { updateIntent } from "../outbox.js";
import { defineFeature } from "../registry.js";
import * as store from "../store.js";
import { subset } from "../vocab.js";
import { card, empty, newId, photoPicker, save, stateChip, submitOnce, when } from "../screens/common.js";
import { repairLine } from "./tickets.js";

/** @typedef {import("../outbox.js").Intent} Intent */

/** Whose Today lists work orders. */
const ENGINEERS = subset("roles that repair", "role", ["engineer"]);
/** The statuses of an order still to work on. */
export const OPEN_WORK = subset("ticket statuses an engineer still works on", "ticket_status", ["dispatched", "in_progress"]);

/**
 * 我的工单: the tickets dispatched to me that are not finished, the longest waiting first.
 * @param {any[]} tickets @param {string} userId
 */
export function myWorkOrders(tickets, userId) {
  return tickets.filter((r) => !r.deleted && r.assignee_id === userId && OPEN_WORK.has(r.status))
    .sort((a, b) => String(a.resolve_due_at || "~").localeCompare(String(b.resolve_due_at || "~")));
}

/**
 * A line of the order's timeline. @param {any} ticket @param {string} type @param {string} body
 * @param {string} me @param {() => string} newId @param {string} now @returns {Intent}
 */
function line(ticket, type, body, me, newId, now) {
  return { op: "create", collection: "ticket_event", id: newId(), fields: {
    ticket_id: ticket.id, type, body, author_id: me, client_time: now }, local: { building_id: ticket.building_id } };
}

/** 接单: dispatched → in progress. @param {any} ticket @returns {Intent[]} */
export function acceptIntents(ticket) {
  const update = updateIntent("ticket", ticket, { status: "in_progress" });
  return update ? [update] : [];
}

/** 到场: a line on the timeline (the time is the phone's, for display). @returns {Intent[]}
 * @param {any} ticket @param {string} me @param {() => string} newId @param {string} now */
export function arrivedIntents(ticket, me, newId, now) {
  return [line(ticket, "arrived", "", me, newId, now)];
}

/**
 * 完工: the photos and the owner's signature on the order, a sign-off line, and the order
 * done with owner_signed (the server refuses a repair done without it).
 * @param {any} ticket @param {{ photos: any[], signature: any, note: string }} form
 * @param {string} me @param {() => string} newId @param {string} now @returns {Intent[]}
 */
export function completeIntents(ticket, { photos, signature, note }, me, newId, now) {
  /** @type {Intent[]} */ const intents = [
    ...attachmentIntents("ticket", ticket.id, photos, "photo", newId, ticket.building_id),
    ...attachmentIntents("ticket", ticket.id, [signature], "signature", newId, ticket.building_id),
    line(ticket, "sign_off", note, me, newId, now),
  ];
  const update = updateIntent("ticket", ticket, { status: "done", owner_signed: true });
  if (update) intents.push(update);
  return intents;
}

/**
 * 不能立即修复: the reason and the date of the further repair (确认进一步维修的时间), told to
 * the owner; the order stays in progress and its deadline moves to that day.
 * @param {any} ticket @param {{ reason: string, date: string }} form
 * @param {string} me @param {() => string} newId @param {string} now @returns {Intent[]}
 */
export function cannotFixIntents(ticket, { reason, date }, me, newId, now) {
  /** @type {Intent[]} */ const intents = [];
  const update = updateIntent("ticket", ticket, { promised_date: date,
    ...(ticket.status === "dispatched" ? { status: "in_progress" } : {}) });
  if (update) intents.push(update);
  intents.push(line(ticket, "promised_date", `${date} · ${reason} · ${t("work.owner_told_line")}`, me, newId, now));
  return intents;
}

/** Today: 我的工单. @param {any} ctx */
async function myOrders(ctx) {
  const orders = myWorkOrders(await store.list("ticket"), ctx.session.user.user_id);
  return card(t("work.mine", { n: orders.length }),
    orders.length ? h("ul", { class: "list", "data-work-orders": true }, orders.map((r) => h("li", null,
      h("a", { class: "row link", href: `#/work/${r.id}`, "data-work-order": r.id },
        h("span", null, r.number ? `${r.number} ` : "", r.title, r.promised_date ? ` · ${t("work.next_date", { date: r.promised_date })}` : ""),
        h("span", { class: `chip chip-${r.status}` }, t(`status.${r.status}`)))))) : empty(t("work.none")));
}

/** One work order. @param {any} ctx */
async function workScreen(ctx) {
  const [id] = ctx.args;
  const entry = id ? await store.entry("ticket", id) : null;
  const record = entry ? store.viewOf(entry) : null;
  if (!record) return h("div", { class: "screen" }, empty(t("not_found")));
  const me = ctx.session.user.user_id;
  const unit = record.unit_id ? await store.get("unit", record.unit_id) : null;
  const events = (await store.find("ticket_event", "ticket_id", id))
    .sort((a, b) => (a.version || Infinity) - (b.version || Infinity) || String(a.client_time).localeCompare(String(b.client_time)));
  const now = () => new Date().toISOString();
  const act = (/** @type {(ticket: any) => Intent[]} */ make) => submitOnce(async () => {
    const intents = make(await store.get("ticket", id));
    if (intents.length) await save(intents, [], ctx);
    await ctx.refresh();
  });
  const working = OPEN_WORK.has(record.status);
  const accept = record.status === "dispatched" ? h("form", { onsubmit: act((r) => acceptIntents(r)) },
    h("button", { type: "submit", class: "button primary", "data-accept": true }, t("work.accept"))) : null;
  const arrived = working ? h("form", { onsubmit: act((r) => arrivedIntents(r, me, newId, now())) },
    h("button", { type: "submit", class: "button secondary", "data-arrived": true }, t("work.arrived"))) : null;

  const picker = photoPicker();
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "signature", "data-signature": true, "aria-label": t("work.signature") }));
  const pad = signaturePad(canvas);
  const complaint = h("p", { class: "error", role: "alert", "data-complete-error": true });
  canvas.addEventListener("pointerdown", () => { complaint.textContent = ""; }); // the owner signs: the reminder goes
  const complete = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-complete-form": true, onsubmit: submitOnce(async () => {
    if (pad.isEmpty()) { complaint.textContent = t("work.signature_needed"); return; }
    const signature = await pad.export();
    const photos = picker.captures();
    const intents = completeIntents(await store.get("ticket", id), {
      photos, signature, note: String(value(complete, "note") || "").trim() }, me, newId, now());
    await save(intents, [...photos, signature], ctx);
    ctx.go("today");
  }) },
  field(t("work.photos"), picker.node),
  field(t("work.note"), h("textarea", { name: "note", rows: 2, "data-done-note": true })),
  h("div", { class: "field" }, h("span", { class: "field-label" }, t("work.signature")), canvas,
    h("button", { type: "button", class: "button secondary", onclick: () => pad.clear() }, t("visit.signature_clear"))),
  complaint,
  h("button", { type: "submit", class: "button primary", "data-complete": true }, t("work.complete"))));

  const later = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-cannot-fix-form": true, onsubmit: act((r) => cannotFixIntents(r, {
    reason: String(value(later, "reason") || "").trim(), date: String(value(later, "date") || "") }, me, newId, now())) },
  field(t("work.reason"), h("textarea", { name: "reason", rows: 2, required: true, maxlength: 500, "data-reason": true })),
  field(t("work.next_repair"), h("input", { type: "date", name: "date", required: true, min: new Date().toISOString().slice(0, 10), "data-next-date": true })),
  h("label", { class: "check" }, h("input", { type: "checkbox", name: "told", required: true, "data-owner-told": true }), h("span", null, t("work.owner_told"))),
  h("button", { type: "submit", class: "button secondary", "data-cannot-fix": true }, t("work.cannot_fix"))));

  return h("div", { class: "screen" },
    card(`${record.number || ""} ${record.title}`,
      h("p", { class: "row" }, h("span", { class: `chip chip-${record.status}`, "data-status": record.status }, t(`status.${record.status}`)), stateChip(entry.state)),
      h("p", null, [unit?.code, record.place].filter(Boolean).join(" · ")),
      repairLine(record) ? h("p", { "data-repair": true }, repairLine(record)) : null,
      h("p", { class: "hint" }, record.description || ""),
      record.reporter_name || record.reporter_phone ? h("p", null, t("work.reporter"), "：", record.reporter_name || "",
        record.reporter_phone ? h("a", { href: `tel:${record.reporter_phone}`, class: "link" }, ` ${record.reporter_phone}`) : null) : null,
      record.promised_date ? h("p", { class: "banner", "data-promised": record.promised_date }, t("work.next_date", { date: record.promised_date })) : null,
      accept, arrived),
    working ? card(t("work.complete_title"), complete) : null,
    working ? card(t("work.cannot_fix_title"), later) : null,
    card(t("ticket.timeline"), events.length ? h("ul", { class: "list" }, events.map((e) => h("li", { class: "row" },
      h("span", null, t(`event.${e.type}`), e.to_status ? ` · ${t(`status.${e.to_status}`)}` : "", e.body ? ` · ${e.body}` : ""),
      h("span", { class: "hint" }, when(e.client_time || e.created_at))))) : empty("—")));
}

export const feature = defineFeature({
  name: "work_orders",
  screens: { work: { render: workScreen } },
  today: [{ order: 5, render: myOrders, roles: ENGINEERS }],
  intents: { acceptIntents, arrivedIntents, completeIntents, cannotFixIntents },
});
