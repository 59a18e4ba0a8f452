// @ts-check
/**
 * The handover inspection (验房, must-know-handbook 应会 2.4) on the phone, offline: the unit
 * walked room by room (the rooms of its type, a checklist in each), each defect a warranty
 * ticket (工程质量维修单, kind "warranty") with its photos, made on the spot so that one tap
 * is one ticket however often the phone retries; the keys counted; the owner signs the
 * 房屋交接书 on the pad; signing sets the household's move-in date. Where the unit's key is
 * (the desk's key register) shows on the screen. Today lists the move-ins waiting for it.
 */
import { choices, field, h, value } from "../dom.js";
import { options, t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { signaturePad } from "../media.js";
import { updateIntent } from "../outbox.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import * as store from "../store.js";
import { codes } from "../vocab.js";
import { card, empty, newId, photoPicker, save, submitOnce, when } from "../screens/common.js";
import { currentHousehold } from "./archive.js";
import { ticketCreate } from "./tickets.js";

/** The system (维修系统) of each checklist item, so that a warranty ticket goes to the team
 * that repairs it (the server's dispatch); fixtures are left for the desk to dispatch. */
export const SYSTEM_OF_ITEM = /** @type {Record<string, string>} */ ({
  walls_ceiling: "civil", floor: "civil", doors_windows: "doors_windows", water_drain: "water", power_lighting: "power",
  fixtures: "other",
});

/** The phone's own calendar day, YYYY-MM-DD. @param {Date} d */
export function localDay(d) {
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** The rooms walked in a unit of this type. @param {string} unitType */
export function roomsOf(unitType) {
  return codes(`rooms_${unitType}`);
}

/**
 * The handover record, new (a create) or as it is, and the intents that make it.
 * @param {any} moveIn @param {any | null} handover @param {string} stewardId @param {string | null} building
 * @param {() => string} newId
 */
export function handoverStart(moveIn, handover, stewardId, building, newId) {
  if (handover) return { handover, intents: [] };
  const created = { id: newId(), move_in_id: moveIn.id, unit_id: moveIn.unit_id, steward_id: stewardId, rooms: {},
    status: "open", owner_signed: false, notes: "" };
  const { id, ...fields } = created;
  return { handover: created, intents: [{ op: "create", collection: "handover", id, fields, local: { building_id: building } }] };
}

/**
 * A room checked: its results kept on the handover; each defect noted becomes a warranty
 * ticket raised from the handover, with its photos.
 * @param {{ moveIn: any, handover: any | null, unit: any, stewardId: string, room: string, roomLabel: string,
 *   results: Record<string, string>, defect: { item: string, itemLabel: string, text: string, photos: any[] } | null }} form
 * @param {() => string} newId
 */
export function roomIntents(form, newId) {
  const building = form.unit.building_id;
  const start = handoverStart(form.moveIn, form.handover, form.stewardId, building, newId);
  const intents = [...start.intents];
  const rooms = { ...(start.handover.rooms || {}), [form.room]: form.results };
  if (start.intents.length) /** @type {any} */ (intents[0]).fields.rooms = rooms;
  else {
    const update = updateIntent("handover", start.handover, { rooms });
    if (update) intents.push(update);
  }
  let ticketId = null;
  if (form.defect) {
    ticketId = newId();
    const title = t("handover.ticket_title", { unit: form.unit.code, room: form.roomLabel, item: form.defect.itemLabel });
    intents.push(ticketCreate(ticketId, {
      kind: "warranty", title, description: form.defect.text, unit_id: form.unit.id,
      place: `${form.unit.code} ${form.roomLabel}`, system: SYSTEM_OF_ITEM[form.defect.item] || "other", part: form.defect.itemLabel, damage: form.defect.text.slice(0, 100),
      channel: "handover", source_handover_id: start.handover.id,
    }, form.stewardId, building));
    intents.push(...attachmentIntents("ticket", ticketId, form.defect.photos, "photo", newId, building));
  }
  return { handoverId: start.handover.id, ticketId, intents };
}

/**
 * The owner signs the 房屋交接书: the handover signed with the keys counted, the signature,
 * and the household's move-in date (the phone's day).
 * @param {{ handover: any, household: any | null, unit: any, keysCounted: number, signature: any, now: Date }} form
 * @param {() => string} newId
 */
export function signIntents(form, newId) {
  const building = form.unit.building_id;
  /** @type {import("../outbox.js").Intent[]} */ const intents = [];
  const signed = updateIntent("handover", form.handover, {
    status: "signed", owner_signed: true, signed_at: form.now.toISOString(), keys_counted: form.keysCounted });
  if (signed) intents.push(signed);
  intents.push(...attachmentIntents("handover", form.handover.id, [form.signature], "signature", newId, building));
  if (form.household) {
    const date = updateIntent("household", form.household, { move_in_date: localDay(form.now) });
    if (date) intents.push(date);
  }
  return intents;
}

/** Move-ins waiting for their 验房: fee paid, not handed over, handover not signed. */
async function waiting() {
  const [moveIns, handovers] = await Promise.all([store.list("move_in"), store.list("handover")]);
  const signed = new Set(handovers.filter((x) => x.status === "signed").map((x) => x.move_in_id));
  return moveIns.filter((m) => m.step === "fee_paid" && !signed.has(m.id));
}

/** Where the unit's keys are (the desk's register), or null when it keeps none. @param {string} unitId */
export async function keyLine(unitId) {
  const keys = await store.find("estate_key", "unit_id", unitId);
  if (!keys.length) return null;
  return h("p", { class: "banner", "data-unit-keys": true }, keys.map((k) => k.holder
    ? t("handover.key_out", { label: k.label, holder: k.holder, since: when(k.out_since) })
    : t("handover.key_in", { label: k.label, place: k.place || t("handover.key_desk") })).join("；"));
}

/** @param {any} ctx */
async function handoverScreen(ctx) {
  const [moveInId, room] = ctx.args;
  if (!moveInId) {
    const list = await waiting();
    const units = new Map((await store.list("unit")).map((u) => [u.id, u]));
    return h("div", { class: "screen" }, card(t("handover.waiting", { n: list.length }), list.length
      ? h("ul", { class: "list" }, list.map((m) => h("li", null, h("a", { class: "row link", href: `#/handover/${m.id}`, "data-handover-move-in": m.id },
        h("span", null, units.get(m.unit_id)?.code || ""), h("span", null, m.owner_name)))))
      : empty(t("handover.none"))));
  }
  const moveIn = await store.get("move_in", moveInId);
  const unit = moveIn && await store.get("unit", moveIn.unit_id);
  if (!moveIn || !unit) return h("div", { class: "screen" }, empty(t("not_found")));
  const [handover] = (await store.find("handover", "move_in_id", moveInId)).filter((x) => x.status === "signed")
    .concat(await store.find("handover", "move_in_id", moveInId));
  return room ? roomForm(ctx, moveIn, unit, handover || null, room) : overview(ctx, moveIn, unit, handover || null);
}

/** @param {any} ctx @param {any} moveIn @param {any} unit @param {any | null} handover */
async function overview(ctx, moveIn, unit, handover) {
  const rooms = roomsOf(unit.unit_type);
  const done = handover?.rooms || {};
  const tickets = handover ? (await store.list("ticket")).filter((x) => x.source_handover_id === handover.id) : [];
  const signedAlready = handover?.status === "signed";
  const roomList = card(t("handover.rooms", { done: rooms.filter((r) => done[r]).length, n: rooms.length }),
    h("ul", { class: "list" }, rooms.map((r) => {
      const defects = Object.values(done[r] || {}).filter((v) => v === "defect").length;
      return h("li", null, h("a", { class: "row link", href: `#/handover/${moveIn.id}/${r}`, "data-room": r },
        h("span", null, t(`room.${r}`)),
        h("span", { class: `chip chip-${done[r] ? (defects ? "overdue" : "checked") : "due"}` },
          done[r] ? (defects ? t("handover.room_defects", { n: defects }) : t("handover.room_ok")) : t("handover.room_todo"))));
    })));
  const defectList = card(t("handover.defects", { n: tickets.length }), tickets.length
    ? h("ul", { class: "list", "data-handover-defects": true }, tickets.map((x) => h("li", null, x.title)))
    : empty(t("handover.no_defects")));
  if (signedAlready) {
    return h("div", { class: "screen" }, h("p", { class: "lead" }, unit.code, " · ", moveIn.owner_name),
      h("p", { class: "banner", "data-handover-signed": true }, t("handover.signed", { when: when(handover.signed_at), n: handover.keys_counted ?? 0 })),
      roomList, defectList);
  }
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "signature", "data-signature": true, "aria-label": t("handover.signature") }));
  const pad = signaturePad(canvas);
  const problem = h("div", { "data-handover-problem": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-handover-sign": true, onsubmit: submitOnce(async () => {
    const keys = Number(value(form, "keys_counted"));
    const missingRooms = rooms.filter((r) => !done[r]);
    const why = !handover || missingRooms.length ? t("handover.rooms_missing", { rooms: missingRooms.map((r) => t(`room.${r}`)).join("、") })
      : pad.isEmpty() ? t("handover.signature_missing") : null;
    if (why) {
      problem.replaceChildren(h("p", { class: "banner warn", role: "alert" }, why));
      return;
    }
    const household = currentHousehold(await store.find("household", "unit_id", unit.id));
    const signature = await pad.export();
    await save(signIntents({ handover, household, unit, keysCounted: keys, signature, now: new Date() }, newId), [signature], ctx);
    ctx.go(`handover/${moveIn.id}`);
  }) },
  field(t("handover.keys_counted"), h("input", { name: "keys_counted", type: "number", min: "0", max: "99", required: true, inputmode: "numeric", "data-keys-counted": true })),
  field(t("handover.signature"), canvas, t("handover.signature_hint")),
  problem,
  h("button", { type: "submit", class: "button primary", "data-sign-handover": true }, t("handover.sign"))));
  return h("div", { class: "screen" }, h("p", { class: "lead" }, unit.code, " · ", moveIn.owner_name),
    await keyLine(unit.id), roomList, defectList, card(t("handover.sign_title"), form));
}

