// @ts-check
/**
 * The phone's IndexedDB (through the pinned `idb` wrapper): the cache of my scope, my
 * records, the outbox and the photo/signature bytes waiting to upload.
 *
 * - `records`: one entry per record, key [collection, id]:
 *   `{ collection, id, data, server, state, reason, conflict_ids, mine, touched_at }` where
 *   `server` is the last copy the server sent and `data` the local view (server + pending).
 * - `outbox`: the mutations not yet answered, key `seq` (index `record`).
 * - `blobs`: bytes addressed by sha256, `uploaded` once the server has them all.
 * - `meta`: session, device id, next seq, clock, cursor, last sync.
 *
 * `commit` writes records, their outbox mutations and their bytes in ONE transaction:
 * once it resolves, the capture is on the phone ("已保存").
 */
import { openDB } from "/vendor/idb/build/index.js";
import { tick, newClock } from "./hlc.js";
import { assignSeqs, overlay } from "./outbox.js";

const DB_NAME = "stewardsync";
/** @type {Promise<import("/vendor/idb/build/index.js").IDBPDatabase> | null} */
let opened = null;

export function db() {
  opened ||= openDB(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore("meta");
      const records = database.createObjectStore("records", { keyPath: ["collection", "id"] });
      records.createIndex("collection", "collection");
      const outbox = database.createObjectStore("outbox", { keyPath: "seq" });
      outbox.createIndex("record", ["collection", "id"]);
      database.createObjectStore("blobs", { keyPath: "sha256" });
    },
  });
  return opened;
}

/**
 * The local view of an entry: its own `data` while changes are pending (null: deleted
 * here), else the server's copy (kept once, not twice, to keep big pulls fast).
 * @param {any} entry
 */
export function viewOf(entry) {
  return entry.data !== undefined ? entry.data : entry.server;
}

/** @param {string} key */
export async function getMeta(key) {
  return (await db()).get("meta", key);
}

/** @param {string} key @param {any} value */
export async function setMeta(key, value) {
  await (await db()).put("meta", value, key);
}

/** Every entry of a collection. @param {string} collection */
export async function entries(collection) {
  return (await db()).getAllFromIndex("records", "collection", collection);
}

/** The live records (local view) of a collection. @param {string} collection */
export async function list(collection) {
  return (await entries(collection)).map(viewOf).filter((d) => d && !d.deleted);
}

/** @param {string} collection @param {string} id */
export async function entry(collection, id) {
  return (await db()).get("records", [collection, id]);
}

/** @param {string} collection @param {string} id */
export async function get(collection, id) {
  const found = await entry(collection, id);
  return found ? viewOf(found) ?? null : null;
}

/** Every entry of every collection (for My records and the badge). */
export async function allEntries() {
  return (await db()).getAll("records");
}

export async function outbox() {
  return (await db()).getAll("outbox");
}

export async function outboxCount() {
  return (await db()).count("outbox");
}

/**
 * Save intents (creates/updates/deletes of records) and the bytes of their photos in one
 * transaction, with consecutive seqs. Resolves once durable.
 * @param {import("./outbox.js").Intent[]} intents
 * @param {{ sha256: string, bytes: ArrayBuffer, mime: string }[]} [blobs]
 */
export async function commit(intents, blobs = []) {
  // strict: on disk before the steward is told "saved"
  const tx = (await db()).transaction(["meta", "records", "outbox", "blobs"], "readwrite", { durability: "strict" });
  const meta = tx.objectStore("meta");
  const deviceId = await meta.get("device_id");
  let clock = (await meta.get("clock")) || newClock(deviceId || "phone");
  const stamp = () => {
    const next = tick(clock, Date.now());
    clock = next.clock;
    return next.stamp;
  };
  const now = new Date().toISOString();
  const { mutations, nextSeq } = assignSeqs(intents, (await meta.get("next_seq")) || 1, stamp, now);
  for (const mutation of mutations) {
    await tx.objectStore("outbox").put(mutation);
    const key = [mutation.collection, mutation.id];
    const found = await tx.objectStore("records").get(key);
    const pending = await tx.objectStore("outbox").index("record").getAll(key);
    await tx.objectStore("records").put({
      collection: mutation.collection, id: mutation.id, server: found?.server ?? null,
      data: overlay(found?.server ?? null, pending), state: "pending", reason: null,
      conflict_ids: found?.conflict_ids || [], mine: true, touched_at: now,
    });
  }
  for (const blob of blobs) {
    if (!(await tx.objectStore("blobs").get(blob.sha256))) {
      await tx.objectStore("blobs").put({ ...blob, size: blob.bytes.byteLength, uploaded: false });
    }
  }
  await meta.put(nextSeq, "next_seq");
  await meta.put(clock, "clock");
  await tx.done;
  return mutations;
}

