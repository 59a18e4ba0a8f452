// @ts-check
/**
 * The app: register the service worker, load messages and the server's schema
 * (vocabularies, collections), route between screens (hash routes: the app's own and the
 * features'), keep the sync badge and banners current, and start automatic sync.
 */
import { h } from "./dom.js";
import { loadMessages, t } from "./i18n.js";
import { badgeCounts } from "./records-view.js";
import { mismatches } from "./registry.js";
import { storageLow } from "./storage-check.js";
import * as store from "./store.js";
import { events, startAutomaticSync, status, syncNow } from "./sync.js";
import { SCREENS, tabsFor } from "./screens/index.js";
import { collections, loadVocab } from "./vocab.js";

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
const LIVE_SCREENS = new Set(["today", "records"]);
let wasRunning = false;
let rendering = 0;

/**
 * Register the service worker; if it cannot install (a weak signal cut the precache short),
 * try again a little later, so that one online moment is enough to become offline-ready.
 * @param {number} attempt
 */
function registerWorker(attempt = 0) {
  const retry = () => {
    if (attempt < 6) setTimeout(() => registerWorker(attempt + 1), 3000 * (attempt + 1));
  };
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((registration) => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "redundant" && !registration.active) retry();
    });
  }, retry);
  // active but not controlling this page (it loaded while the worker activated): ask it
  navigator.serviceWorker.ready.then((registration) => {
    if (!navigator.serviceWorker.controller) registration.active?.postMessage("claim");
  });
}

async function boot() {
  if ("serviceWorker" in navigator) registerWorker();
  const [, vocabProblems] = await Promise.all([loadMessages(), loadVocab()]);
  // a build whose features and served schema disagree (tests/registry.test.js keeps it from shipping)
  const problems = [...vocabProblems, ...(collections().length ? mismatches(collections()) : [])];
  if (problems.length) console.error(`app and server schema disagree: ${problems.join("; ")}`);
  status.lastSyncAt = (await store.getMeta("last_sync_at")) ?? null;
  window.addEventListener("hashchange", () => void render());
  events.addEventListener("status", () => void onSyncStatus());
  document.addEventListener("save-failed", () => flash(t("save_failed"), "warn"));
  // the worker has cached the app and taken the page: Today says "ready" at once, not at
  // the next sync. Only Today with a session is redrawn: the login form may be half typed.
  navigator.serviceWorker?.addEventListener("controllerchange", async () => {
    if (route().name === "today" && (await store.getMeta("session"))) void render();
  });
  document.querySelector("[data-sync-badge]")?.addEventListener("click", () => void syncNow());
  await render();
  startAutomaticSync();
  void checkStorage();
}

/** The current route: ["today"], ["vacant", unitId], … */
function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return { name: SCREENS[name] ? name : "today", args: rest.map(decodeURIComponent) };
}

/** Render the screen of the current route (needs a session, else the login screen). */
export async function render() {
  const mine = ++rendering;
  const session = await store.getMeta("session");
  const { name, args } = route();
  const screen = session ? SCREENS[name] : SCREENS.login;
  const node = await screen({ session, args, go, flash, refresh: render });
  if (mine !== rendering) return;
  view.replaceChildren(node);
  document.title = `${t(`screen.${session ? name : "login"}`)} · ${t("app.name")}`;
  /** @type {HTMLElement} */ (document.querySelector("[data-title]")).textContent = t(`screen.${session ? name : "login"}`);
  renderTabs(session ? name : null, session?.user?.role);
  await refreshChrome();
}

/** Sync moved on: update the badge; redraw screens without forms once a run is over. */
async function onSyncStatus() {
  await refreshChrome();
  const finished = wasRunning && !status.running;
  wasRunning = status.running;
  if (finished && LIVE_SCREENS.has(route().name) && (await store.getMeta("session"))) await render();
}

/** @param {string} path e.g. "vacant/<id>" */
function go(path) {
  if (location.hash === `#/${path}`) void render();
  else location.hash = `#/${path}`;
  window.scrollTo(0, 0);
}

