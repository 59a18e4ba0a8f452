// @ts-check
/**
 * Doorstep visits and callbacks (家访、回访): purpose, outcome, satisfaction, the owner's
 * words, follow-ups (a ticket), changes to the household archive, the owner's signature;
 * Today lists my planned visits.
 */
import { choices, field, h, select, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { updateIntent } from "../outbox.js";
import { signaturePad } from "../media.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import { plannedVisits } from "../schedule.js";
import * as store from "../store.js";
import { codes, subset } from "../vocab.js";
import { card, empty, keepDraft, myBuildings, newId, save, submitOnce, unitsOf, when } from "../screens/common.js";
import { currentHousehold } from "./archive.js";
import { callbackIntents, ticketCreate } from "./tickets.js";

/** Purposes that record a callback on the linked ticket. */
export const CALLBACKS = subset("visit purposes that are callbacks", "visit_purpose", ["complaint_callback", "repair_callback"]);

/**
 * A doorstep visit or callback: the visit (new, or a planned one completed), changes to
 * the household archive (update with base values), the callback on a linked ticket
 * (a callback line, and done → called_back), a follow-up ticket, the owner's signature.
 * @param {{ planned: any | null, unit: any, household: any | null, ticket: any | null, stewardId: string, purpose: string,
 *   outcome: string, satisfaction: number | null, ownerWords: string, followUps: string, raiseFollowUp: boolean,
 *   followUpTitle: string, archive: Record<string, any>, occupancy?: string | null,
 *   signature: import("../intents.js").Capture | null }} form
 * @param {() => string} newId @param {string} now
 */
export function visitIntents(form, newId, now) {
  const building = form.unit.building_id;
  const visitId = form.planned ? form.planned.id : newId();
  /** @type {import("../outbox.js").Intent[]} */ const intents = [];
  const fields = {
    unit_id: form.unit.id, household_id: form.household?.id ?? null, purpose: form.purpose, status: "done",
    visited_at: now, steward_id: form.stewardId, outcome: form.outcome, satisfaction: form.satisfaction,
    owner_words: form.ownerWords, follow_ups: form.followUps, ticket_id: form.ticket?.id ?? null,
    signature_sha256: form.signature?.sha256 ?? null,
  };
  if (form.planned) {
    const { unit_id: _unit, steward_id: _steward, ...changed } = fields;
    const update = updateIntent("visit", form.planned, changed);
    if (update) intents.push(update);
  } else {
    intents.push({ op: "create", collection: "visit", id: visitId, fields, local: { building_id: building } });
  }
  if (form.household) {
    const archive = updateIntent("household", form.household, form.archive);
    if (archive) intents.push(archive);
  }
  if (form.occupancy) {
    const occupancy = updateIntent("unit", form.unit, { occupancy: form.occupancy });
    if (occupancy) intents.push(occupancy);
  }
  if (form.ticket && CALLBACKS.has(form.purpose)) {
    intents.push(...callbackIntents(form.ticket, form.stewardId, form.outcome, form.satisfaction, newId, now));
  }
  const followUpId = form.raiseFollowUp && form.followUps ? newId() : null;
  if (followUpId) {
    intents.push(ticketCreate(followUpId, {
      kind: form.purpose === "complaint_callback" ? "complaint" : "repair", title: form.followUpTitle,
      description: form.followUps, unit_id: form.unit.id, place: form.unit.code, channel: "visit", source_visit_id: visitId,
    }, form.stewardId, building));
  }
  if (form.signature) intents.push(...attachmentIntents("visit", visitId, [form.signature], "signature", newId, building));
  return { visitId, followUpId, intents };
}

/** What a steward must know of a household (应知 6) and may write from the doorstep: [field, input type, max]. */
export const KNOWLEDGE = /** @type {const} */ ([
  ["spouse_name", "text", 50], ["owner_age", "number", 150], ["education", "text", 30], ["hometown", "text", 50],
  ["employer", "text", 100], ["work_address", "text", 200], ["family_size", "number", 50], ["opinions", "text", 4000],
]);

/** The knowledge fields as the form holds them (a number or null, a text or null). @param {(name: string) => string} text */
export function knowledgeOf(text) {
  /** @type {Record<string, string | number | null>} */ const fields = {};
  for (const [name, type] of KNOWLEDGE) {
    const raw = text(name);
    fields[name] = raw === "" ? null : type === "number" ? Number(raw) : raw;
  }
  return fields;
}

/** @param {any} household */
function knowledgeFields(household) {
  return KNOWLEDGE.map(([name, type, max]) => field(t(`field.${name}`), h("input", {
    name, type, value: household[name] ?? "", [`data-${name.replace(/_/g, "-")}`]: true,
    ...(type === "number" ? { min: 0, max, inputmode: "numeric" } : { maxlength: max }) })));
}

/** @param {any} ctx */
async function visit(ctx) {
  const [mode, id] = ctx.args;
  if (mode === "unit" && id) return visitForm(ctx, { unitId: id, planned: null, ticket: null });
  if (mode === "planned" && id) {
    const planned = await store.get("visit", id);
    return planned ? visitForm(ctx, { unitId: planned.unit_id, planned, ticket: planned.ticket_id ? await store.get("ticket", planned.ticket_id) : null }) : missing();
  }
  if (mode === "ticket" && id) {
    const ticket = await store.get("ticket", id);
    return ticket?.unit_id ? visitForm(ctx, { unitId: ticket.unit_id, planned: null, ticket }) : missing();
  }
  return chooseUnit(ctx);
}

function missing() {
  return h("div", { class: "screen" }, empty(t("not_found")));
}

/** @param {any} ctx */
async function chooseUnit(ctx) {
  const buildings = await myBuildings();
  const unitBox = h("div");
  const fill = async () => {
    const units = (await unitsOf(buildingSelect.value)).filter((u) => u.occupancy !== "vacant");
    unitBox.replaceChildren(field(t("place.unit"), select({ name: "unit", "data-unit": true }, units.map((u) => [u.id, u.code]))));
  };
  const buildingSelect = select({ name: "building", "data-building": true, onchange: () => void fill() }, buildings.map((b) => [b.id, `${b.code} ${b.name}`]));
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-visit-start": true, onsubmit: (/** @type {Event} */ event) => {
    event.preventDefault();
    const unitId = value(form, "unit");
    if (unitId) ctx.go(`visit/unit/${unitId}`);
  } }, field(t("place.building"), buildingSelect), unitBox, h("button", { type: "submit", class: "button primary" }, t("visit.start"))));
  await fill();
  return h("div", { class: "screen" }, card(t("visit.choose"), form));
}

