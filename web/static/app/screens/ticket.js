// @ts-check
/** One ticket: its state, a callback (through the visit form), priority, a note. */
import { field, h, select, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { updateIntent } from "../outbox.js";
import * as store from "../store.js";
import { card, empty, newId, save, stateChip, when } from "./common.js";

const PRIORITIES = ["urgent", "high", "normal", "low"];

/** @param {import("./common.js").Context} ctx */
export async function ticket(ctx) {
  const [id] = ctx.args;
  const entry = id ? await store.entry("ticket", id) : null;
  const record = entry ? store.viewOf(entry) : null;
  if (!record) return h("div", { class: "screen" }, empty(t("not_found")));
  const events = (await store.list("ticket_event")).filter((e) => e.ticket_id === id)
    .sort((a, b) => (a.version || Infinity) - (b.version || Infinity) || String(a.client_time).localeCompare(String(b.client_time)));
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-ticket-form": true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    const current = await store.get("ticket", id);
    /** @type {import("../outbox.js").Intent[]} */ const intents = [];
    const edit = updateIntent("ticket", current, { priority: value(form, "priority") });
    if (edit) intents.push(edit);
    const note = String(value(form, "note") || "").trim();
    if (note) intents.push({ op: "create", collection: "ticket_event", id: newId(), fields: {
      ticket_id: id, type: "note", body: note, author_id: ctx.session.user.user_id, client_time: new Date().toISOString() },
      local: { building_id: current.building_id } });
    if (intents.length) await save(intents, [], ctx);
    await ctx.refresh();
  } },
  field(t("ticket.priority"), select({ name: "priority", "data-priority": true }, options("priority", PRIORITIES), record.priority)),
  field(t("ticket.note"), h("textarea", { name: "note", rows: 2, "data-note": true })),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  return h("div", { class: "screen" },
    card(`${record.number || ""} ${record.title}`,
      h("p", { class: "row" }, h("span", { class: `chip chip-${record.status}`, "data-status": record.status }, t(`status.${record.status}`)), stateChip(entry.state)),
      h("p", null, record.place || ""), h("p", { class: "hint" }, record.description || ""),
      record.unit_id ? h("a", { class: "button secondary", href: `#/visit/ticket/${id}`, "data-callback": true }, t("ticket.callback")) : null),
    card(t("ticket.edit"), form),
    card(t("ticket.timeline"), events.length ? h("ul", { class: "list" }, events.map((e) => h("li", { class: "row" },
      h("span", null, t(`event.${e.type}`), e.to_status ? ` · ${e.from_status ? `${t(`status.${e.from_status}`)} → ` : ""}${t(`status.${e.to_status}`)}` : "",
        e.body ? ` · ${e.body}` : ""), h("span", { class: "hint" }, when(e.client_time || e.created_at))))) : empty("—")));
}
