// @ts-check
/**
 * Messages of the app (zh-CN default, en), from /app/messages.json (the server merges
 * web/i18n/*.json; the service worker keeps it offline). The choice is kept on the phone.
 */

/** @type {Record<string, Record<string, string>>} */
let catalogue = { "zh-CN": {}, en: {} };
let language = "zh-CN";

export async function loadMessages() {
  try {
    catalogue = await (await fetch("/app/messages.json")).json();
  } catch {
    // first start with no network and nothing cached yet: keys show until the next start
  }
  language = localStorage.getItem("lang") === "en" ? "en" : "zh-CN";
  document.documentElement.lang = language;
}

export function lang() {
  return language;
}

/** @param {"zh-CN" | "en"} next */
export function setLang(next) {
  language = next;
  localStorage.setItem("lang", next);
  document.documentElement.lang = next;
}

/**
 * The message for `key` ({name} placeholders filled): the app's own `phone.<key>` (from
 * web/i18n/app.json), else the shared `<key>`; Chinese when English lacks it, the key
 * itself when neither has it.
 * @param {string} key @param {Record<string, any>} [params]
 */
export function t(key, params) {
  const text = lookup(language, `phone.${key}`) ?? lookup(language, key) ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? "")) : text;
}

/** @param {string} lang @param {string} key @returns {string | undefined} */
function lookup(lang, key) {
  return catalogue[lang]?.[key] ?? catalogue["zh-CN"]?.[key];
}

/** [code, label] pairs of a vocabulary, labels from `prefix.code`. @param {string} prefix @param {string[]} codes */
export function options(prefix, codes) {
  return codes.map((code) => /** @type {[string, string]} */ ([code, t(`${prefix}.${code}`)]));
}
