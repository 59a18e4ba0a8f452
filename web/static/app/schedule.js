// @ts-check
/**
 * What the Today screen lists, as pure functions of the cached records and "now":
 * patrol rounds (two a day, per the V manual), vacant units due or overdue this ISO
 * week (every vacant unit is checked weekly), planned visits, my open tickets, and
 * whether the cache is fresh enough to go down into the basement.
 */

export const ROUNDS_PER_DAY = 2;
export const FRESH_HOURS = 12;

/** ISO 8601 week of a local date, e.g. "2026-W47". @param {Date} date */
export function isoWeek(date) {
  const day = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The ISO week before `date`'s week. @param {Date} date */
export function previousWeek(date) {
  return isoWeek(new Date(date.getFullYear(), date.getMonth(), date.getDate() - 7));
}

/** @param {string} iso @param {Date} now */
function sameLocalDay(iso, now) {
  const d = new Date(iso);
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

/**
 * Today's patrol slots (morning, afternoon) and the round that filled each.
 * @param {any[]} rounds @param {string} stewardId @param {Date} now
 */
export function patrolSlots(rounds, stewardId, now) {
  const today = rounds
    .filter((r) => r.steward_id === stewardId && !r.deleted && sameLocalDay(r.started_at, now))
    .sort((a, b) => (a.started_at < b.started_at ? -1 : 1));
  return ["morning", "afternoon"].slice(0, ROUNDS_PER_DAY).map((slot, i) => ({ slot, round: today[i] || null }));
}

/**
 * Today's rounds per building of this steward: a round counts for a building it checked
 * in at (`covered_building_ids`; recording a finding there checks in too), once per round.
 * @param {any[]} rounds @param {any[]} buildings @param {string} stewardId @param {Date} now
 * @returns {{ building: any, rounds: number, complete: boolean }[]}
 */
export function buildingRounds(rounds, buildings, stewardId, now) {
  const today = rounds.filter((r) => r.steward_id === stewardId && !r.deleted && sameLocalDay(r.started_at, now));
  return buildings.map((building) => {
    const n = today.filter((r) => (r.covered_building_ids || []).includes(building.id)).length;
    return { building, rounds: n, complete: n >= ROUNDS_PER_DAY };
  });
}

/**
 * Vacant units not checked this week: "due" if checked last week, "overdue" if not since.
 * @param {any[]} units @param {any[]} checks @param {Date} now
 * @returns {{ unit: any, last: any | null, status: "due" | "overdue" }[]}
 */
export function vacantDue(units, checks, now) {
  const week = isoWeek(now);
  const before = previousWeek(now);
  const latest = latestChecks(checks);
  return units
    .filter((u) => u.occupancy === "vacant" && !u.deleted)
    .map((unit) => ({ unit, last: latest.get(unit.id) || null }))
    .filter(({ last }) => !last || last.week < week)
    .map(({ unit, last }) => ({ unit, last, status: /** @type {"due" | "overdue"} */ (last && last.week >= before ? "due" : "overdue") }))
    .sort((a, b) => (a.status === b.status ? (a.unit.code < b.unit.code ? -1 : 1) : a.status === "overdue" ? -1 : 1));
}

/** The most recent check of each unit. @param {any[]} checks */
export function latestChecks(checks) {
  /** @type {Map<string, any>} */ const latest = new Map();
  for (const c of checks) {
    if (c.deleted) continue;
    const seen = latest.get(c.unit_id);
    if (!seen || c.checked_at > seen.checked_at) latest.set(c.unit_id, c);
  }
  return latest;
}

/**
 * Last week's (or the latest earlier) meter readings of a unit, shown beside today's.
 * @param {any[]} checks @param {string} unitId @param {Date} now
 */
export function lastReadings(checks, unitId, now) {
  const week = isoWeek(now);
  const earlier = checks
    .filter((c) => c.unit_id === unitId && !c.deleted && c.week < week)
    .sort((a, b) => (a.checked_at < b.checked_at ? 1 : -1));
  const water = earlier.find((c) => c.water_reading != null);
  const electric = earlier.find((c) => c.electric_reading != null);
  return { water: water ? water.water_reading : null, electric: electric ? electric.electric_reading : null };
}

/** Least weekly use that counts as "far above usual" for a vacant unit, per meter. */
export const HIGH_USE_FLOOR = { water: 1, electric: 10 };

/**
 * What is odd about this week's readings, beside the unit's earlier checks: a reading lower
 * than the last one (a misread meter, or a new meter), or a week's use far above the unit's
 * usual (3x its median weekly use, at least ``HIGH_USE_FLOOR``: a leak, or someone living
 * in a unit said to be vacant). The steward confirms before saving; the desk sees them too.
 * @param {{ water: number | null, electric: number | null }} readings
 * @param {any[]} checks the unit's checks @param {string} unitId @param {Date} now
 * @returns {{ meter: "water" | "electric", kind: "lower" | "high", last: number, reading: number }[]}
 */
export function readingWarnings(readings, checks, unitId, now) {
  const week = isoWeek(now);
  const earlier = checks
    .filter((c) => c.unit_id === unitId && !c.deleted && c.week < week)
    .sort((a, b) => (a.checked_at < b.checked_at ? -1 : 1));
  /** @type {{ meter: "water" | "electric", kind: "lower" | "high", last: number, reading: number }[]} */ const found = [];
  for (const meter of /** @type {const} */ (["water", "electric"])) {
    const reading = readings[meter];
    const series = earlier.map((c) => c[`${meter}_reading`]).filter((v) => v != null);
    if (reading == null || !series.length) continue;
    const last = series[series.length - 1];
    if (reading < last) {
      found.push({ meter, kind: "lower", last, reading });
      continue;
    }
    const uses = series.slice(1).map((v, i) => v - series[i]).filter((u) => u >= 0).sort((a, b) => a - b);
    const usual = uses.length ? uses[Math.floor(uses.length / 2)] : 0;
    if (reading - last > Math.max(3 * usual, HIGH_USE_FLOOR[meter])) found.push({ meter, kind: "high", last, reading });
  }
  return found;
}

/** Visits planned for me, soonest first. @param {any[]} visits @param {string} stewardId */
export function plannedVisits(visits, stewardId) {
  return visits
    .filter((v) => v.status === "planned" && v.steward_id === stewardId && !v.deleted)
    .sort((a, b) => String(a.appointment_at || "9").localeCompare(String(b.appointment_at || "9")));
}

/**
 * Open tickets that are mine (first responder) or wait for a callback, most urgent first.
 * @param {any[]} tickets @param {string} userId
 * @param {string[]} priorities the priorities, most urgent first (the served `ticket_priority`)
 */
export function myOpenTickets(tickets, userId, priorities) {
  const rank = (/** @type {string} */ priority) => {
    const i = priorities.indexOf(priority);
    return i < 0 ? priorities.length : i;
  };
  return tickets
    .filter((t) => !t.deleted && t.status !== "closed" && (t.first_responder_id === userId || t.status === "done"))
    .sort((a, b) => rank(a.priority) - rank(b.priority) || String(a.created_at || "").localeCompare(String(b.created_at || "")));
}

/**
 * Is the cache fresh enough to work offline? Fresh = pulled within FRESH_HOURS, the app is
 * cached by the service worker, and every assigned building is in the cache.
 * @param {{ lastPullAt: string | null, workerReady: boolean, buildingIds: string[], cachedBuildingIds: string[] }} state
 * @param {Date} now
 */
export function offlineReadiness({ lastPullAt, workerReady, buildingIds, cachedBuildingIds }, now) {
  const ageHours = lastPullAt ? (now.getTime() - new Date(lastPullAt).getTime()) / 3600000 : null;
  const missing = buildingIds.filter((id) => !cachedBuildingIds.includes(id));
  const problems = [];
  if (!workerReady) problems.push("app_not_cached");
  if (ageHours === null) problems.push("never_synced");
  else if (ageHours > FRESH_HOURS) problems.push("stale");
  if (missing.length) problems.push("buildings_missing");
  return { ready: problems.length === 0, ageHours, problems, missing };
}