/**
 * Record the server's answers: answered mutations leave the outbox, their records take
 * the new version and state (pending / synced / conflict / rejected with the reason).
 * @param {{ mutation: import("./outbox.js").Mutation, result: import("./outbox.js").MutationResult }[]} answered
 * @param {(result: any, stillPending: number) => { state: string, reason: string | null }} stateAfter
 */
export async function settle(answered, stateAfter) {
  const tx = (await db()).transaction(["records", "outbox"], "readwrite");
  for (const { mutation, result } of answered) {
    await tx.objectStore("outbox").delete(mutation.seq);
    const key = [mutation.collection, mutation.id];
    const found = await tx.objectStore("records").get(key);
    if (!found) continue;
    const left = await tx.objectStore("outbox").index("record").getAll(key);
    const { state, reason } = stateAfter(result, left.length);
    const keepProblem = found.state === "conflict" || found.state === "rejected";
    // A refused or lost change leaves the local view: the server's copy (and what is still
    // pending) is shown again; a refused create stays visible, marked rejected, never lost.
    const view = result.status !== "applied" && found.server ? overlay(found.server, left) : viewOf(found);
    const data = view && result.version != null ? { ...view, version: result.version } : view;
    await tx.objectStore("records").put({
      ...found, data,
      state: keepProblem && state === "synced" ? found.state : state,
      reason: reason ?? (keepProblem ? found.reason : null),
      conflict_ids: [...(found.conflict_ids || []), ...(result.conflict_ids || [])],
      acknowledged: result.status === "applied" ? found.acknowledged : false,
    });
  }
  await tx.done;
}

/**
 * Put one pulled page into the cache, with its cursor, in one transaction. Pending local
 * changes are replayed on top of the server's copy; tombstones remove records that have
 * nothing pending.
 * @param {Record<string, any[]>} byCollection @param {Record<string, any>} meta e.g. { cursor }
 * @param {Set<string> | null} [known] during a full pull: the keys cached before it began
 *   (`cachedKeys`); rows not among them are new, so they are written without a read.
 */
export async function absorb(byCollection, meta = {}, known = null) {
  // the cache can always be pulled again: relaxed durability (captures use strict)
  const tx = (await db()).transaction(["records", "outbox", "meta"], "readwrite", { durability: "relaxed" });
  const records = tx.objectStore("records");
  /** @type {Map<string, any[]>} */ const pendingOf = new Map();
  for (const m of await tx.objectStore("outbox").getAll()) {
    const key = `${m.collection}\u0000${m.id}`;
    pendingOf.set(key, [...(pendingOf.get(key) || []), m]);
  }
  const rows = Object.entries(byCollection).flatMap(([collection, list]) => list.map((row) => ({ collection, row })));
  // requests are issued together (not one round trip each): one page is one transaction
  const existing = await Promise.all(rows.map(({ collection, row }) =>
    known && !known.has(`${collection}\u0000${row.id}`) ? undefined : records.get([collection, row.id])));
  await Promise.all(rows.map(({ collection, row }, i) => {
    const found = existing[i];
    const pending = pendingOf.get(`${collection}\u0000${row.id}`) || [];
    if (row.deleted && !pending.length) return found ? records.delete([collection, row.id]) : null;
    const server = row.deleted ? null : row;
    return records.put({
      collection, id: row.id, server, ...(pending.length ? { data: overlay(server, pending) } : {}),
      state: pending.length ? "pending" : found && found.state !== "pending" ? found.state : "synced",
      reason: found?.reason ?? null, conflict_ids: found?.conflict_ids || [], acknowledged: found?.acknowledged || false,
      mine: found?.mine || false, touched_at: found?.touched_at || row.updated_at || null,
    });
  }));
  await Promise.all(Object.entries(meta).map(([key, value]) => tx.objectStore("meta").put(value, key)));
  await tx.done;
}

