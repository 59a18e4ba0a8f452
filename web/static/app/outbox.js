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
 * Number mutations again from `expected`, keeping their order (see `rewindPlan`: only
 * when the phone no longer holds every mutation the server lacks).
 * @param {Mutation[]} outbox @param {number} expected
 * @returns {{ mutations: Mutation[], nextSeq: number }}
 */
export function renumber(outbox, expected) {
  const ordered = nextBatch(outbox, Infinity);
  const mutations = ordered.map((m, i) => ({ ...m, seq: expected + i }));
  return { mutations, nextSeq: expected + mutations.length };
}

/**
 * How long answered mutations stay on the phone after the server acknowledged them, so
 * that a server restored from a backup can get them again (docs/operations.md §5): the
 * last `count`, and every one acknowledged within `days`, whichever keeps more.
 */
export const RETAIN = { days: 7, count: 5000 };
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The highest seq the server has acknowledged: just below the oldest pending mutation, or
 * the last seq handed out when nothing is pending (answers leave the outbox in seq order).
 * @param {number} nextSeq @param {number[]} pendingSeqs
 */
export function acknowledgedThrough(nextSeq, pendingSeqs) {
  return pendingSeqs.length ? Math.min(...pendingSeqs) - 1 : Math.max(0, nextSeq - 1);
}

/**
 * A push answer's `last_seq` below what the phone had acknowledged means the server lost
 * acknowledged mutations (it was restored from a backup): re-send from the seq it
 * expects. Null when the server is not behind.
 * @param {number | null | undefined} lastSeq @param {number} acknowledged
 * @returns {number | null}
 */
export function serverBehind(lastSeq, acknowledged) {
  return Number.isInteger(lastSeq) && /** @type {number} */ (lastSeq) >= 0 && /** @type {number} */ (lastSeq) < acknowledged
    ? /** @type {number} */ (lastSeq) + 1 : null;
}

/**
 * What to send again when the server expects `expected` below our seqs (a `seq_gap`
 * answer, or an answer's `last_seq` below what it had acknowledged). Both mean the server
 * lost mutations it had acknowledged; the phone then sends what it still holds from there:
 * - it still holds every mutation from `expected` on (retained + outbox): **rewind**, the
 *   same mutations with the same seqs go back into the outbox; they are new to the server
 *   and apply exactly once;
 * - some are gone from the phone (retention pruned them, or the app predates retention):
 *   those captures cannot come back; **renumber** what is held from `expected` so that the
 *   server accepts the rest (`missing` says how many seqs were lost for good).
 * @param {any[]} retained acknowledged mutations still held (`retainedEntry`), seq ≥ expected
 * @param {Mutation[]} outbox the unanswered mutations
 * @param {number} expected the seq the server expects next
 * @param {number} nextSeq the phone's next free seq
 * @returns {{ expected: number, resend: Mutation[], nextSeq: number, renumbered: boolean, missing: number }}
 */
export function rewindPlan(retained, outbox, expected, nextSeq) {
  const bySeq = new Map([...retained.map(unretained), ...outbox].filter((m) => m.seq >= expected).map((m) => [m.seq, m]));
  const held = nextBatch([...bySeq.values()], Infinity);
  const renumbered = !held.every((m, i) => m.seq === expected + i);
  const resend = renumbered ? renumber(held, expected).mutations : held;
  const after = expected + held.length; // nothing is held above the last one re-sent
  return { expected, resend, nextSeq: after, renumbered, missing: Math.max(0, nextSeq - after) };
}

/**
 * How many of the oldest retained mutations may go: they were acknowledged more than
 * `rule.days` ago and more than `rule.count` newer ones are kept.
 * @param {{ seq: number, acked_at?: string }[]} oldest the oldest retained entries, by seq
 * @param {number} total how many are retained in all
 * @param {number} now ms since the epoch
 * @param {{ days: number, count: number }} [rule]
 */
export function prunable(oldest, total, now, rule = RETAIN) {
  const before = now - rule.days * DAY_MS;
  let n = 0;
  for (const entry of oldest) {
    if (total - n <= rule.count) break;
    const acked = Date.parse(entry.acked_at || "");
    if (!(acked < before)) break; // younger (or undated): kept, and so is everything newer
    n += 1;
  }
  return n;
}

/**
 * The sha256 of the photo and signature bytes a mutation refers to (an attachment's
 * `sha256`, a visit's `signature_sha256`): kept on the phone as long as the mutation is.
 * @param {Mutation} m
 * @returns {string[]}
 */
export function blobRefs(m) {
  const values = m.op === "create" ? m.fields : m.op === "update" ? m.changes : {};
  return [...new Set(Object.entries(values || {})
    .filter(([key, value]) => (key === "sha256" || key.endsWith("_sha256")) && typeof value === "string" && /^[0-9a-f]{64}$/.test(value))
    .map(([, value]) => /** @type {string} */ (value)))];
}

/**
 * An answered mutation as it is retained: the mutation itself, when it was acknowledged,
 * how it was answered and the bytes it refers to.
 * @param {Mutation} m @param {MutationResult} result @param {string} now ISO time
 */
export function retainedEntry(m, result, now) {
  return { ...m, acked_at: now, answered: result.status, blob_refs: blobRefs(m) };
}

/**
 * A retained entry as a mutation again (to go back into the outbox).
 * @param {any} entry @returns {Mutation}
 */
export function unretained(entry) {
  const { acked_at: _acked, answered: _answered, blob_refs: _refs, ...m } = entry;
  return m;
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
