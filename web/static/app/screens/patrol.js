// @ts-check
/** Patrol: start a round, log findings (place, kind, severity, description, photos,
 * optionally a ticket), end the round. */
import { choices, field, h, select, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { findingIntents } from "../intents.js";
import { updateIntent } from "../outbox.js";
import * as store from "../store.js";
import { card, empty, floorOptions, myBuildings, newId, photoPicker, save, unitsOf, when } from "./common.js";

export const FINDING_KINDS = ["safety_hazard", "public_damage", "tool_damage", "staff_off_post", "parking", "release_slip", "other"];
export const TICKET_KINDS = new Set(["safety_hazard", "public_damage", "tool_damage"]);
export const AREAS = ["building", "fire", "lift", "lighting", "doors", "cleaning", "greening", "order", "garage"];
export const SEVERITIES = ["low", "medium", "high", "critical"];

/** @param {import("./common.js").Context} ctx */
export async function patrol(ctx) {
  const me = ctx.session.user;
  const rounds = (await store.list("patrol_round")).filter((r) => r.steward_id === me.user_id);
  const round = rounds.find((r) => r.status === "open") || null;
  if (!round) {
    return h("div", { class: "screen" },
      card(t("patrol.start_title"), h("p", { class: "hint" }, t("patrol.start_hint")),
        h("button", { type: "button", class: "button primary", "data-start-round": true, onclick: async () => {
          await save([{ op: "create", collection: "patrol_round", id: newId(), fields: {
            steward_id: me.user_id, started_at: new Date().toISOString(), status: "open",
            covered_building_ids: me.building_ids || [], notes: "" } }], [], ctx);
          await ctx.refresh();
        } }, t("patrol.start"))),
      recentRounds(rounds));
  }
  const findings = (await store.list("finding")).filter((f) => f.round_id === round.id);
  return h("div", { class: "screen" },
    h("p", { class: "lead", "data-round": round.id }, t("patrol.open_since", { time: when(round.started_at), n: findings.length })),
    card(t("patrol.finding"), await findingForm(ctx, round)),
    findings.length ? card(t("patrol.findings"), h("ul", { class: "list" }, findings.map((f) => h("li", { class: "row" },
      h("span", null, t(`finding.${f.kind}`), " · ", f.description || ""), h("span", { class: "hint" }, when(f.occurred_at)))))) : null,
    h("button", { type: "button", class: "button danger", "data-end-round": true, onclick: async () => {
      const ending = updateIntent("patrol_round", round, { status: "ended", ended_at: new Date().toISOString() });
      if (ending) await save([ending], [], ctx);
      ctx.go("today");
    } }, t("patrol.end")));
}

/** @param {any[]} rounds */
function recentRounds(rounds) {
  const recent = [...rounds].sort((a, b) => (a.started_at < b.started_at ? 1 : -1)).slice(0, 5);
  return card(t("patrol.recent"), recent.length ? h("ul", { class: "list" }, recent.map((r) => h("li", { class: "row" },
    h("span", null, when(r.started_at)), h("span", { class: "hint" }, r.ended_at ? when(r.ended_at) : t("round.open"))))) : empty(t("patrol.none")));
}

/** @param {import("./common.js").Context} ctx @param {any} round */
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
  const raise = h("input", { type: "checkbox", name: "raise", checked: true, "data-raise-ticket": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-finding-form": true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
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
    await save(intents, photos.captures(), ctx);
    await ctx.refresh();
  } },
  field(t("place.building"), buildingSelect),
  floorBox,
  field(t("place.area"), select({ name: "area", "data-area": true }, [["", "—"], ...options("area", AREAS)])),
  unitBox,
  field(t("finding.kind"), select({ name: "kind", required: true, "data-kind": true, onchange: () => {
    /** @type {HTMLInputElement} */ (raise).checked = TICKET_KINDS.has(String(value(form, "kind")));
  } }, options("finding", FINDING_KINDS))),
  field(t("finding.severity"), choices("severity", options("severity", SEVERITIES), "medium")),
  field(t("finding.description"), h("textarea", { name: "description", rows: 3, "data-description": true })),
  photos.node,
  h("label", { class: "check" }, raise, h("span", null, t("finding.raise_ticket"))),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  await fillFloors();
  return form;
}
