// @ts-check
/**
 * The ticket lifecycle as the phone shows it (the server's `sync/lifecycle.py` decides):
 * 已受理 → 已派单 → 处理中 → 已完工 → 已回访 → 已关闭. A steward moves a ticket one step
 * forward (e.g. records the callback on a done ticket); the desk does the rest.
 */

export const STATUSES = ["received", "dispatched", "in_progress", "done", "called_back", "closed"];

/** The next status a steward may set, or null. @param {string} status */
export function nextStatus(status) {
  const i = STATUSES.indexOf(status);
  return i >= 0 && i < STATUSES.length - 1 ? STATUSES[i + 1] : null;
}

/** Does a callback on this ticket also move it to called_back? @param {string} status */
export function callbackMovesStatus(status) {
  return status === "done";
}

/** Ticket priority from a finding's severity. @param {string} severity */
export function priorityOf(severity) {
  return { critical: "urgent", high: "high", medium: "normal", low: "low" }[severity] || "normal";
}
