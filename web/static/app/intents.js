// @ts-check
/**
 * The mechanics of what forms save, as outbox intents (pure: ids and time are passed in).
 * Each feature builds its own forms' intents (features/*.js: `findingIntents`,
 * `vacantCheckIntents`, `visitIntents`, `callbackIntents`…) and registers them. A form's
 * intents are committed together, in an order the server accepts in one push (see
 * docs/conflicts.md): a record before the ticket raised from it (`source_*_id`), then the
 * link back (a finding's `ticket_id`), then the photos. Fields the server derives (a
 * record's building, a ticket's first responder) travel in `local` only.
 */

/** @typedef {import("./outbox.js").Intent} Intent */
/** @typedef {{ sha256: string, mime: string, bytes: ArrayBuffer }} Capture */

/**
 * The photos (or the signature) of a record, one attachment each, after the record.
 * @param {string} parentCollection @param {string} parentId @param {Capture[]} captures
 * @param {"photo" | "signature"} kind @param {() => string} newId @param {string | null} buildingId
 * @returns {Intent[]}
 */
export function attachmentIntents(parentCollection, parentId, captures, kind, newId, buildingId) {
  return captures.map((c) => ({ op: "create", collection: "attachment", id: newId(), fields: {
    sha256: c.sha256, parent_collection: parentCollection, parent_id: parentId, kind, mime: c.mime, size: c.bytes.byteLength,
  }, local: { building_id: buildingId } }));
}
