// @ts-check
/** When to warn that the phone is running out of room for captures and photos. */

export const MIN_FREE_BYTES = 50 * 1024 * 1024;
export const MIN_FREE_SHARE = 0.1;

/**
 * Low when less than 50 MB or 10 % of the quota is left (unknown quota: not low).
 * @param {{ quota?: number, usage?: number } | undefined} estimate navigator.storage.estimate()
 */
export function storageLow(estimate) {
  if (!estimate?.quota) return false;
  const left = estimate.quota - (estimate.usage || 0);
  return left < MIN_FREE_BYTES || left / estimate.quota < MIN_FREE_SHARE;
}
