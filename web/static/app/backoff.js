// @ts-check
/** Retry delays after failed syncs: exponential with full jitter, capped. */

export const BASE_MS = 2000;
export const MAX_MS = 5 * 60 * 1000;

/**
 * Delay before retry number `attempt` (1 = first retry).
 * @param {number} attempt @param {number} random in [0, 1) @param {{ base?: number, max?: number }} [limits]
 */
export function retryDelay(attempt, random, { base = BASE_MS, max = MAX_MS } = {}) {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + random * (ceiling - base / 2));
}