/**
 * Drop cached records with nothing pending: those of `buildingIds` (left my scope), or
 * all of them (a reset).
 * @param {string[] | null} buildingIds null = everything
 */
export async function evict(buildingIds) {
  const tx = (await db()).transaction(["records", "outbox"], "readwrite");
  const pendingIndex = tx.objectStore("outbox").index("record");
  let cursor = await tx.objectStore("records").openCursor();
  while (cursor) {
    const e = cursor.value;
    const inScope = buildingIds === null || buildingIds.includes(viewOf(e)?.building_id ?? e.server?.building_id);
    const keep = e.mine && e.state !== "synced";
    if (inScope && !keep && !(await pendingIndex.count([e.collection, e.id]))) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

/** Photos and signatures whose bytes the server does not have yet. */
export async function unsentBlobs() {
  return (await (await db()).getAll("blobs")).filter((b) => !b.uploaded && !b.refused);
}

/** The server refused these bytes for good: keep them, note why, stop retrying. @param {string} sha256 @param {string} code */
export async function markUploadRefused(sha256, code) {
  const database = await db();
  const found = await database.get("blobs", sha256);
  if (found) await database.put("blobs", { ...found, refused: code });
}

/** @param {string} sha256 */
export async function blob(sha256) {
  return (await db()).get("blobs", sha256);
}

/** @param {string} sha256 */
export async function markUploaded(sha256) {
  const database = await db();
  const found = await database.get("blobs", sha256);
  if (found) await database.put("blobs", { ...found, uploaded: true });
}

/** Forget the session but never the outbox, my records or the bytes. */
export async function forgetSession() {
  await setMeta("session", null);
}

/**
 * Replace the outbox with the same mutations numbered again (after a seq_gap answer).
 * @param {{ mutations: import("./outbox.js").Mutation[], nextSeq: number }} renumbered
 */
export async function renumberOutbox({ mutations, nextSeq }) {
  const tx = (await db()).transaction(["meta", "outbox"], "readwrite");
  await tx.objectStore("outbox").clear();
  for (const mutation of mutations) await tx.objectStore("outbox").put(mutation);
  await tx.objectStore("meta").put(nextSeq, "next_seq");
  await tx.done;
}

/** The steward has read a conflict or rejection: keep the record and its reason, stop the banner. @param {string} collection @param {string} id */
export async function acknowledge(collection, id) {
  const database = await db();
  const found = await database.get("records", [collection, id]);
  if (found) await database.put("records", { ...found, acknowledged: true });
}

/**
 * Another steward takes over this phone (nothing of the previous one left to send): drop
 * the previous steward's cache and start a new device (its own seqs) for the next login.
 * @param {string} deviceId the new device id
 */
export async function handOver(deviceId) {
  const tx = (await db()).transaction(["meta", "records", "outbox", "blobs"], "readwrite", { durability: "strict" });
  if ((await tx.objectStore("outbox").count()) || (await tx.objectStore("blobs").getAll()).some((b) => !b.uploaded && !b.refused)) {
    tx.done.catch(() => undefined);
    tx.abort();
    throw new Error("unsent records");
  }
  await Promise.all([tx.objectStore("records").clear(), tx.objectStore("blobs").clear()]);
  for (const key of ["cursor", "next_seq", "clock", "last_pull_at", "last_sync_at", "session"]) await tx.objectStore("meta").delete(key);
  await tx.objectStore("meta").put(deviceId, "device_id");
  await tx.done;
}

/** Every cached record's key, as `collection\0id` (before a full pull). */
export async function cachedKeys() {
  const keys = /** @type {[string, string][]} */ (/** @type {unknown} */ (await (await db()).getAllKeys("records")));
  return new Set(keys.map(([collection, id]) => `${collection}\u0000${id}`));
}
