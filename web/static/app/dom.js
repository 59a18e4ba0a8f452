// @ts-check
/** A tiny element builder (no HTML strings): h("button", { class: "big", onclick }, "保存"). */

/**
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string | null | undefined | false)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "value" && "value" in el) /** @type {any} */ (el).value = value;
    else if (name === "checked") /** @type {any} */ (el).checked = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** @param {HTMLElement} el @param {any[]} children */
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * A <select> from [value, label] pairs.
 * @param {Record<string, any>} attrs @param {[string, string][]} options @param {string | null} [selected]
 */
export function select(attrs, options, selected = null) {
  return h("select", attrs, options.map(([value, label]) => h("option", { value, selected: value === selected ? true : null }, label)));
}

/**
 * Big radio buttons in a row (segmented control), one per option.
 * @param {string} name @param {[string, string][]} options @param {string | null} checked
 * @param {string} [layout] "two" for long labels (two per row)
 */
export function choices(name, options, checked, layout = "") {
  return h("div", { class: layout ? `choices choices-${layout}` : "choices", role: "radiogroup" }, options.map(([value, label]) =>
    h("label", { class: "choice" },
      h("input", { type: "radio", name, value, checked: value === checked }),
      h("span", null, label))));
}

/** A labelled field. @param {string} text @param {Node} control @param {string | Node | null} [hint] */
export function field(text, control, hint = null) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, text), control, hint ? h("span", { class: "hint" }, hint) : null);
}

/** @param {HTMLFormElement} form @param {string} name */
export function value(form, name) {
  const el = /** @type {any} */ (form.elements.namedItem(name));
  if (!el) return null;
  if (el instanceof RadioNodeList) return el.value || null;
  if (el.type === "checkbox") return el.checked;
  return el.value === "" ? null : el.value;
}

/** Local time of an ISO timestamp, "11-22 08:05". @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
