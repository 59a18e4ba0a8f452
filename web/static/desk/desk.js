// @ts-check
/**
 * The desk's small behaviours, hooked on data-* attributes (no inline scripts):
 * - every HTMX request carries the CSRF token from Litestar's `csrftoken` cookie;
 * - intake: picking a unit from the owner search fills the form;
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
  const chosen = document.getElementById("chosen-unit");
  if (chosen) chosen.textContent = "✔ " + (button.dataset.unitLabel || "");
  set("intake-reporter-name", button.dataset.ownerName || "");
  set("intake-reporter-phone", button.dataset.ownerPhone || "");
  const kind = /** @type {HTMLElement | null} */ (document.querySelector("[data-intake] select[name=kind]"));
  kind?.focus();
});

startLive(document);
