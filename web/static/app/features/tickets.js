// @ts-check
/**
 * Tickets (工单) on the phone: the tickets of my buildings and their timelines, a ticket's
 * screen (priority, a note, a callback through the visit form), my open tickets on Today,
 * and the ticket a finding, a vacant check or a visit raises (`ticketCreate`).
 */
import { field, h, select, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { callbackMovesStatus } from "../lifecycle.js";
import { updateIntent } from "../outbox.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import { myOpenTickets } from "../schedule.js";
import * as store from "../store.js";
import { codes } from "../vocab.js";
import { card, empty, newId, save, stateChip, submitOnce, when } from "../screens/common.js";

/** @typedef {import("../outbox.js").Intent} Intent */

/**
 * A ticket raised on the phone (status received; the server numbers it and sets its SLA).
 * @param {string} id @param {Record<string, any>} fields @param {string} stewardId @param {string | null} buildingId
 * @returns {Intent}
 */
export function ticketCreate(id, fields, stewardId, buildingId) {
  return { op: "create", collection: "ticket", id, fields: { status: "received", priority: "normal", ...fields },
    local: { first_responder_id: stewardId, building_id: buildingId } };
}

/**
 * The callback recorded on a ticket: a callback line on its timeline, and done → called_back.
 * @param {any} ticket @param {string} stewardId @param {string} body @param {number | null} satisfaction
 * @param {() => string} newId @param {string} now @returns {Intent[]}
 */
export function callbackIntents(ticket, stewardId, body, satisfaction, newId, now) {
  /** @type {Intent[]} */ const intents = [{ op: "create", collection: "ticket_event", id: newId(), fields: {
    ticket_id: ticket.id, type: "callback", body, author_id: stewardId, client_time: now,
  }, local: { building_id: ticket.building_id } }];
  if (callbackMovesStatus(ticket.status)) {
    const update = updateIntent("ticket", ticket, { status: "called_back", satisfaction });
    if (update) intents.push(update);
  }
  return intents;
}

/**
 * A ticket's priority change and a note, as the ticket screen saves them.
 * @param {any} ticket @param {string | null} priority @param {string} note @param {string} authorId
 * @param {() => string} newId @param {string} now @returns {Intent[]}
 */
export function ticketEditIntents(ticket, priority, note, authorId, newId, now) {
  /** @type {Intent[]} */ const intents = [];
  const edit = updateIntent("ticket", ticket, { priority });
  if (edit) intents.push(edit);
  if (note) intents.push({ op: "create", collection: "ticket_event", id: newId(), fields: {
    ticket_id: ticket.id, type: "note", body: note, author_id: authorId, client_time: now },
    local: { building_id: ticket.building_id } });
  return intents;
}

/**
 * 日常报修处理规程 2: a repair's system, part and damage on one line ("" when none is known).
 * @param {any} record @returns {string}
 */
export function repairLine(record) {
  return [record.system ? t(`system.${record.system}`) : "", record.part, record.damage].filter(Boolean).join(" · ");
}

/**
 * 有偿特约服务 (应知 18): a repair's paid service as the office recorded it, on one line
 * ("" for an ordinary repair). The phone reads it; only the office writes it.
 * @param {any} record @returns {string}
 */
export function paidLine(record) {
  if (!record.paid_item) return "";
  const amount = t("paid.yuan", { amount: yuan(Number(record.paid_amount_fen || 0)) });
  const payment = record.paid_at ? t("paid.paid_by", { method: t(`payment.${record.paid_method}`) }) : t("paid.unpaid");
  return [`${record.paid_item_name} ×${record.paid_quantity}`, amount, payment].join(" · ");
}

/** Money in fen (分) as yuan with two decimals, like the desk (`sync.pricing.yuan`). @param {number} fen */
export function yuan(fen) {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

/**
 * What a timeline line says: its body, or for a complaint's validity (无效投诉认定) the
 * category's name (an empty body: marked valid again), or why it was escalated.
 * @param {any} event @returns {string}
 */
export function eventBody(event) {
  if (event.type === "escalated" && ["overdue", "desk", "response_overdue"].includes(event.body)) return t(`escalated_by.${event.body}`);
  if (event.type !== "validity") return event.body || "";
  return event.body ? t("validity.invalid_as", { category: t(`invalid_complaint.${event.body}`) }) : t("validity.valid");
}

/** One ticket: its state, a callback (through the visit form), priority, a note. @param {any} ctx */
async function ticketScreen(ctx) {
  const [id] = ctx.args;
  const entry = id ? await store.entry("ticket", id) : null;
  const record = entry ? store.viewOf(entry) : null;
  if (!record) return h("div", { class: "screen" }, empty(t("not_found")));
  const events = (await store.find("ticket_event", "ticket_id", id))
    .sort((a, b) => (a.version || Infinity) - (b.version || Infinity) || String(a.client_time).localeCompare(String(b.client_time)));
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-ticket-form": true, onsubmit: submitOnce(async () => {
    const current = await store.get("ticket", id);
    const intents = ticketEditIntents(current, value(form, "priority"), String(value(form, "note") || "").trim(),
      ctx.session.user.user_id, newId, new Date().toISOString());
    if (intents.length) await save(intents, [], ctx);
    await ctx.refresh();
  }) },
  field(t("ticket.priority"), select({ name: "priority", "data-priority": true }, options("priority", codes("ticket_priority")), record.priority)),
  field(t("ticket.note"), h("textarea", { name: "note", rows: 2, "data-note": true })),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  return h("div", { class: "screen" },
    card(`${record.number || ""} ${record.title}`,
      h("p", { class: "row" }, h("span", { class: `chip chip-${record.status}`, "data-status": record.status }, t(`status.${record.status}`)), stateChip(entry.state)),
      h("p", null, record.place || ""), repairLine(record) ? h("p", { "data-repair": true }, repairLine(record)) : null,
      paidLine(record) ? h("p", { "data-paid": true }, `${t("field.paid_service")} · ${paidLine(record)}`) : null,
      h("p", { class: "hint" }, record.description || ""),
      record.unit_id ? h("a", { class: "button secondary", href: `#/visit/ticket/${id}`, "data-callback": true }, t("ticket.callback")) : null),
    card(t("ticket.edit"), form),
    card(t("ticket.timeline"), events.length ? h("ul", { class: "list" }, events.map((e) => h("li", { class: "row" },
      h("span", null, t(`event.${e.type}`), e.to_status ? ` · ${e.from_status ? `${t(`status.${e.from_status}`)} → ` : ""}${t(`status.${e.to_status}`)}` : "",
        eventBody(e) ? ` · ${eventBody(e)}` : ""), h("span", { class: "hint" }, when(e.client_time || e.created_at))))) : empty("—")));
}