/**
 * @param {any} ctx
 * @param {{ unitId: string, planned: any | null, ticket: any | null }} target
 */
async function visitForm(ctx, { unitId, planned, ticket }) {
  const me = ctx.session.user;
  const unit = await store.get("unit", unitId);
  if (!unit) return missing();
  const household = currentHousehold(await store.find("household", "unit_id", unitId));
  const purpose = planned?.purpose || (ticket ? (ticket.kind === "complaint" ? "complaint_callback" : "repair_callback") : "routine");
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "signature", "data-signature": true, "aria-label": t("visit.signature") }));
  const pad = signaturePad(canvas);
  const raise = h("input", { type: "checkbox", name: "raise", checked: true, "data-raise-ticket": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-visit-form": true, onsubmit: submitOnce(async () => {
    const text = (/** @type {string} */ name) => String(value(form, name) || "").trim();
    const satisfaction = value(form, "satisfaction");
    const signature = pad.isEmpty() ? null : await pad.export();
    const archive = household ? {
      family_structure: text("family_structure") || null, residence: value(form, "residence") || "unknown",
      special_needs: text("special_needs") || null, emergency_contact_name: text("emergency_contact_name") || null,
      emergency_contact_phone: text("emergency_contact_phone") || null,
      ...knowledgeOf(text),
    } : {};
    const { intents } = visitIntents({
      planned, unit, household, ticket, stewardId: me.user_id, purpose: value(form, "purpose") || "routine",
      outcome: text("outcome"), satisfaction: satisfaction ? Number(satisfaction) : null, ownerWords: text("owner_words"),
      followUps: text("follow_ups"), raiseFollowUp: Boolean(value(form, "raise")),
      followUpTitle: t("visit.follow_up_title", { unit: unit.code }), archive, occupancy: value(form, "occupancy"),
      signature,
    }, newId, new Date().toISOString());
    await save(intents, signature ? [signature] : [], ctx);
    await draft.clear();
    ctx.go("today");
  }) },
  h("p", { class: "lead" }, unit.code, household ? ` · ${household.owner_name}` : ""),
  ticket ? h("p", { class: "banner", "data-callback-ticket": ticket.id }, t("visit.callback_for", { title: ticket.title, status: t(`status.${ticket.status}`) })) : null,
  field(t("visit.purpose"), choices("purpose", options("purpose", codes("visit_purpose")), purpose, "two")),
  field(t("visit.outcome"), h("textarea", { name: "outcome", rows: 2, "data-outcome": true })),
  field(t("visit.satisfaction"), choices("satisfaction", [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]), null), t("visit.satisfaction_hint")),
  field(t("visit.owner_words"), h("textarea", { name: "owner_words", rows: 3, "data-owner-words": true })),
  field(t("visit.follow_ups"), h("textarea", { name: "follow_ups", rows: 2, "data-follow-ups": true })),
  h("label", { class: "check" }, raise, h("span", null, t("visit.raise_ticket"))),
  household ? h("fieldset", { class: "stack archive" }, h("legend", null, t("visit.archive")),
    field(t("field.family_structure"), h("input", { name: "family_structure", value: household.family_structure || "", "data-family": true })),
    field(t("field.residence"), select({ name: "residence" }, options("residence", codes("residence")), household.residence || "unknown")),
    field(t("field.occupancy"), select({ name: "occupancy", "data-occupancy": true }, options("occupancy", codes("occupancy")), unit.occupancy)),
    field(t("field.special_needs"), h("input", { name: "special_needs", value: household.special_needs || "" })),
    field(t("field.emergency_contact_name"), h("input", { name: "emergency_contact_name", value: household.emergency_contact_name || "" })),
    field(t("field.emergency_contact_phone"), h("input", { name: "emergency_contact_phone", type: "tel", value: household.emergency_contact_phone || "" })),
    ...knowledgeFields(household)) : null,
  h("div", { class: "field" }, h("span", { class: "field-label" }, t("visit.signature")), canvas,
    h("button", { type: "button", class: "button secondary", onclick: () => pad.clear() }, t("visit.signature_clear"))),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  const draft = await keepDraft(form, `visit:${unitId}:${planned?.id || ticket?.id || "new"}`, () => void ctx.refresh());
  return h("div", { class: "screen" }, card(t(planned ? "visit.planned" : "visit.title"), draft.note, form));
}

