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
    } finally {
      busy = false;
      for (const b of buttons) /** @type {HTMLButtonElement} */ (b).disabled = false;
      form.removeAttribute("aria-busy");
    }
  };
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
