// @ts-check
/**
 * The desk's small behaviours, hooked on data-* attributes (no inline scripts):
 * - every HTMX request carries the CSRF token of the desk session from the `csrftoken` cookie
 *   (server/auth/csrf.py);
 * - intake: picking a unit from the owner search fills the form (and comes back with Back);
 * - live: a section with `data-live` polls the sync clock and refreshes itself when a
 *   phone (or another clerk) has synced since the page was rendered.
 */
import { startLive } from "./live.js";

/** @param {string} name @returns {string} */
function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

document.body.addEventListener("htmx:configRequest", (event) => {
  const detail = /** @type {CustomEvent} */ (event).detail;
  const token = cookie("csrftoken");
  if (token) detail.headers["x-csrftoken"] = token;
});

document.body.addEventListener("click", (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  const button = /** @type {HTMLElement | null} */ (target.closest("[data-pick-unit]"));
  if (!button) return;
  /** @param {string} id @param {string} value */
  const set = (id, value) => {
    const input = /** @type {HTMLInputElement | null} */ (document.getElementById(id));
    if (input && value && !input.value) input.value = value;
  };
  const unit = /** @type {HTMLInputElement | null} */ (document.getElementById("intake-unit-id"));
  if (unit) unit.value = button.dataset.pickUnit || "";
  const label = /** @type {HTMLInputElement | null} */ (document.getElementById("intake-unit-label"));
  if (label) label.value = button.dataset.unitLabel || "";
  showChosenUnit();
  set("intake-reporter-name", button.dataset.ownerName || "");
  set("intake-reporter-phone", button.dataset.ownerPhone || "");
  const kind = /** @type {HTMLElement | null} */ (document.querySelector("[data-intake] select[name=kind]"));
  kind?.focus();
});

/**
 * Back to an intake already submitted: the browser restores what was typed, but the page
 * comes with a new ticket id. The id the form was submitted with (kept for this tab) goes
 * back in, so submitting the same form again names the same ticket: one intake, one ticket.
 */
function sameIntakeAfterBack() {
  const form = document.querySelector("[data-intake]");
  if (!form) return;
  const id = /** @type {HTMLInputElement} */ (form.querySelector("input[name=record_id]"));
  const text = /** @type {HTMLTextAreaElement} */ (form.querySelector("textarea[name=description]"));
  const reuse = () => {  // once the browser has put the typed text back (pageshow)
    const last = JSON.parse(sessionStorage.getItem("intake.submitted") || "null");
    if (last && text.value && text.value === last.description) id.value = last.record_id;
  };
  addEventListener("pageshow", reuse);
  form.addEventListener("submit", () => sessionStorage.setItem("intake.submitted",
    JSON.stringify({ record_id: id.value, description: text.value })));
}

/** The chosen unit's line, from the form's own fields (which the browser restores on Back). */
function showChosenUnit() {
  const unit = /** @type {HTMLInputElement | null} */ (document.getElementById("intake-unit-id"));
  const label = /** @type {HTMLInputElement | null} */ (document.getElementById("intake-unit-label"));
  const chosen = document.getElementById("chosen-unit");
  if (chosen && unit?.value && label?.value) chosen.textContent = "✔ " + label.value;
}

addEventListener("pageshow", showChosenUnit);
showChosenUnit();
sameIntakeAfterBack();
// a select that stands for its form's button (the estate switch)
document.body.addEventListener("change", (event) => {
  const select = /** @type {HTMLElement} */ (event.target);
  if (select.matches("select[data-auto-submit]")) /** @type {HTMLFormElement} */ (select.closest("form"))?.submit();
});

startLive(document);

// 打印维修单 (the print stylesheet lays the ticket out as a repair order)
document.body.addEventListener("click", (event) => {
  if (/** @type {HTMLElement} */ (event.target).closest("[data-print]")) window.print();
});
