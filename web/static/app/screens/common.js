// @ts-check
/** Pieces shared by the screens: my scope from the cache, place pickers, photo capture. */
import { h, select, when } from "../dom.js";
import { newId } from "../ids.js";
import { t } from "../i18n.js";
import { downscalePhoto } from "../media.js";
import * as store from "../store.js";
import { afterSave } from "../sync.js";

/** @typedef {{ session: any, args: string[], go: (path: string) => void, flash: (text: string, kind?: "ok" | "warn") => void, refresh: () => Promise<void> }} Context */

export { newId };

/** My buildings (cached), by code. */
export async function myBuildings() {
  return (await store.list("building")).sort((a, b) => String(a.code).localeCompare(String(b.code), "zh-CN", { numeric: true }));
}

/** Units of a building (optionally one floor), by code. @param {string} buildingId @param {number | null} [floor] */
export async function unitsOf(buildingId, floor = null) {
  return (await store.find("unit", "building_id", buildingId))
    .filter((u) => floor === null || u.floor === floor)
    .sort((a, b) => String(a.code).localeCompare(String(b.code), "zh-CN", { numeric: true }));
}

/** @param {any} building */
export function floorOptions(building) {
  /** @type {[string, string][]} */ const floors = [["", t("place.any_floor")], ["B2", "B2"], ["B1", "B1"]];
  for (let f = 1; f <= (building?.floors || 1); f += 1) floors.push([String(f), t("place.floor", { n: f })]);
  floors.push(["roof", t("place.roof")]);
  return floors;
}

/**
 * Save intents (and bytes) in one transaction, then tell the steward and start a sync.
 * @param {import("../outbox.js").Intent[]} intents @param {any[]} blobs @param {Context} ctx
 */
export async function save(intents, blobs, ctx) {
  await store.commit(intents, blobs);
  ctx.flash(t("saved"));
  void afterSave();
}

/**
 * A form's submit handler that runs once at a time: taps while it saves are ignored and
 * its buttons are disabled, so one capture is one record however often Save is tapped.
 * @param {(event: Event) => Promise<void> | void} handler
 * @returns {(event: Event) => Promise<void>}
 */
export function submitOnce(handler) {
  let busy = false;
  return async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const buttons = Array.from(form.querySelectorAll("button[type=submit]"));
    for (const b of buttons) /** @type {HTMLButtonElement} */ (b).disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      await handler(event);
    } catch (error) {
      // the steward must know the capture is not stored (the form stays filled: tap again)
      console.error("save failed", error);
      document.dispatchEvent(new CustomEvent("save-failed", { detail: String(error) }));
    } finally {
      busy = false;
      for (const b of buttons) /** @type {HTMLButtonElement} */ (b).disabled = false;
      form.removeAttribute("aria-busy");
    }
  };
}

/**
 * Keep a half-filled form on the phone as the steward types (IndexedDB, a moment after each
 * change, and at once when the app is hidden), so that Back, a reload or switching apps
 * loses nothing; when the form opens again its draft is put back, with a note and a way to
 * start afresh. Photos and the signature are not part of a draft. Call ``clear`` once saved.
 * @param {HTMLFormElement} form @param {string} key what the form is for (e.g. "visit:<unit>")
 * @param {() => void} restart redraw the screen (after the steward discards the draft)
 * @returns {Promise<{ note: HTMLElement | null, clear: () => Promise<void>, refill: () => void }>}
 */
export async function keepDraft(form, key, restart) {
  const metaKey = `draft:${key}`;
  const saved = await store.getMeta(metaKey);
  if (saved && typeof saved === "object") fillForm(form, saved);
  /** @type {ReturnType<typeof setTimeout> | null} */ let timer = null;
  let done = false;
  const write = () => { if (!done) void store.setMeta(metaKey, formValues(form)); };
  const soon = () => { if (timer) clearTimeout(timer); timer = setTimeout(() => { timer = null; write(); }, 250); };
  const now = () => { if (timer) { clearTimeout(timer); timer = null; write(); } };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  addEventListener("pagehide", now);
  addEventListener("hashchange", now);
  document.addEventListener("visibilitychange", now);
  const clear = async () => {
    done = true;
    if (timer) clearTimeout(timer);
    removeEventListener("pagehide", now);
    removeEventListener("hashchange", now);
    document.removeEventListener("visibilitychange", now);
    await store.deleteMeta(metaKey);
  };
  const note = saved ? h("p", { class: "banner", "data-draft-restored": true }, t("draft.restored"), " ",
    h("button", { type: "button", class: "button secondary", onclick: async () => { await clear(); restart(); } },
      t("draft.discard"))) : null;
  // a form whose choices depend on earlier ones (building → floor → unit) fills again
  // once each dependent list is drawn
  const refill = () => { if (saved && typeof saved === "object") fillForm(form, saved); };
  return { note, clear, refill };
}

/** The named values of a form (files aside; a checkbox as true/false). @param {HTMLFormElement} form */
function formValues(form) {
  /** @type {Record<string, any>} */ const values = {};
  for (const el of Array.from(form.elements)) {
    const input = /** @type {HTMLInputElement} */ (el);
    if (!input.name || input.type === "file" || input.type === "submit" || input.type === "button") continue;
    if (input.type === "checkbox") values[input.name] = input.checked;
    else if (input.type === "radio") { if (input.checked) values[input.name] = input.value; }
    else values[input.name] = input.value;
  }
  return values;
}

/** @param {HTMLFormElement} form @param {Record<string, any>} values */
function fillForm(form, values) {
  for (const el of Array.from(form.elements)) {
    const input = /** @type {HTMLInputElement} */ (el);
    if (!input.name || !(input.name in values) || input.type === "file") continue;
    const value = values[input.name];
    if (input.type === "checkbox") input.checked = Boolean(value);
    else if (input.type === "radio") input.checked = input.value === value;
    else input.value = value;
  }
}

/**
 * A photo picker: the camera input, thumbnails, and the downscaled captures.
 * @returns {{ node: HTMLElement, captures: () => any[] }}
 */
export function photoPicker() {
  /** @type {any[]} */ const captures = [];
  const thumbs = h("div", { class: "thumbs", "data-thumbs": true });
  const input = /** @type {HTMLInputElement} */ (h("input", {
    type: "file", accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden", "data-photo-input": true,
    onchange: async () => {
      for (const file of Array.from(input.files || [])) {
        const photo = await downscalePhoto(file);
        captures.push(photo);
        const url = URL.createObjectURL(new Blob([photo.bytes], { type: photo.mime }));
        thumbs.append(h("img", { src: url, alt: t("photo.alt", { n: captures.length }), class: "thumb" }));
      }
      input.value = "";
      count.textContent = captures.length ? t("photo.count", { n: captures.length }) : "";
    },
  }));
  const count = h("span", { class: "hint", "data-photo-count": true });
  const node = h("div", { class: "photos" },
    h("label", { class: "button secondary" }, input, t("photo.take")), count, thumbs);
  return { node, captures: () => captures };
}

/** The state chip of a record entry. @param {string} state */
export function stateChip(state) {
  return h("span", { class: `chip chip-${state}`, "data-state": state }, t(`state.${state}`));
}

/** A card with a heading. @param {string} title @param {...any} children */
export function card(title, ...children) {
  return h("section", { class: "card" }, h("h2", null, title), ...children);
}

/** @param {string} text */
export function empty(text) {
  return h("p", { class: "empty" }, text);
}

export { when, select };