/** @param {any} ctx @param {any} moveIn @param {any} unit @param {any | null} handover @param {string} room */
async function roomForm(ctx, moveIn, unit, handover, room) {
  const me = ctx.session.user;
  const items = codes("handover_item");
  const before = handover?.rooms?.[room] || {};
  const photos = photoPicker();
  const roomLabel = t(`room.${room}`);
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-room-form": room, onsubmit: submitOnce(async (event) => {
    /** @type {Record<string, string>} */ const results = {};
    for (const item of items) results[item] = value(form, `check_${item}`) || "ok";
    const submitter = /** @type {SubmitEvent} */ (event).submitter;
    const text = String(value(form, "defect_text") || "").trim();
    const item = value(form, "defect_item") || items[0];
    const adding = submitter?.hasAttribute("data-add-defect");
    if (adding && !text) {
      form.querySelector("[data-defect-text]")?.setAttribute("aria-invalid", "true");
      ctx.flash(t("handover.defect_text_missing"), "warn");
      return;
    }
    if (adding) results[item] = "defect";
    const { intents } = roomIntents({ moveIn, handover, unit, stewardId: me.user_id, room, roomLabel, results,
      defect: adding ? { item, itemLabel: t(`handover_item.${item}`), text, photos: photos.captures() } : null }, newId);
    await save(intents, adding ? photos.captures() : [], ctx);
    ctx.go(adding ? `handover/${moveIn.id}/${room}` : `handover/${moveIn.id}`);
  }) },
  h("p", { class: "lead" }, unit.code, " · ", roomLabel),
  ...items.map((item) => field(t(`handover_item.${item}`), choices(`check_${item}`, options("result", codes("check_result")), before[item] || "ok"))),
  h("fieldset", { class: "stack" }, h("legend", null, t("handover.defect")),
    field(t("handover.defect_item"), h("select", { name: "defect_item", "data-defect-item": true },
      items.map((item) => h("option", { value: item }, t(`handover_item.${item}`))))),
    field(t("handover.defect_text"), h("textarea", { name: "defect_text", rows: 2, "data-defect-text": true })),
    photos.node,
    h("button", { type: "submit", class: "button secondary", "data-add-defect": true }, t("handover.add_defect"))),
  h("button", { type: "submit", class: "button primary", "data-save-room": true }, t("handover.save_room"))));
  return h("div", { class: "screen" }, card(t("handover.room_title", { room: roomLabel }), form));
}

