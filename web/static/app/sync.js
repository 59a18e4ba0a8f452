// @ts-check
/**
 * Sync with the server: push the outbox in seq order, upload photo and signature bytes
 * (resumable), then pull my scope from the cursor. Runs on start, on reconnect, when
 * the app becomes visible, periodically and after each save; one run at a time; backs
 * off after failures. The outbox is never dropped: a 401 asks for a new login, a 426 for
 * an app update, anything else is retried.
 *
 * After a server restore (docs/operations.md §5) the server lacks mutations it had
 * acknowledged: a push is answered `409 seq_gap` below our seqs, or an answer's
 * `last_seq` is below what we had acknowledged (a reset pull sends an empty push to ask).
 * The phone then rewinds: the retained mutations go back into the outbox from the seq the
 * server expects, their bytes are offered again, and the pull starts afresh after them.
 */
import { ApiFailure, APP_VERSION, call, postJson } from "./api.js";
import { retryDelay } from "./backoff.js";
import { classifyFailure, matchResults, nextBatch, PROTOCOL, serverBehind, stateAfter, toWire } from "./outbox.js";
import * as store from "./store.js";

const CHUNK = 256 * 1024;
const PULL_LIMIT = 2000;
const PERIOD_MS = 60 * 1000;

/**
 * @typedef {{ running: boolean, lastSyncAt: string | null, error: { kind: string, code: string, message: string } | null,
 *   needsLogin: boolean, updateRequired: boolean, retryAt: number | null, pending: number }} SyncStatus
 */

export const events = new EventTarget();
/** @type {SyncStatus} */
export const status = { running: false, lastSyncAt: null, error: null, needsLogin: false, updateRequired: false, retryAt: null, pending: 0 };

let attempt = 0;
/** @type {Promise<void> | null} */
let running = null;
let again = false;
/** @type {ReturnType<typeof setTimeout> | null} */
let retryTimer = null;

function announce() {
  events.dispatchEvent(new Event("status"));
}

/** Start a sync now (or once more after the one running). */
export function syncNow() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await runOnce();
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

async function runOnce() {
  const session = await store.getMeta("session");
  status.pending = await store.outboxCount();
  if (!session?.token || status.updateRequired) {
    status.needsLogin = !session?.token;
    announce();
    return;
  }
  if (!navigator.onLine) {
    announce(); // the "online" event starts the next run
    return;
  }
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  status.running = true;
  status.retryAt = null;
  announce();
  try {
    await pushAll(session.device_id);
    await uploadAll();
    await pullAll(session.device_id);
    await store.prune();
    attempt = 0;
    status.error = null;
    status.needsLogin = false;
    status.lastSyncAt = new Date().toISOString();
    await store.setMeta("last_sync_at", status.lastSyncAt);
  } catch (error) {
    failed(error);
  } finally {
    status.running = false;
    status.pending = await store.outboxCount();
    announce();
  }
}

/** @param {unknown} error */
function failed(error) {
  const failure = error instanceof ApiFailure
    ? classifyFailure(error.status, error.body)
    : { kind: "retry", code: "client_error" };
  const message = error instanceof ApiFailure ? error.message : String(error);
  status.error = { kind: failure.kind, code: failure.code, message };
  if (failure.kind === "relogin") status.needsLogin = true;
  else if (failure.kind === "update") status.updateRequired = true;
  else {
    attempt += 1;
    const delay = retryDelay(attempt, Math.random());
    status.retryAt = Date.now() + delay;
    retryTimer = setTimeout(() => void syncNow(), delay);
  }
}

/**
 * Push the outbox, oldest first, until it is empty. `probe`: push even when it is empty
 * (an empty push answers the server's `last_seq`), to learn whether a restored server
 * lost acknowledged mutations. The server lagging behind is met by one rewind per call.
 * @param {string} deviceId @param {{ probe?: boolean }} [options]
 */
async function pushAll(deviceId, { probe = false } = {}) {
  let rewound = false;
  for (;;) {
    const outbox = await store.outbox();
    if (!outbox.length && !probe) return;
    probe = false;
    const batch = nextBatch(outbox);
    let answer;
    try {
      answer = await postJson("/api/v1/sync/push", {
        protocol: PROTOCOL, device_id: deviceId, app_version: APP_VERSION,
        pending: outbox.length, mutations: batch.map(toWire),
      });
    } catch (error) {
      const failure = error instanceof ApiFailure ? classifyFailure(error.status, error.body) : null;
      const expected = Number(failure?.expected);
      if (failure?.kind === "seq_gap" && !rewound && batch.length && Number.isInteger(expected) && expected >= 1 && expected < batch[0].seq) {
        await rewindTo(expected);
        rewound = true;
        continue;
      }
      throw error;
    }
    const answered = matchResults(batch, answer.results || []);
    if (batch.length && !answered.length) throw new ApiFailure(500, { code: "no_results", message: "push answered no mutation" });
    if (answered.length) await store.settle(answered, stateAfter);
    const behind = serverBehind(answer.last_seq, await store.acknowledged());
    if (behind !== null) {
      if (rewound) throw new ApiFailure(500, { code: "seq_behind", message: `server last_seq ${answer.last_seq} after a rewind` });
      await rewindTo(behind);
      rewound = true;
    }
    status.pending = await store.outboxCount();
    announce();
  }
}

/**
 * The server expects `expected`, below what it had acknowledged: put what it lacks back
 * into the outbox (`rewindPlan`).
 * @param {number} expected
 */
