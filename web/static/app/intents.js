// @ts-check
/**
 * What each form saves, as outbox intents (pure: ids and time are passed in). A form's
 * intents are committed together, in an order the server accepts in one push (see
 * docs/conflicts.md): a record before the ticket raised from it (`source_*_id`), then the
 * link back (a finding's `ticket_id`), then the photos. Fields the server derives (a
 * record's building, a ticket's first responder) travel in `local` only.
 */
import { callbackMovesStatus, priorityOf } from "./lifecycle.js";
import { updateIntent } from "./outbox.js";

/** @typedef {import("./outbox.js").Intent} Intent */
/** @typedef {{ sha256: string, mime: string, bytes: ArrayBuffer }} Capture */

/**
 * @param {string} parentCollection @param {string} parentId @param {Capture[]} captures
 * @param {"photo" | "signature"} kind @param {() => string} newId @param {string | null} buildingId
 * @returns {Intent[]}
 */
export function attachmentIntents(parentCollection, parentId, captures, kind, newId, buildingId) {
  return captures.map((c) => ({ op: "create", collection: "attachment", id: newId(), fields: {
    sha256: c.sha256, parent_collection: parentCollection, parent_id: parentId, kind, mime: c.mime, size: c.bytes.byteLength,
  }, local: { building_id: buildingId } }));
}

/**
 * A ticket raised on the phone (status received; the server numbers it and sets its SLA).
 * @param {string} id @param {Record<string, any>} fields @param {string} stewardId @param {string | null} buildingId
 * @returns {Intent}
 */
function ticketCreate(id, fields, stewardId, buildingId) {
  return { op: "create", collection: "ticket", id, fields: { status: "received", priority: "normal", ...fields },
    local: { first_responder_id: stewardId, building_id: buildingId } };
}

/**
 * A patrol finding, with its photos and (optionally) the ticket it raises.
 * @param {{ roundId: string | null, stewardId: string, buildingId: string, floor: string | null, area: string | null,
 *   unitId: string | null, kind: string, severity: string, description: string, place: string, raiseTicket: boolean,
 *   title: string, photos: Capture[] }} form
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
  /** @type {Intent[]} */ const intents = [{ op: "create", collection: "finding", id: findingId, fields: finding }];
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
 * A weekly vacant-unit check; defects raise one ticket listing them.
 * @param {{ unit: any, stewardId: string, week: string, results: Record<string, string>, water: number | null,
 *   electric: number | null, notes: string, raiseTicket: boolean, title: string, defectsText: string, photos: Capture[] }} form
 * @param {() => string} newId @param {string} now
 */
export function vacantCheckIntents(form, newId, now) {
  const checkId = newId();
  const building = form.unit.building_id;
  const defects = Object.values(form.results).filter((result) => result === "defect");
  const ticketId = form.raiseTicket && defects.length ? newId() : null;
  /** @type {Intent[]} */ const intents = [{ op: "create", collection: "vacant_check", id: checkId, fields: {
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

/**
 * A doorstep visit or callback: the visit (new, or a planned one completed), changes to
 * the household archive (update with base values), the callback on a linked ticket
 * (a callback line, and done → called_back), a follow-up ticket, the owner's signature.
 * @param {{ planned: any | null, unit: any, household: any | null, ticket: any | null, stewardId: string, purpose: string,
 *   outcome: string, satisfaction: number | null, ownerWords: string, followUps: string, raiseFollowUp: boolean,
 *   followUpTitle: string, archive: Record<string, any>, occupancy?: string | null, signature: Capture | null }} form
 * @param {() => string} newId @param {string} now
 */
export function visitIntents(form, newId, now) {
  const building = form.unit.building_id;
  const visitId = form.planned ? form.planned.id : newId();
  /** @type {Intent[]} */ const intents = [];
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
  if (form.ticket && (form.purpose === "complaint_callback" || form.purpose === "repair_callback")) {
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
