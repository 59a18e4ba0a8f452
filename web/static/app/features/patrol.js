// @ts-check
/**
 * Patrol (巡查): start a round, check in at each building patrolled, log findings (place,
 * kind, severity, description, photos, optionally a ticket), end the round; Today shows the
 * day's two patrol slots and each building's rounds today (two a day, per the V manual).
 */
import { choices, field, h, select, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { priorityOf } from "../lifecycle.js";
import { updateIntent } from "../outbox.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import { ROUNDS_PER_DAY, buildingRounds, patrolSlots } from "../schedule.js";
import * as store from "../store.js";
import { codes, subset } from "../vocab.js";
import { card, empty, floorOptions, keepDraft, myBuildings, newId, photoPicker, save, submitOnce, unitsOf, when } from "../screens/common.js";
import { ticketCreate } from "./tickets.js";

/** Finding kinds that raise a ticket unless the steward unticks it (and come first in the list). */
export const RAISES_TICKET = subset("finding kinds that raise a ticket", "finding_kind", ["safety_hazard", "public_damage", "tool_damage"]);

/** The kinds as the form lists them: those that raise a ticket first, each part in the server's order. */
export function findingKinds() {
  const all = codes("finding_kind");
  return [...all.filter((k) => RAISES_TICKET.has(k)), ...all.filter((k) => !RAISES_TICKET.has(k))];
}

/**
 * A patrol finding, with its photos and (optionally) the ticket it raises: the finding,
 * the ticket from it, the link back (`ticket_id`), then the photos.
 * @param {{ roundId: string | null, stewardId: string, buildingId: string, floor: string | null, area: string | null,
 *   unitId: string | null, kind: string, severity: string, description: string, place: string, raiseTicket: boolean,
 *   title: string, photos: import("../intents.js").Capture[] }} form
 * @param {() => string} newId @param {string} now
 */
export function findingIntents(form, newId, now) {
  const findingId = newId();
  const ticketId = form.raiseTicket ? newId() : null;
  const finding = {
    round_id: form.roundId, floor: form.floor, area: form.area, unit_id: form.unitId, kind: form.kind,
    severity: form.severity, description: form.description, occurred_at: now, ticket_id: null,
    steward_id: form.stewardId, building_id: form.buildingId,
  };
  /** @type {import("../outbox.js").Intent[]} */ const intents = [{ op: "create", collection: "finding", id: findingId, fields: finding }];
  if (ticketId) {
    intents.push(ticketCreate(ticketId, {
      kind: "patrol_finding", priority: priorityOf(form.severity), title: form.title, description: form.description,
      unit_id: form.unitId, place: form.place, channel: "patrol", source_finding_id: findingId, building_id: form.buildingId,
    }, form.stewardId, form.buildingId));
    intents.push({ op: "update", collection: "finding", id: findingId, base_version: 0, base: { ticket_id: null }, changes: { ticket_id: ticketId } });
  }
  intents.push(...attachmentIntents("finding", findingId, form.photos, "photo", newId, form.buildingId));
  return { findingId, ticketId, intents };
}

/**
 * A new patrol round: no building is patrolled yet (each one is checked in as it is walked).
 * @param {{ user_id: string }} me @param {() => string} newId @param {string} now
 * @returns {import("../outbox.js").Intent}
 */
export function roundStartIntent(me, newId, now) {
  return { op: "create", collection: "patrol_round", id: newId(), fields: {
    steward_id: me.user_id, started_at: now, status: "open", covered_building_ids: [], notes: "" } };
}

/**
 * Check in at a building during a round: the round's list of patrolled buildings grows by
 * one (the server merges it as a set union, so offline check-ins never conflict); null when
 * the building is already checked in.
 * @param {any} round @param {string} buildingId
 * @returns {import("../outbox.js").Intent | null}
 */
export function checkInIntent(round, buildingId) {
  const covered = round.covered_building_ids || [];
  if (!buildingId || covered.includes(buildingId)) return null;
  return updateIntent("patrol_round", round, { covered_building_ids: [...covered, buildingId] });
}

/** @param {any} ctx */
async function patrol(ctx) {
  const me = ctx.session.user;
  const rounds = await store.find("patrol_round", "steward_id", me.user_id);
  const round = rounds.find((r) => r.status === "open") || null;
  if (!round) {
    return h("div", { class: "screen" },
      card(t("patrol.start_title"), h("p", { class: "hint" }, t("patrol.start_hint")),
        h("button", { type: "button", class: "button primary", "data-start-round": true, onclick: async () => {
          await save([roundStartIntent(me, newId, new Date().toISOString())], [], ctx);
          await ctx.refresh();
        } }, t("patrol.start"))),
      recentRounds(rounds));
  }
  const findings = await store.find("finding", "round_id", round.id);
  return h("div", { class: "screen" },
    h("p", { class: "lead", "data-round": round.id }, t("patrol.open_since", { time: when(round.started_at), n: findings.length })),
    await checkIns(ctx, round),
    card(t("patrol.finding"), await findingForm(ctx, round)),
    findings.length ? card(t("patrol.findings"), h("ul", { class: "list" }, findings.map((f) => h("li", { class: "row" },
      h("span", null, t(`finding.${f.kind}`), " · ", f.description || ""), h("span", { class: "hint" }, when(f.occurred_at)))))) : null,
    endRound(ctx, round, findings.length));
}

/** The round's buildings: "3栋 已巡", or a check-in button. @param {any} ctx @param {any} round */
async function checkIns(ctx, round) {
  const buildings = await myBuildings();
  const covered = new Set(round.covered_building_ids || []);
  return card(t("patrol.checkin_title"),
    h("p", { class: "hint", "data-checked-count": covered.size }, t("patrol.checked_count", {
      n: buildings.filter((b) => covered.has(b.id)).length, total: buildings.length })),
    h("ul", { class: "list" }, buildings.map((b) => h("li", { class: "row", "data-checkin-building": b.code },
      h("span", null, `${b.code} ${b.name || ""}`.trim()),
      covered.has(b.id)
        ? h("span", { class: "chip chip-synced", "data-checked-in": b.id }, t("patrol.checked"))
        : h("button", { type: "button", class: "button secondary", "data-check-in": b.id, onclick: async (/** @type {Event} */ event) => {
          /** @type {HTMLButtonElement} */ (event.currentTarget).disabled = true;
          const intent = checkInIntent(round, b.id);
          if (intent) await save([intent], [], ctx);
          await ctx.refresh();
        } }, t("patrol.checkin"))))),
    h("p", { class: "hint" }, t("patrol.checkin_hint")));
}

/** Ending a round cannot be undone: a second step asks, says what it means, takes a note.
 * @param {any} ctx @param {any} round @param {number} found */
function endRound(ctx, round, found) {
  const note = h("textarea", { name: "notes", rows: 2, maxlength: 500, "data-end-notes": true, placeholder: t("patrol.end_notes") });
  const confirmStep = h("div", { class: "card confirm", hidden: true, "data-end-confirm": true, role: "alertdialog", "aria-labelledby": "end-round-q" },
    h("p", { id: "end-round-q" }, h("strong", null, t("patrol.end_question")), " ", t("patrol.end_meaning", { n: found })),
    h("label", null, t("patrol.end_notes"), note),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button danger", "data-end-round-confirm": true, onclick: async (/** @type {Event} */ event) => {
        /** @type {HTMLButtonElement} */ (event.currentTarget).disabled = true;
        const notes = /** @type {HTMLTextAreaElement} */ (note).value.trim();
        const ending = updateIntent("patrol_round", round, { status: "ended", ended_at: new Date().toISOString(),
          ...(notes ? { notes } : {}) });
        if (ending) await save([ending], [], ctx);
        ctx.go("today");
      } }, t("patrol.end_confirm")),
      h("button", { type: "button", class: "button secondary", "data-end-round-cancel": true, onclick: () => {
        confirmStep.hidden = true;
        ask.hidden = false;
      } }, t("cancel"))));
  const ask = h("button", { type: "button", class: "button danger", "data-end-round": true, onclick: () => {
    ask.hidden = true;
    confirmStep.hidden = false;
    /** @type {HTMLElement} */ (confirmStep.querySelector("[data-end-round-confirm]")).focus();
  } }, t("patrol.end"));
  return h("div", null, ask, confirmStep);
}

