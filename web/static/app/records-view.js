// @ts-check
/**
 * "My records": what the steward captured and what became of it, as plain data.
 * A local entry is `{ collection, id, data, server, state, reason, conflict_ids, mine, touched_at }`
 * (see store.js); conflicts are records of the "conflict" collection.
 */

export const CAPTURED = ["finding", "vacant_check", "visit", "ticket", "patrol_round", "ticket_event", "household", "attachment"];
export const LISTED = ["finding", "vacant_check", "visit", "ticket", "patrol_round", "household"];
const STATE_ORDER = { conflict: 0, rejected: 1, pending: 2, synced: 3 };

/**
 * The entries shown in My records, problems first, then newest first.
 * @param {any[]} entries
 */
export function myRecords(entries) {
  return entries
    .filter((e) => e.mine && LISTED.includes(e.collection))
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
 * Counts for the sync badge.
 * @param {number} pending outbox size @param {any[]} entries
 */
export function badgeCounts(pending, entries) {
  let conflicts = 0;
  let rejected = 0;
  for (const e of entries) {
    if (!e.mine || e.acknowledged) continue;
    if (e.state === "conflict") conflicts += 1;
    if (e.state === "rejected") rejected += 1;
  }
  return { pending, conflicts, rejected };
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
