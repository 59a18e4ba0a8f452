// @ts-check
/**
 * A hybrid logical clock for the `hlc` of mutations: wall time in ms, a counter for events
 * in the same ms (or when the wall clock went backwards), and the device id. Stamps sort
 * as text. Display and tie-break only: the server's order decides, never a phone's clock.
 */

/** @typedef {{ wall: number, counter: number, node: string }} Clock */

/** @param {string} node @returns {Clock} */
export function newClock(node) {
  return { wall: 0, counter: 0, node };
}

/**
 * The next stamp for a local event.
 * @param {Clock} clock @param {number} nowMs @returns {{ clock: Clock, stamp: string }}
 */
export function tick(clock, nowMs) {
  const next = nowMs > clock.wall
    ? { wall: nowMs, counter: 0, node: clock.node }
    : { wall: clock.wall, counter: clock.counter + 1, node: clock.node };
  return { clock: next, stamp: format(next) };
}

/** @param {Clock} clock */
export function format(clock) {
  return `${String(clock.wall).padStart(13, "0")}-${String(clock.counter).padStart(4, "0")}-${clock.node}`;
}

/** @param {string} stamp @returns {Clock | null} */
export function parse(stamp) {
  const match = /^(\d{13})-(\d{4})-(.+)$/.exec(stamp || "");
  return match ? { wall: Number(match[1]), counter: Number(match[2]), node: match[3] } : null;
}

/** @param {string} a @param {string} b */
export function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