/** Today: the visits planned for me, soonest first. @param {any} ctx */
async function plannedForMe(ctx) {
  const me = ctx.session.user;
  const planned = plannedVisits(await store.find("visit", "steward_id", me.user_id), me.user_id);
  const units = await Promise.all(planned.map((v) => (v.unit_id ? store.get("unit", v.unit_id) : null)));
  return card(t("today.visits", { n: planned.length }),
    planned.length ? h("ul", { class: "list" }, planned.map((v, i) => h("li", null,
      h("a", { class: "row link", href: `#/visit/planned/${v.id}` },
        h("span", { "data-planned-visit": v.id }, units[i]?.code || "—", " · ",
          v.plan_reason ? t("visit.plan_reason", { reason: t(`plan_reason.${v.plan_reason}`) }) : t(`purpose.${v.purpose}`)),
        h("span", { class: "hint" }, when(v.appointment_at)))))) : empty(t("today.visits_none")));
}

export const feature = defineFeature({
  name: "visits",
  collections: {
    visit: { listed: true, summary: (data, { unitCode }) => [unitCode(data.unit_id), t(`purpose.${data.purpose}`)].filter(Boolean).join(" · ") },
  },
  indexes: { visit: ["steward_id"] },
  screens: { visit: { render: visit, tab: 40, roles: FIELD_WORK_ROLES } },
  today: [{ order: 30, render: plannedForMe, roles: FIELD_WORK_ROLES }],
  intents: { visitIntents },
});