/** Today: my open tickets (mine, or done and waiting for a callback), most urgent first. @param {any} ctx */
async function openTickets(ctx) {
  const open = myOpenTickets(await store.list("ticket"), ctx.session.user.user_id, codes("ticket_priority"));
  return card(t("today.tickets", { n: open.length }),
    open.length ? h("ul", { class: "list" }, open.slice(0, 12).map((ticket) => h("li", null,
      h("a", { class: "row link", href: `#/ticket/${ticket.id}`, "data-ticket": ticket.id },
        h("span", null, ticket.number ? `${ticket.number} ` : "", ticket.title),
        h("span", { class: `chip chip-${ticket.status}` }, t(`status.${ticket.status}`)))))) : empty(t("today.tickets_none")));
}

export const feature = defineFeature({
  name: "tickets",
  collections: {
    ticket: { listed: true, summary: (data) => [data.number, data.title].filter(Boolean).join(" ") },
    ticket_event: { summary: (data) => [t(`event.${data.type}`), eventBody(data)].filter(Boolean).join(" · ") },
  },
  indexes: { ticket_event: ["ticket_id"] },
  screens: { ticket: { render: ticketScreen } },
  today: [{ order: 40, render: openTickets, roles: FIELD_WORK_ROLES }],
  intents: { ticketCreate, callbackIntents, ticketEditIntents },
});