/** @param {string} text @param {"ok" | "warn"} [kind] */
function flash(text, kind = "ok") {
  const box = /** @type {HTMLElement} */ (document.querySelector("[data-flash]"));
  const note = h("p", { class: `flash-${kind}`, "data-flash-text": true }, text);
  box.replaceChildren(note);
  // this note only: an earlier note's timer must not clear a newer one with the same words
  setTimeout(() => { if (box.firstChild === note) box.replaceChildren(); }, 5000);
}

/** @param {string | null} current @param {string} [role] */
function renderTabs(current, role) {
  const nav = /** @type {HTMLElement} */ (document.querySelector("[data-tabs]"));
  nav.replaceChildren(...(current ? tabsFor(role).map((name) => h("a", {
    href: `#/${name}`, class: name === current ? "tab active" : "tab", "aria-current": name === current ? "page" : null,
    "data-tab": name,
  }, t(`screen.${name}`))) : []));
}

/** Why a sync failed, in the steward's words (the code stays in the console). @param {string} code */
function failureText(code) {
  const key = code.startsWith("http_5") ? "sync_failure.server" : `sync_failure.${code}`;
  const text = t(key);
  return text === key ? t("sync_failure.other") : text;
}

/** Sync badge (pending, last sync, errors) and the banners that need the steward. */
async function refreshChrome() {
  const counts = badgeCounts(await store.outboxCount(), await store.mineEntries(), await store.refusedBlobs());
  const badge = /** @type {HTMLElement} */ (document.querySelector("[data-sync-badge]"));
  const signedIn = Boolean(await store.getMeta("session"));
  const state = !signedIn && !counts.pending ? "signed_out" : status.running ? "running" : !navigator.onLine ? "offline"
    : status.error ? "error" : counts.pending ? "pending" : "ok";
  badge.dataset.state = state;
  badge.dataset.pending = String(counts.pending);
  const pendingText = counts.pending ? t("badge.pending", { n: counts.pending }) : "";
  badge.textContent = state === "offline" && pendingText ? `${t("badge.offline")} · ${pendingText}` : pendingText || t(`badge.${state}`);
  badge.title = status.lastSyncAt ? t("badge.last", { time: new Date(status.lastSyncAt).toLocaleString() }) : t("badge.never");
  const banners = [];
  if (status.needsLogin && signedIn) {
    banners.push(h("div", { class: "banner warn", "data-banner": "relogin" }, t("banner.relogin"),
      h("button", { type: "button", onclick: () => void relogin() }, t("banner.relogin.action"))));
  }
  if (status.updateRequired) banners.push(h("div", { class: "banner warn", "data-banner": "update" }, t("banner.update"),
    h("button", { type: "button", onclick: () => location.reload() }, t("banner.update.action"))));
  if (status.error && !status.needsLogin && !status.updateRequired && navigator.onLine) {
    banners.push(h("div", { class: "banner", "data-banner": "error" }, t("banner.sync_error", { reason: failureText(status.error.code) })));
  }
  if (counts.conflicts || counts.rejected || counts.photos) {
    const parts = [counts.conflicts ? t("banner.conflicts", { n: counts.conflicts }) : "", counts.rejected ? t("banner.rejected", { n: counts.rejected }) : "",
      counts.photos ? t("banner.photos_refused", { n: counts.photos }) : ""];
    banners.push(h("a", { class: "banner warn", href: "#/records", "data-banner": "problems" },
      t("banner.problems", { what: parts.filter(Boolean).join(t("banner.and")) })));
  }
  if (lowStorage) banners.push(h("div", { class: "banner warn", "data-banner": "storage" }, t("banner.storage")));
  /** @type {HTMLElement} */ (document.querySelector("[data-banners]")).replaceChildren(...banners);
}

/** A 401 from sync: log in again, keeping everything captured. */
async function relogin() {
  const session = await store.getMeta("session");
  await store.setMeta("relogin_username", session?.user?.username ?? "");
  await store.forgetSession();
  go("login");
}

let lowStorage = false;

/** Ask for persistent storage; warn when less than 10 % or 50 MB is left. */
async function checkStorage() {
  try {
    await navigator.storage?.persist?.();
    lowStorage = storageLow(await navigator.storage?.estimate?.());
    if (lowStorage) await refreshChrome();
  } catch {
    // storage manager unavailable: nothing to warn about
  }
}

void boot();