/** @param {any[]} rounds */
function recentRounds(rounds) {
  const recent = [...rounds].sort((a, b) => (a.started_at < b.started_at ? 1 : -1)).slice(0, 5);
  return card(t("patrol.recent"), recent.length ? h("ul", { class: "list" }, recent.map((r) => h("li", { class: "row" },
    h("span", null, when(r.started_at)), h("span", { class: "hint" }, r.ended_at ? when(r.ended_at) : t("round.open"))))) : empty(t("patrol.none")));
}

/** @param {any} ctx @param {any} round */
async function findingForm(ctx, round) {
  const me = ctx.session.user;
  const buildings = await myBuildings();
  const photos = photoPicker();
  const unitBox = h("div");
  const floorBox = h("div");
  const buildingSelect = select({ name: "building", required: true, "data-building": true, onchange: () => void fillFloors() },
    buildings.map((b) => [b.id, `${b.code} ${b.name}`]));
  const fillFloors = async () => {
    const building = buildings.find((b) => b.id === buildingSelect.value);
    floorBox.replaceChildren(field(t("place.floor_label"), select({ name: "floor", "data-floor": true, onchange: () => void fillUnits() }, floorOptions(building))));
    await fillUnits();
  };
  const fillUnits = async () => {
    const floorValue = value(form, "floor");
    const floor = floorValue && /^\d+$/.test(floorValue) ? Number(floorValue) : null;
    const units = floor === null ? [] : await unitsOf(buildingSelect.value, floor);
    unitBox.replaceChildren(units.length ? field(t("place.unit"), select({ name: "unit", "data-unit": true },
      [["", t("place.no_unit")], ...units.map((u) => /** @type {[string, string]} */ ([u.id, u.code]))])) : "");
  };
  const kinds = findingKinds();
  const raise = h("input", { type: "checkbox", name: "raise", checked: RAISES_TICKET.has(kinds[0] ?? null), "data-raise-ticket": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-finding-form": true, onsubmit: submitOnce(async () => {
    const building = buildings.find((b) => b.id === value(form, "building"));
    const unitId = value(form, "unit");
    const unit = unitId ? await store.get("unit", unitId) : null;
    const floor = value(form, "floor");
    const area = value(form, "area");
    const kind = value(form, "kind") || "other";
    const description = String(value(form, "description") || "").trim();
    const place = [building?.code, floor ? t("place.floor_short", { n: floor }) : null, unit?.code, area ? t(`area.${area}`) : null].filter(Boolean).join(" ");
    const { intents } = findingIntents({
      roundId: round.id, stewardId: me.user_id, buildingId: building?.id, floor, area, unitId, kind,
      severity: value(form, "severity") || "medium", description, place, raiseTicket: Boolean(value(form, "raise")),
      title: `${t(`finding.${kind}`)} · ${place}`, photos: photos.captures(),
    }, newId, new Date().toISOString());
    const checkIn = building ? checkInIntent(round, building.id) : null;  // a finding there: patrolled
    await save(checkIn ? [...intents, checkIn] : intents, photos.captures(), ctx);
    await draft.clear();
    await ctx.refresh();
  }) },
  field(t("place.building"), buildingSelect),
  floorBox,
  field(t("place.area"), select({ name: "area", "data-area": true }, [["", "—"], ...options("area", codes("patrol_area"))])),
  unitBox,
  field(t("finding.kind"), select({ name: "kind", required: true, "data-kind": true, onchange: () => {
    /** @type {HTMLInputElement} */ (raise).checked = RAISES_TICKET.has(value(form, "kind"));
  } }, options("finding", kinds))),
  field(t("finding.severity"), choices("severity", options("severity", codes("severity")), "medium")),
  field(t("finding.description"), h("textarea", { name: "description", rows: 3, required: true, maxlength: 2000, "data-description": true })),
  photos.node,
  h("label", { class: "check" }, raise, h("span", null, t("finding.raise_ticket"))),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  await fillFloors();
  const draft = await keepDraft(form, `finding:${round.id}`, () => void ctx.refresh());
  if (draft.note) {  // the building's floors, then the floor's units, before their values
    await fillFloors();
    draft.refill();
    await fillUnits();
    draft.refill();
    form.prepend(draft.note);
  }
  return form;
}

