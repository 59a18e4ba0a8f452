// @ts-check
/**
 * "My records": what the steward captured and what became of it, as plain data.
 * A local entry is `{ collection, id, data, server, state, reason, conflict_ids, mine, touched_at }`
 * (see store.js: fields at their default may be missing); conflicts are records of the "conflict" collection. Which collections are
 * listed, and how a record is named, is each feature's (`listed`, `summary` in registry.js).
 */
import { listedCollections } from "./registry.js";

const STATE_ORDER = { conflict: 0, rejected: 1, pending: 2, synced: 3 };

/**
 * The entries shown in My records, problems first, then newest first.
 * @param {any[]} entries @param {string[]} [listed] the listed collections (the features')
 */
export function myRecords(entries, listed = listedCollections()) {
  return entries
    .filter((e) => e.mine && listed.includes(e.collection))
    .sort((a, b) => (STATE_ORDER[/** @type {keyof STATE_ORDER} */ (a.state)] ?? 9) - (STATE_ORDER[/** @type {keyof STATE_ORDER} */ (b.state)] ?? 9)
      || String(b.touched_at || "").localeCompare(String(a.touched_at || "")));
}

/**
 * Conflicts about one record: the ones the push named, then any the server sent for it.
 * @param {{ id: string, conflict_ids?: string[] }} entry @param {any[]} conflicts
 */
export function conflictsOf(entry, conflicts) {
  const named = new Set(entry.conflict_ids || []);
  return conflicts.filter((c) => named.has(c.id) || c.record_id === entry.id);
}

/**
 * A conflict as the steward reads it: which field, what the server kept, what was not kept.
 * @param {any} conflict @param {(key: string) => string} t
 */
export function describeConflict(conflict, t) {
  const field = conflict.field ? label(t, `field.${conflict.field}`, conflict.field) : "";
  return {
    field,
    kept: shown(conflict.kept_value, conflict.field, t),
    lost: shown(conflict.lost_value, conflict.field, t),
    kind: label(t, `conflict.kind.${conflict.kind}`, conflict.kind),
    status: conflict.status,
  };
}

/** @param {(key: string) => string} t @param {string} key @param {string} fallback */
function label(t, key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

/** @param {any} value @param {string | null} field @param {(key: string) => string} t */
export function shown(value, field, t) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string" && field) return label(t, `${field}.${value}`, value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Counts for the sync badge and the problems banner. Only the outbox is pending: mutations
 * retained after the server acknowledged them (for a restore) are not counted.
 * @param {number} pending outbox size @param {any[]} entries
 * @param {{ seen?: boolean }[]} [refused] photos the server refused for good (`store.refusedBlobs`)
 */
export function badgeCounts(pending, entries, refused = []) {
  let conflicts = 0;
  let rejected = 0;
  for (const e of entries) {
    if (!e.mine || e.acknowledged) continue;
    if (e.state === "conflict") conflicts += 1;
    if (e.state === "rejected") rejected += 1;
  }
  return { pending, conflicts, rejected, photos: refused.filter((b) => !b.seen).length };
}

/**
 * Photos and signatures the server refused for good, each with the record it belongs to
 * (from my attachment records; `parent_id` null when none is on the phone).
 * @param {any[]} entries local entries (store.mineEntries) @param {any[]} refused `store.refusedBlobs()`
 * @returns {{ sha256: string, kind: string, parent_collection: string | null, parent_id: string | null, reason: any, seen: boolean }[]}
 */
export function photoProblems(entries, refused) {
  /** @type {Map<string, any>} */ const bySha = new Map();
  for (const e of entries) {
    const data = e.collection === "attachment" ? (e.data !== undefined ? e.data : e.server) : null;
    if (data?.sha256 && !bySha.has(data.sha256)) bySha.set(data.sha256, data);
  }
  return refused.map((b) => {
    const attachment = bySha.get(b.sha256);
    return {
      sha256: b.sha256, kind: attachment?.kind || "photo",
      parent_collection: attachment?.parent_collection ?? null, parent_id: attachment?.parent_id ?? null,
      reason: b.reason || { code: b.refused }, seen: Boolean(b.seen),
    };
  });
}

/**
 * Why the server refused a photo, in the app's language: a size with the server's limit,
 * else the server's own message ("中文 / English"), else its code.
 * @param {{ code?: string, message?: string | null, detail?: any } | null} reason
 * @param {string} lang @param {(key: string, params?: Record<string, any>) => string} t
 */
export function refusalText(reason, lang, t) {
  const detail = reason?.detail || {};
  if (reason?.code === "photo_too_large" && Number(detail.max) > 0) {
    return t("photo.refused.too_large", { size: kilobytes(detail.size), max: kilobytes(detail.max) });
  }
  return errorText(reason?.code, reason?.message, lang, t) || t("photo.refused.code", { code: reason?.code || "?" });
}

/**
 * A server error as the steward reads it: the catalogue's words for its code
 * (`error.<code>` in web/i18n/app.json), else the server's own message in the app's
 * language ("中文 / English", or a refusal's "中文：detail | English: detail"), else "".
 * @param {string | null | undefined} code @param {string | null | undefined} message
 * @param {string} lang @param {(key: string, params?: Record<string, any>) => string} t (the key itself when missing)
 */
export function errorText(code, message, lang, t) {
  if (code) {
    const text = t(`error.${code}`);
    if (text !== `error.${code}`) return text;
  }
  if (!message) return "";
  if (message.includes(" | ")) return reasonText(message, lang);
  const [zh, en] = message.split(" / ");
  return (lang === "en" && en ? en : zh).trim();
}

/** @param {any} bytes */
function kilobytes(bytes) {
  const n = Number(bytes);
  return Number.isFinite(n) && n > 0 ? `${Math.ceil(n / 1024)} KB` : "?";
}

/**
 * A server refusal ("中文：detail | English: detail") as the steward reads it: the
 * sentence in the app's language, without the ids in the detail.
 * @param {string | null} reason @param {string} lang
 */
export function reasonText(reason, lang) {
  if (!reason) return "";
  const [zh, en] = reason.split(" | ");
  if (lang === "en" && en) return en.split(": ")[0];
  return zh.split("：")[0];
}
