// @ts-check
/**
 * The outbox's pure logic: making mutations with their seq, choosing what to push,
 * reading the server's answer, and the local view of a record (server copy + pending
 * changes). No DOM, no IndexedDB: `store.js` and `sync.js` call these.
 */

export const PROTOCOL = 2;
export const BATCH = 200;

/**
 * @typedef {{ op: "create", seq: number, collection: string, id: string, fields: Record<string, any>, local?: Record<string, any>, hlc: string, client_time: string }} CreateMutation
 * @typedef {{ op: "update", seq: number, collection: string, id: string, base_version: number, base: Record<string, any>, changes: Record<string, any>, hlc: string, client_time: string }} UpdateMutation
 * @typedef {{ op: "delete", seq: number, collection: string, id: string, base_version: number, hlc: string, client_time: string }} DeleteMutation
 * @typedef {CreateMutation | UpdateMutation | DeleteMutation} Mutation
 * @typedef {{ seq: number, status: "applied" | "conflict" | "rejected", version?: number | null, code?: string | null, message?: string | null, conflict_ids?: string[] }} MutationResult
 * @typedef {{ op: "create", collection: string, id: string, fields: Record<string, any>, local?: Record<string, any> }
 *   | { op: "update", collection: string, id: string, base_version: number, base: Record<string, any>, changes: Record<string, any> }
 *   | { op: "delete", collection: string, id: string, base_version: number }} Intent
 *
 * `local` holds what the server derives itself (a record's building, a ticket's first
 * responder): shown on the phone until the server's copy arrives, never sent.
 */

/**
 * Give intents their seqs (consecutive from `nextSeq`) and stamps.
 * @param {Intent[]} intents @param {number} nextSeq @param {() => string} stamp @param {string} clientTime
 * @returns {{ mutations: Mutation[], nextSeq: number }}
 */
export function assignSeqs(intents, nextSeq, stamp, clientTime) {
  let seq = nextSeq;
  const mutations = intents.map((intent) => /** @type {Mutation} */ (
    { ...intent, seq: seq++, hlc: stamp(), client_time: clientTime }));
  return { mutations, nextSeq: seq };
}

/**
 * The update intent for editing `record` (its server version and current local values)
 * into `edited`: only fields that really change, each with the value before the edit.
 * @param {string} collection @param {Record<string, any>} record @param {Record<string, any>} edited
 * @returns {Intent | null}
 */
export function updateIntent(collection, record, edited) {
  /** @type {Record<string, any>} */ const base = {};
  /** @type {Record<string, any>} */ const changes = {};
  for (const [field, value] of Object.entries(edited)) {
    const before = record[field] ?? null;
    if (!sameValue(before, value ?? null)) {
      base[field] = before;
      changes[field] = value ?? null;
    }
  }
  if (!Object.keys(changes).length) return null;
  return { op: "update", collection, id: record.id, base_version: record.version || 0, base, changes };
}

/** @param {any} a @param {any} b */
export function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The next batch to push: the lowest seqs, in order, at most `max`.
 * @param {Mutation[]} outbox @param {number} [max]
 */
export function nextBatch(outbox, max = BATCH) {
  return [...outbox].sort((a, b) => a.seq - b.seq).slice(0, max);
}

/**
 * What a failed push means for the app.
 * @param {number | null} status HTTP status, null for a network error
 * @param {{ code?: string, detail?: any } | null} body
 * @returns {{ kind: "retry" | "relogin" | "update" | "seq_gap" | "refused", code: string, expected?: number }}
 */
export function classifyFailure(status, body) {
  const code = body?.code || (status === null ? "network" : `http_${status}`);
  if (status === null || status >= 500 || status === 429 || status === 408) return { kind: "retry", code };
  if (status === 401) return { kind: "relogin", code };
  if (status === 426 || code === "update_required") return { kind: "update", code };
  if (status === 409 && code === "seq_gap") {
    return { kind: "seq_gap", code, expected: Number(body?.detail?.expected) };
  }
  return { kind: "refused", code };
}

/**
 * The server refused a seq gap and expects `expected`: number the outbox again from
 * there, keeping its order (only sensible when the server never got our first seq).
 * @param {Mutation[]} outbox @param {number} expected
 * @returns {{ mutations: Mutation[], nextSeq: number }}
 */
export function renumber(outbox, expected) {
  const ordered = nextBatch(outbox, Infinity);
  const mutations = ordered.map((m, i) => ({ ...m, seq: expected + i }));
  return { mutations, nextSeq: expected + mutations.length };
}

/**
 * Pair each result with the pushed mutation it answers; results for seqs we did not
 * send are ignored, mutations without a result stay in the outbox.
 * @param {Mutation[]} sent @param {MutationResult[]} results
 */
export function matchResults(sent, results) {
  const bySeq = new Map(results.map((r) => [r.seq, r]));
  return sent.filter((m) => bySeq.has(m.seq)).map((m) => ({ mutation: m, result: /** @type {MutationResult} */ (bySeq.get(m.seq)) }));
}

/**
 * The state of one of my records once a mutation of it was answered.
 * @param {MutationResult} result @param {number} stillPending mutations of it left in the outbox
 * @returns {{ state: "pending" | "synced" | "conflict" | "rejected", reason: string | null }}
 */
export function stateAfter(result, stillPending) {
  if (result.status === "rejected") return { state: "rejected", reason: result.message || result.code || "" };
  if (result.status === "conflict") return { state: "conflict", reason: null };
  return { state: stillPending ? "pending" : "synced", reason: null };
}

/**
 * The local view of a record: the server's copy with my pending mutations replayed on it.
 * @param {Record<string, any> | null} server @param {Mutation[]} pending (any order)
 * @returns {Record<string, any> | null} null when deleted
 */
export function overlay(server, pending) {
  let view = server ? { ...server } : null;
  for (const m of nextBatch(pending, Infinity)) {
    if (m.op === "create") view = { ...(view || {}), ...m.fields, ...(m.local || {}), id: m.id };
    else if (m.op === "update") view = { ...(view || { id: m.id }), ...m.changes };
    else view = null;
  }
  return view;
}

/** @param {Mutation} m the mutation as it travels (without the phone-only `local`) */
export function toWire(m) {
  const { op, seq, collection, id, hlc, client_time } = m;
  if (m.op === "create") return { op, seq, collection, id, fields: m.fields, hlc, client_time };
  if (m.op === "update") return { op, seq, collection, id, base_version: m.base_version, base: m.base, changes: m.changes, hlc, client_time };
  return { op, seq, collection, id, base_version: m.base_version, hlc, client_time };
}
