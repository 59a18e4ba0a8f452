// @ts-check
/**
 * The phone's IndexedDB (through the pinned `idb` wrapper): the cache of my scope, my
 * records, the outbox and the photo/signature bytes waiting to upload.
 *
 * - `records`: one entry per record, key [collection, id] (a collection's records are a
 *   range of that key, `ofCollection`: no index on `collection`, one write less per record):
 *   `{ collection, id, data, server, state, reason, reason_code, conflict_ids, acknowledged, mine, touched_at, ix }`
 *   (the fields at their default left out: `stored`; `mine` is 1, index `mine`) where
 *   `server` is the last copy the server sent and `data` the local view (server + pending);
 *   `ix` holds the keys [collection, field, value] of the fields of the local view that the
 *   features read records by (their `indexes` in registry.js), all in ONE multi-entry
 *   index `by` (`find`): a put costs IndexedDB one index to evaluate, not one per declared
 *   field, and a record without a declared field costs no index entry. The index is filled
 *   again on every schema upgrade; the fields it was filled for are kept in `meta`.
 * - `outbox`: the mutations not yet answered, key `seq` (index `record`).
 * - `sent`: answered mutations, retained after the server acknowledged them (`RETAIN`:
 *   7 days or the last 5,000, whichever is more) so that a server restored from a backup
 *   can get them again (docs/operations.md §5); key `seq`, multi-entry index `blob` on the
 *   sha256 of the bytes each refers to. Never pending: the badge counts the outbox only.
 * - `blobs`: bytes addressed by sha256; `uploaded` once the server has them all, `refused`
 *   (the server's code, with `reason`) when it refuses them for good; `unsent: 1` while
 *   they still have to go (index `unsent`), index `refused`. Kept while a pending or
 *   retained mutation refers to them.
 * - `meta`: session, device id, next seq, clock, cursor, last sync.
 *
 * `commit` writes records, their outbox mutations and their bytes in ONE transaction:
 * once it resolves, the capture is on the phone ("已保存").
 */
import { openDB, unwrap } from "/vendor/idb/build/index.js";
import { tick, newClock } from "./hlc.js";
import { acknowledgedThrough, assignSeqs, blobRefs, overlay, prunable, RETAIN, retainedEntry, rewindPlan } from "./outbox.js";
import { allIndexedFields, indexedFields, isSealed } from "./registry.js";

const DB_NAME = "stewardsync";
/** Raise it whenever a feature declares a new index (the upgrade fills it). */
const DB_VERSION = 6;
/** The multi-entry index of every entry's `ix` keys [collection, field, value]. */
const BY = "by";
/** The meta key of the fields the index `by` was filled for (`reindex`). */
const INDEXED = "indexed_fields";
/** @type {Promise<import("/vendor/idb/build/index.js").IDBPDatabase> | null} */
let opened = null;

export function db() {
  if (!isSealed()) throw new Error("the store was opened before every feature registered (import features/index.js first)");
  opened ||= openDB(DB_NAME, DB_VERSION, {
    // Upgrades only add: a phone updated mid-shift keeps its outbox, records and bytes.
    async upgrade(database, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        database.createObjectStore("meta");
        const records = database.createObjectStore("records", { keyPath: ["collection", "id"] });
        const outbox = database.createObjectStore("outbox", { keyPath: "seq" });
        outbox.createIndex("record", ["collection", "id"]);
        database.createObjectStore("blobs", { keyPath: "sha256" });
      }
      if (oldVersion < 2) {
        const sent = database.createObjectStore("sent", { keyPath: "seq" });
        sent.createIndex("blob", "blob_refs", { multiEntry: true });
        const blobs = tx.objectStore("blobs");
        blobs.createIndex("unsent", "unsent");
        blobs.createIndex("refused", "refused");
        let cursor = await blobs.openCursor();
        while (cursor) {
          if (!cursor.value.uploaded && !cursor.value.refused) await cursor.update({ ...cursor.value, unsent: 1 });
          cursor = await cursor.continue();
        }
      }
      // version 4: a collection's records are read by a range of the key [collection, id];
      // the index on `collection` (one more write per record of a fill) goes
      if (tx.objectStore("records").indexNames.contains("collection")) tx.objectStore("records").deleteIndex("collection");
      // version 5: my entries (`mine: 1`) are an index of their own, so that My records and
      // the badge read them alone, not the whole cache (`stored` writes `mine` as 1)
      if (!tx.objectStore("records").indexNames.contains("mine")) tx.objectStore("records").createIndex("mine", "mine");
      // version 6: one multi-entry index `by` where there was one index per field (`by.<field>`)
      await reindex(tx.objectStore("records"), tx.objectStore("meta"));
    },
  }).then(async (database) => {
    const filled = (await database.get("meta", INDEXED)) || [];
    const missing = allIndexedFields().filter((field) => !filled.includes(field));
    if (missing.length) throw new Error(`IndexedDB lacks the index(es) ${missing.join(", ")}: raise DB_VERSION in store.js`);
    return database;
  });
  return opened;
}

