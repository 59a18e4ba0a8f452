// @ts-check
/**
 * The ticket lifecycle as the phone shows it (the server's `sync/lifecycle.py` decides):
 * 已受理 → 已派单 → 处理中 → 已完工 → 已回访 → 已关闭. A steward moves a ticket one step
 * forward (e.g. records the callback on a done ticket); the desk does the rest.
 */
import { codes } from "./vocab.js";

/** The next status a steward may set, or null (the order is the server's `TicketStatus`). @param {string} status */
export function nextStatus(status) {
  const statuses = codes("ticket_status");
  const i = statuses.indexOf(status);
  return i >= 0 && i < statuses.length - 1 ? statuses[i + 1] : null;
}

/** Does a callback on this ticket also move it to called_back? @param {string} status */
export function callbackMovesStatus(status) {
  return status === "done";
}

/** Ticket priority from a finding's severity (a rule between two vocabularies; the test
 * checks both sides against the served codes). @param {string} severity */
export function priorityOf(severity) {
  return { critical: "urgent", high: "high", medium: "normal", low: "low" }[severity] || "normal";
}