/** Today: the day's patrol slots and the round that filled each, and each building's
 * rounds today against the two a day. @param {any} ctx @param {Date} now */
async function todaysPatrols(ctx, now) {
  const me = ctx.session.user;
  const rounds = await store.find("patrol_round", "steward_id", me.user_id);
  const slots = patrolSlots(rounds, me.user_id, now);
  const perBuilding = buildingRounds(rounds, await myBuildings(), me.user_id, now);
  return card(t("today.patrol"),
    h("ul", { class: "list" }, slots.map(({ slot, round }) => h("li", { class: "row" },
      h("span", null, t(`slot.${slot}`)),
      h("span", { class: round ? "chip chip-synced" : "chip chip-todo" },
        round ? (round.status === "ended" ? t("round.done_at", { time: when(round.ended_at) }) : t("round.open")) : t("round.todo"))))),
    perBuilding.length ? h("h3", null, t("today.buildings")) : null,
    perBuilding.length ? h("ul", { class: "list", "data-building-rounds": true }, perBuilding.map(({ building, rounds: n, complete }) =>
      h("li", { class: "row", "data-building-round": building.code },
        h("span", null, building.code),
        h("span", { class: complete ? "chip chip-synced" : "chip chip-todo", "data-rounds": n },
          t("today.rounds_of", { n, per: ROUNDS_PER_DAY }))))) : null,
    h("a", { class: "button primary", href: "#/patrol" }, t("today.go_patrol")));
}

export const feature = defineFeature({
  name: "patrol",
  collections: {
    patrol_round: { listed: true, summary: (data) => when(data.started_at) },
    finding: { listed: true, summary: (data) => [t(`finding.${data.kind}`), data.description].filter(Boolean).join(" · ") },
  },
  indexes: { patrol_round: ["steward_id"], finding: ["round_id"] },
  screens: { patrol: { render: patrol, tab: 20, roles: FIELD_WORK_ROLES } },
  today: [{ order: 10, render: todaysPatrols, roles: FIELD_WORK_ROLES }],
  intents: { findingIntents, roundStartIntent, checkInIntent },
});