/**
 * During an upgrade: the index `by` (multi-entry, on `ix`) made if missing, the former
 * per-field indexes (`by.<field>`) dropped, and every record's keys written again for the
 * fields the features read by now (kept in `meta`, which `db` checks against the
 * registry). Records, outbox, sent and bytes are kept as they are.
 * @param {any} records the records store, in the upgrade transaction @param {any} meta
 */
async function reindex(records, meta) {
  for (const name of [...records.indexNames]) if (name.startsWith(`${BY}.`)) records.deleteIndex(name);
  if (!records.indexNames.contains(BY)) records.createIndex(BY, "ix", { multiEntry: true });
  let cursor = await records.openCursor();
  while (cursor) {
    await cursor.update(stored(cursor.value));
    cursor = await cursor.continue();
  }
  await meta.put(allIndexedFields(), INDEXED);
}

/** @type {Map<string, string[]>} the fields each collection is read by (fixed once the registry is sealed) */
const fieldsOf = new Map();

/**
 * The index keys (`ix`) of a local view: [collection, field, value] for each field its
 * collection is read by that holds a string or a number (anything else is not indexed);
 * null when there are none.
 * @param {string} collection @param {any} view
 * @returns {[string, string, string | number][] | null}
 */
function indexKeys(collection, view) {
  if (!view || view.deleted) return null;
  let fields = fieldsOf.get(collection);
  if (!fields) fieldsOf.set(collection, fields = indexedFields(collection));
  /** @type {[string, string, string | number][] | null} */ let ix = null;
  for (const field of fields) {
    const value = view[field];
    if (typeof value === "string" || typeof value === "number") (ix ||= []).push([collection, field, value]);
  }
  return ix;
}

/**
 * An entry as it is stored: its index keys (`ix`) taken from its local view (`indexKeys`),
 * `mine` as 1 (indexed: `mineEntries`; a boolean is no IndexedDB key), and the fields at
 * their default left out (no reason, no conflicts, not acknowledged, not mine): the 20,000
 * synced entries of a fill stay small. Readers take a missing field as its default.
 * @param {any} entry
 */
function stored(entry) {
  const { ix: _old, mine, reason, reason_code, conflict_ids, acknowledged, ...rest } = entry;
  /** @type {any} */ const out = rest;
  if (mine) out.mine = 1;
  if (reason != null) out.reason = reason;
  if (reason_code != null) out.reason_code = reason_code;
  if (conflict_ids?.length) out.conflict_ids = conflict_ids;
  if (acknowledged) out.acknowledged = true;
  return withIndexKeys(out);
}

/**
 * The entry given the index keys (`ix`) of its local view (`indexKeys`), when it has any;
 * the caller has left out an `ix` it held before. @param {any} entry
 */