/** Today: move-ins waiting for their 验房. @param {any} _ctx */
async function handoversDue(_ctx) {
  const list = await waiting();
  if (!list.length) return null;
  const units = new Map((await store.list("unit")).map((u) => [u.id, u]));
  return card(t("today.handover", { n: list.length }), h("ul", { class: "list" }, list.slice(0, 8).map((m) => h("li", null,
    h("a", { class: "row link", href: `#/handover/${m.id}`, "data-handover-move-in": m.id },
      h("span", null, units.get(m.unit_id)?.code || ""), h("span", null, m.owner_name))))));
}

export const feature = defineFeature({
  name: "move_in",
  collections: {
    move_in: { summary: (data, { unitCode }) => [unitCode(data.unit_id), data.owner_name].filter(Boolean).join(" · ") },
    handover: { listed: true, summary: (data, { unitCode }) => [unitCode(data.unit_id), t(`handover_status.${data.status}`)].join(" · ") },
    estate_key: { summary: (data) => [data.label, data.holder].filter(Boolean).join(" · ") },
    key_loan: { summary: (data) => [data.borrower, data.reason].filter(Boolean).join(" · ") },
  },
  indexes: { move_in: ["unit_id"], handover: ["move_in_id"], estate_key: ["unit_id"] },
  screens: { handover: { render: handoverScreen, roles: FIELD_WORK_ROLES } },
  today: [{ order: 25, render: handoversDue, roles: FIELD_WORK_ROLES }],
  intents: { roomIntents, signIntents },
});