async function rewindTo(expected) {
  const plan = await store.rewind(expected);
  if (plan.missing) console.warn(`the server lacks ${plan.missing} mutation(s) this phone no longer holds`);
  status.pending = await store.outboxCount();
  announce();
}

/**
 * Upload the bytes of photos and signatures, resuming where the server stopped. A photo
 * the server refuses for good (type, size) is set aside with the reason, kept on the
 * phone and shown in My records, and does not hold back the others or the pull.
 */
async function uploadAll() {
  for (const item of await store.unsentBlobs()) {
    try {
      await upload(item);
    } catch (error) {
      if (!(error instanceof ApiFailure) || classifyFailure(error.status, error.body).kind !== "refused") throw error;
      await store.markUploadRefused(item.sha256, {
        code: error.body?.code || `http_${error.status}`, message: error.body?.message ?? null, detail: error.body?.detail ?? null,
      });
    }
  }
}

/** @param {{ sha256: string, size: number, mime: string, bytes: ArrayBuffer }} item */
async function upload(item) {
  const path = `/api/v1/attachments/${item.sha256}`;
  let offset = 0;
  try {
    const head = await call("HEAD", path);
    offset = Number(head.headers.get("Upload-Offset") ?? 0);
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.status !== 404) throw error;
  }
  let realigned = 0;
  while (offset < item.size) {
    const end = Math.min(item.size, offset + CHUNK);
    const whole = offset === 0 && end === item.size;
    const headers = { "Content-Type": item.mime, ...(whole ? {} : { "Content-Range": `bytes ${offset}-${end - 1}/${item.size}` }) };
    let response;
    try {
      response = await call("PUT", path, { body: item.bytes.slice(offset, end), headers });
    } catch (error) {
      // the server holds a different part than HEAD said (another upload moved on): resume there
      const expected = Number(error instanceof ApiFailure && error.body?.code === "offset_mismatch" ? error.body?.detail?.expected : NaN);
      if (!Number.isInteger(expected) || expected < 0 || expected > item.size || ++realigned > 3) throw error;
      offset = expected;
      continue;
    }
    const reported = Number(response.headers.get("Upload-Offset"));
    offset = Number.isFinite(reported) && reported > offset ? reported : end;
  }
  await store.markUploaded(item.sha256);
}

/**
 * Pull from the saved cursor until `more` is false; each page and its cursor are stored
 * together (a fill cut off resumes from the last stored page, nothing lost or doubled).
 * The next page is asked for as soon as a page arrives, so that it travels while this one
 * is written (one page ahead at most: memory stays bounded by two pages).
 * `reset` (e.g. the server was restored from a backup): push first — asking the server
 * where it stands, and rewinding if it lost acknowledged mutations — offer the bytes
 * again, drop the replica, then pull afresh (so what was just pushed comes too).
 * @param {string} deviceId
 */
async function pullAll(deviceId) {
  let cursor = (await store.getMeta("cursor")) ?? null;
  // a full pull delivers each record once: only keys cached before it need a read
  let known = cursor === null ? await store.cachedKeys() : null;
  let restarted = false;
  /** @type {Set<string> | null} */ let mine = null;
  /** @param {string | null} from */
  const ask = (from) => {
    const answer = postJson("/api/v1/sync/pull", { protocol: PROTOCOL, device_id: deviceId, cursor: from, limit: PULL_LIMIT });
    answer.catch(() => undefined); // awaited below; a page asked for ahead may go unread
    return answer;
  };
  let next = ask(cursor);
  for (;;) {
    const page = await next;
    if (page.reset && !restarted) {
      await pushAll(deviceId, { probe: true });
      await store.offerBlobsAgain();
      await uploadAll();
      mine = await store.mineKeys(); // what I captured stays in My records after the resync
      await store.evict(null);
      known = await store.cachedKeys();
      cursor = null;
      restarted = true;
      next = ask(null);
      continue;
    }
    if (page.reset) {
      mine = await store.mineKeys();
      await store.evict(null);
      known = await store.cachedKeys();
    }
    if (page.more) next = ask(page.cursor);
    if (page.evict_buildings?.length) await store.evict(page.evict_buildings);
    await store.absorb(page.records || {}, { cursor: page.cursor, last_pull_at: new Date().toISOString() }, known, mine);
    cursor = page.cursor;
    if (!page.more) return;
  }
}

/** Wire the automatic triggers: start, reconnect, visible, periodic, worker wake-ups. */
export function startAutomaticSync() {
  window.addEventListener("online", () => void syncNow());
  window.addEventListener("offline", announce);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void syncNow();
  });
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "sync") void syncNow();
  });
  setInterval(() => {
    if (document.visibilityState === "visible") void syncNow();
  }, PERIOD_MS);
  void syncNow();
}

/** After a save: sync now if we can, and ask for Background Sync where the browser has it. */
export async function afterSave() {
  status.pending = await store.outboxCount();
  announce();
  if (navigator.onLine) void syncNow();
  try {
    const registration = /** @type {any} */ (await navigator.serviceWorker?.getRegistration());
    await registration?.sync?.register("outbox");
  } catch {
    // no Background Sync (iOS, Firefox): start, reconnect and visibility triggers cover it
  }
}

/** Forget a pending "update required" after the app was updated. */
export function clearUpdateRequired() {
  status.updateRequired = false;
}