function withIndexKeys(entry) {
  const ix = indexKeys(entry.collection, viewOf(entry));
  if (ix) entry.ix = ix;
  return entry;
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

/** @param {string} key */
export async function deleteMeta(key) {
  await (await db()).delete("meta", key);
}

/**
 * The keys [collection, id] of one collection: from [collection] (below any id) to
 * [collection, []] (an array sorts above every string id).
 * @param {string} collection
 */
function ofCollection(collection) {
  return IDBKeyRange.bound([collection], [collection, []]);
}

/** Every entry of a collection. @param {string} collection */
export async function entries(collection) {
  return (await db()).getAll("records", ofCollection(collection));
}

/** The live records (local view) of a collection. @param {string} collection */
export async function list(collection) {
  return (await entries(collection)).map(viewOf).filter((d) => d && !d.deleted);
}

/**
 * The live records of a collection whose `field` is `value`, through the index the
 * feature declared for it (an undeclared field is a mistake: it throws).
 * @param {string} collection @param {string} field @param {string | number} value
 */
export async function find(collection, field, value) {
  if (!indexedFields(collection).includes(field)) {
    throw new Error(`no index on ${collection}.${field}: declare it in the feature's indexes`);
  }
  const found = await (await db()).getAllFromIndex("records", BY, [collection, field, value]);
  return found.map(viewOf).filter((d) => d && !d.deleted);
}

/** How many records of a collection the phone holds. @param {string} collection */
export async function count(collection) {
  return (await db()).count("records", ofCollection(collection));
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

/** The entries of the records I captured on this phone (My records, the badge): the `mine` index. */
export async function mineEntries() {
  return (await db()).getAllFromIndex("records", "mine");
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
    await tx.objectStore("records").put(stored({
      collection: mutation.collection, id: mutation.id, server: found?.server ?? null,
      data: overlay(found?.server ?? null, pending), state: "pending", reason: null, reason_code: null,
      conflict_ids: found?.conflict_ids || [], mine: true, touched_at: now,
    }));
  }
  for (const blob of blobs) {
    if (!(await tx.objectStore("blobs").get(blob.sha256))) {
      await tx.objectStore("blobs").put({ ...blob, size: blob.bytes.byteLength, uploaded: false, unsent: 1 });
    }
  }
  await meta.put(nextSeq, "next_seq");
  await meta.put(clock, "clock");
  await tx.done;
  return mutations;
}

/**
 * Record the server's answers: answered mutations leave the outbox for `sent` (retained,
 * in case the server is restored from a backup), their records take the new version and
 * state (pending / synced / conflict / rejected with the reason).
 * @param {{ mutation: import("./outbox.js").Mutation, result: import("./outbox.js").MutationResult }[]} answered
 * @param {(result: any, stillPending: number) => { state: string, reason: string | null }} stateAfter
 */
export async function settle(answered, stateAfter) {
  const tx = (await db()).transaction(["records", "outbox", "sent"], "readwrite");
  const now = new Date().toISOString();
  for (const { mutation, result } of answered) {
    await tx.objectStore("outbox").delete(mutation.seq);
    await tx.objectStore("sent").put(retainedEntry(mutation, result, now));
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
    await tx.objectStore("records").put(stored({
      ...found, data,
      state: keepProblem && state === "synced" ? found.state : state,
      reason: reason ?? (keepProblem ? found.reason : null),
      // the server's code: My records words the reason from the catalogue by it
      reason_code: result.status === "rejected" ? result.code ?? null : keepProblem ? found.reason_code ?? null : null,
      conflict_ids: [...(found.conflict_ids || []), ...(result.conflict_ids || [])],
      acknowledged: result.status === "applied" ? found.acknowledged : false,
    }));
  }
  await tx.done;
}

/** Records a transaction of `absorb` writes: a screen read waits for at most one part. */
const ABSORB_PART = 500;

/**
 * Put one pulled page into the cache, in parts of `ABSORB_PART` records, each part its own
 * transaction, the cursor with the last part. Pending local changes are replayed on top of
 * the server's copy; tombstones remove records that have nothing pending.
 *
 * The hot path of a phone's first fill (docs/performance.md, "The phone's cache fill"):
 * rows that cannot be cached yet are written without a read, each entry is built once
 * with its index keys, and the puts are issued without a promise each (a failed put
 * aborts its part's transaction, and `tx.done` rejects). A screen opened mid-fill reads
 * between two parts, not after a whole page. A part stored without the cursor (the app
 * closed in between) is pulled again with the rest of its page and absorbed again: the
 * same entry, whatever was pending replayed on top as before.
 * @param {Record<string, any[]>} byCollection @param {Record<string, any>} meta e.g. { cursor }
 * @param {Set<string> | null} [known] during a full pull: the keys cached before it began
 *   (`cachedKeys`); rows not among them are new, so they are written without a read.
 * @param {Set<string> | null} [mine] after a reset: the keys of my records before the cache
 *   was dropped (`mineKeys`), so that they stay in My records.
 */
export async function absorb(byCollection, meta = {}, known = null, mine = null) {
  /** @type {[string, any, string][]} */ const rows = [];
  for (const [collection, list] of Object.entries(byCollection)) {
    for (const row of list) rows.push([collection, row, `${collection}\u0000${row.id}`]);
  }
  for (let start = 0; start === 0 || start < rows.length; start += ABSORB_PART) {
    const last = start + ABSORB_PART >= rows.length;
    await absorbPart(rows.slice(start, start + ABSORB_PART), last ? meta : {}, known, mine);
  }
}

/**
 * One part of a page, in one transaction (`absorb`).
 * @param {[string, any, string][]} rows [collection, row, key] @param {Record<string, any>} meta
 * @param {Set<string> | null} known @param {Set<string> | null} mine
 */
async function absorbPart(rows, meta, known, mine) {
  // the cache can always be pulled again: relaxed durability (captures use strict)
  const tx = (await db()).transaction(["records", "outbox", "meta"], "readwrite", { durability: "relaxed" });
  const records = tx.objectStore("records");
  /** @type {Map<string, any[]>} */ const pendingOf = new Map();
  for (const m of await tx.objectStore("outbox").getAll()) {
    const key = `${m.collection}\u0000${m.id}`;
    pendingOf.set(key, [...(pendingOf.get(key) || []), m]);
  }
  // reads only for rows that may be cached already, issued together (one part, one transaction)
  const existing = await Promise.all(rows.map(([collection, row, key]) =>
    known && !known.has(key) ? undefined : records.get([collection, row.id])));
  const raw = /** @type {IDBObjectStore} */ (unwrap(records));
  try {
    for (let i = 0; i < rows.length; i += 1) {
      const [collection, row, key] = rows[i];
      const found = existing[i];
      const pending = pendingOf.get(key);
      if (row.deleted && !pending) {
        if (found) raw.delete([collection, row.id]);
        continue;
      }
      const server = row.deleted ? null : row;
      // as `stored` makes it, built once: a new record of a fill is five fields and `ix`
      /** @type {any} */ let entry;
      if (found) {
        const { ix: _ix, data: _data, ...kept } = found;
        entry = { ...kept, server, state: pending ? "pending" : found.state !== "pending" ? found.state : "synced",
          touched_at: found.touched_at || row.updated_at || null };
      } else {
        entry = { collection, id: row.id, server, state: pending ? "pending" : "synced", touched_at: row.updated_at || null };
      }
      if (!entry.mine && mine?.has(key)) entry.mine = 1;
      if (pending) entry.data = overlay(server, pending);
      raw.put(withIndexKeys(entry));
    }
    for (const [key, value] of Object.entries(meta)) raw.transaction.objectStore("meta").put(value, key);
  } catch (error) {
    // a put refused before it was queued (e.g. a key IndexedDB cannot hold): nothing of the part stays
    tx.done.catch(() => undefined);
    tx.abort();
    throw error;
  }
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
  return (await db()).getAllFromIndex("blobs", "unsent");
}

/**
 * The server refused these bytes for good: keep them, note why (its code, message and
 * detail), stop retrying; My records shows them.
 * @param {string} sha256 @param {{ code: string, message?: string | null, detail?: any }} reason
 */
export async function markUploadRefused(sha256, reason) {
  const database = await db();
  const found = await database.get("blobs", sha256);
  if (!found) return;
  const { unsent: _unsent, ...rest } = found;
  await database.put("blobs", { ...rest, refused: reason.code, reason, refused_at: new Date().toISOString() });
}

/** Photos and signatures the server refused for good, without their bytes. */
export async function refusedBlobs() {
  const found = await (await db()).getAllFromIndex("blobs", "refused");
  return found.map(({ bytes: _bytes, ...rest }) => rest);
}

/** The steward has read that the server refused these bytes: stop the banner. @param {string} sha256 */
export async function acknowledgeRefusal(sha256) {
  const database = await db();
  const found = await database.get("blobs", sha256);
  if (found) await database.put("blobs", { ...found, seen: true });
}

/** @param {string} sha256 */
export async function blob(sha256) {
  return (await db()).get("blobs", sha256);
}

/** @param {string} sha256 */
export async function markUploaded(sha256) {
  const database = await db();
  const found = await database.get("blobs", sha256);
  if (!found) return;
  const { unsent: _unsent, ...rest } = found;
  await database.put("blobs", { ...rest, uploaded: true });
}

/** Forget the session but never the outbox, my records or the bytes. */
export async function forgetSession() {
  await setMeta("session", null);
}

/** The highest seq the server has acknowledged (see `acknowledgedThrough`). */
export async function acknowledged() {
  const tx = (await db()).transaction(["meta", "outbox"], "readonly");
  const first = await tx.objectStore("outbox").openKeyCursor();
  const nextSeq = (await tx.objectStore("meta").get("next_seq")) || 1;
  await tx.done;
  return acknowledgedThrough(nextSeq, first ? [Number(first.key)] : []);
}

export async function retainedCount() {
  return (await db()).count("sent");
}

/**
 * The server lost acknowledged mutations (restored from a backup) and expects `expected`:
 * put what it lacks back into the outbox (`rewindPlan`), with the next seq after them;
 * their records show as pending again and their bytes go again. The plan is made and
 * applied in ONE strict transaction, so a capture saved meanwhile is never left out and
 * nothing is lost if the app stops half-way.
 * @param {number} expected
 * @returns {Promise<ReturnType<typeof rewindPlan>>}
 */
export async function rewind(expected) {
  const tx = (await db()).transaction(["meta", "outbox", "sent", "records", "blobs"], "readwrite", { durability: "strict" });
  const sent = tx.objectStore("sent");
  const outbox = tx.objectStore("outbox");
  const plan = rewindPlan(await sent.getAll(IDBKeyRange.lowerBound(expected)), await outbox.getAll(),
    expected, (await tx.objectStore("meta").get("next_seq")) || 1);
  await sent.delete(IDBKeyRange.lowerBound(expected));
  await outbox.clear();
  for (const mutation of plan.resend) await outbox.put(mutation);
  await tx.objectStore("meta").put(plan.nextSeq, "next_seq");
  for (const sha256 of new Set(plan.resend.flatMap(blobRefs))) await sendAgain(tx.objectStore("blobs"), sha256);
  for (const mutation of plan.resend) {
    const found = await tx.objectStore("records").get([mutation.collection, mutation.id]);
    if (found?.state === "synced") await tx.objectStore("records").put({ ...found, state: "pending" });
  }
  await tx.done;
  return plan;
}

/** @param {any} blobs the object store, in a readwrite transaction @param {string} sha256 */
async function sendAgain(blobs, sha256) {
  const found = await blobs.get(sha256);
  if (found && found.uploaded && !found.refused) await blobs.put({ ...found, uploaded: false, unsent: 1 });
}

/**
 * After a reset (the server may have been restored from a backup): offer the bytes of
 * every pending or retained mutation again. The upload asks the server first (HEAD), so
 * bytes it holds cost one request and are not sent twice.
 */
export async function offerBlobsAgain() {
  const tx = (await db()).transaction(["outbox", "sent", "blobs"], "readwrite");
  const refs = new Set((await tx.objectStore("outbox").getAll()).flatMap(blobRefs));
  let cursor = await tx.objectStore("sent").index("blob").openKeyCursor(null, "nextunique");
  while (cursor) {
    refs.add(String(cursor.key));
    cursor = await cursor.continue();
  }
  for (const sha256 of refs) await sendAgain(tx.objectStore("blobs"), sha256);
  await tx.done;
}

/**
 * Drop retained mutations past the retention rule (`RETAIN`), and the bytes only they
 * referred to once the server has them (or refused them and the steward has read why).
 * @param {number} [now] ms since the epoch
 * @returns {Promise<number>} how many mutations were dropped
 */
export async function prune(now = Date.now()) {
  const tx = (await db()).transaction(["outbox", "sent", "blobs"], "readwrite");
  const sent = tx.objectStore("sent");
  const total = await sent.count();
  const oldest = total > RETAIN.count ? await sent.getAll(null, total - RETAIN.count) : [];
  const gone = oldest.slice(0, prunable(oldest, total, now));
  for (const entry of gone) await sent.delete(entry.seq);
  const refs = new Set(gone.flatMap((entry) => entry.blob_refs || []));
  if (refs.size) {
    const pending = new Set((await tx.objectStore("outbox").getAll()).flatMap(blobRefs));
    for (const sha256 of refs) {
      if (pending.has(sha256) || (await sent.index("blob").count(sha256))) continue;
      const found = await tx.objectStore("blobs").get(sha256);
      if (found && (found.uploaded || (found.refused && found.seen))) await tx.objectStore("blobs").delete(sha256);
    }
  }
  await tx.done;
  return gone.length;
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
  const tx = (await db()).transaction(["meta", "records", "outbox", "sent", "blobs"], "readwrite", { durability: "strict" });
  if ((await tx.objectStore("outbox").count()) || (await tx.objectStore("blobs").index("unsent").count())) {
    tx.done.catch(() => undefined);
    tx.abort();
    throw new Error("unsent records");
  }
  // the previous device's retained mutations go too: only its own credential could re-send them
  await Promise.all([tx.objectStore("records").clear(), tx.objectStore("blobs").clear(), tx.objectStore("sent").clear()]);
  for (const key of ["cursor", "next_seq", "clock", "last_pull_at", "last_sync_at", "session"]) await tx.objectStore("meta").delete(key);
  await tx.objectStore("meta").put(deviceId, "device_id");
  await tx.done;
}

/** The keys of the records I captured, as `collection\0id` (before a reset drops the cache). */
export async function mineKeys() {
  const keys = await (await db()).getAllKeysFromIndex("records", "mine");
  return new Set(keys.map((key) => `${key[0]}\u0000${key[1]}`));
}

/** Every cached record's key, as `collection\0id` (before a full pull). */
export async function cachedKeys() {
  const keys = /** @type {[string, string][]} */ (/** @type {unknown} */ (await (await db()).getAllKeys("records")));
  return new Set(keys.map(([collection, id]) => `${collection}\u0000${id}`));
}
