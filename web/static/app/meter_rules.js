// @ts-check
/**
 * 抄表 rules on the phone, the same as the server's (sync/meters.py): a reading lower than
 * the meter's last is refused unless marked replaced / rolled over with a photo; a use far
 * above the meter's usual needs a confirmation with a photo of the dial. Also: a meter's one
 * history (its readings and its unit's vacant checks'), the month's round and re-read tasks.
 * Pure: records and the time are passed in.
 */

import { subset } from "./vocab.js";

/** @typedef {{ reading: number, read_at: string, flag?: string | null, source?: string }} Past */
/** @typedef {{ high_factor: number, average_months: number, high_floor: Record<string, number>, round_day: number }} Settings */

/** The flags of a meter whose dial starts again from zero: its use is the reading itself. */
export const RESETS = subset("flags of a meter that starts again from zero", "reading_flag",
  ["replaced", "rolled_over"]);
const DAY_MS = 86400000;
const VACANT_FIELD = { water: "water_reading", electricity: "electric_reading" };

/** @param {number} previous @param {number} reading @param {string | null | undefined} flag */
export function useOf(previous, reading, flag) {
  return RESETS.has(flag ?? null) ? reading : reading - previous;
}

/** Average use per day over `months` before `before` (null: fewer than two readings). @param {Past[]} past @param {string} before @param {number} months */
export function usualDailyUse(past, before, months) {
  const end = Date.parse(before);
  const start = end - 30 * months * DAY_MS;
  const window = past.filter((r) => Date.parse(r.read_at) >= start && Date.parse(r.read_at) < end)
    .sort((a, b) => (a.read_at < b.read_at ? -1 : 1));
  if (window.length < 2) return null;
  let used = 0;
  for (let i = 1; i < window.length; i += 1) used += useOf(window[i - 1].reading, window[i].reading, window[i].flag);
  const days = (Date.parse(window[window.length - 1].read_at) - Date.parse(window[0].read_at)) / DAY_MS;
  return days > 0 ? Math.max(used, 0) / days : null;
}

/**
 * Why a new reading would be refused: "reading_lower", "reading_high", "reading_needs_photo", or null.
 * @param {{ reading: number, read_at: string, flag?: string | null, photo_sha256?: string | null }} row
 * @param {Past[]} past @param {string} kind @param {Settings} settings
 */
export function readingRefusal(row, past, kind, settings) {
  const earlier = past.filter((r) => r.read_at <= row.read_at).sort((a, b) => (a.read_at < b.read_at ? -1 : 1));
  if (row.flag && !row.photo_sha256) return "reading_needs_photo";
  if (!earlier.length) return null;
  const last = earlier[earlier.length - 1];
  if (row.reading < last.reading && !RESETS.has(row.flag ?? null)) return "reading_lower";
  if (row.flag) return null;
  const usual = usualDailyUse(earlier, row.read_at, settings.average_months);
  if (usual === null) return null;
  const days = (Date.parse(row.read_at) - Date.parse(last.read_at)) / DAY_MS;
  const use = row.reading - last.reading;
  return use > Math.max(settings.high_factor * usual * days, settings.high_floor[kind] ?? 0) ? "reading_high" : null;
}

/**
 * A meter's one history, oldest first: its readings and its unit's vacant checks' readings;
 * a reading the desk sent back for a re-read no longer counts (as on the server).
 * @param {any} meter @param {any[]} readings the meter's @param {any[]} checks its unit's vacant checks
 * @returns {Past[]}
 */
export function historyOf(meter, readings, checks) {
  const field = VACANT_FIELD[/** @type {"water" | "electricity"} */ (meter.kind)];
  const fromChecks = meter.unit_id ? checks.filter((c) => c.unit_id === meter.unit_id && !c.deleted && c[field] != null)
    .map((c) => ({ reading: c[field], read_at: c.checked_at, flag: null, source: "vacant_check" })) : [];
  return [...readings.filter((r) => r.meter_id === meter.id && !r.deleted && r.review !== "reread"), ...fromChecks]
    .sort((a, b) => (a.read_at < b.read_at ? -1 : 1));
}

/** "YYYY-MM" of a moment on the phone's own clock. @param {Date} now */
export function monthOf(now) {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}

/** Has the meter a round reading this month (local)? @param {any[]} readings the meter's @param {Date} now */
export function readThisMonth(readings, now) {
  const month = monthOf(now);
  return readings.some((r) => !r.deleted && r.source !== "vacant_check" && monthOf(new Date(r.read_at)) === month);
}

/** Meters floor by floor in walking order. @param {any[]} meters */
export function walkingOrder(meters) {
  return [...meters].sort((a, b) => (a.floor - b.floor) || (a.walk_order - b.walk_order)
    || String(a.place).localeCompare(String(b.place), "zh-CN", { numeric: true }));
}

/**
 * Re-read tasks: readings the desk sent back (review "reread") with no newer round reading
 * of their meter. @param {any[]} readings every reading on the phone
 */
export function rereadTasks(readings) {
  const live = readings.filter((r) => !r.deleted);
  return live.filter((r) => r.review === "reread"
    && !live.some((o) => o.meter_id === r.meter_id && o.read_at > r.read_at && o.source !== "vacant_check"));
}
