// @ts-check
/** Today: the sync state and whether the phone is ready to go offline, then what to do —
 * the cards the features register (patrol rounds, vacant units due, planned visits, my
 * open tickets…), in their order. */
import { call } from "../api.js";
import { h } from "../dom.js";
import { lang, setLang, t } from "../i18n.js";
import { todayItems } from "../registry.js";
import { isoWeek, offlineReadiness } from "../schedule.js";
import * as store from "../store.js";
import { status, syncNow } from "../sync.js";
import { card, when } from "./common.js";

/** @param {import("./common.js").Context} ctx */
export async function today(ctx) {
  const me = ctx.session.user;
  const now = new Date();
  const [buildings, units, tickets, pending, items] = await Promise.all([
    store.list("building"), store.count("unit"), store.count("ticket"), store.outboxCount(),
    Promise.all(todayItems(me.role).map((item) => item.render(ctx, now)))]);
  const readiness = offlineReadiness({
    lastPullAt: (await store.getMeta("last_pull_at")) ?? null,
    workerReady: Boolean(navigator.serviceWorker?.controller),
    buildingIds: me.building_ids || [], cachedBuildingIds: buildings.map((b) => b.id),
  }, now);

  return h("div", { class: "screen" },
    h("p", { class: "lead" }, t("today.hello", { name: me.display_name }), " · ", isoWeek(now)),
    card(t("today.sync"),
      h("p", { "data-offline-ready": readiness.ready ? "yes" : "no", class: readiness.ready ? "ready ok" : "ready warn" },
        readiness.ready ? t("today.ready") : t("today.not_ready")),
      readiness.problems.length ? h("ul", { class: "problems" }, readiness.problems.map((p) => h("li", null, t(`ready.${p}`)))) : null,
      h("p", { class: "hint" }, t("today.cache", { buildings: buildings.length, units, tickets })),
      h("p", { class: "hint", "data-pending": pending }, t("today.pending", { n: pending }), " · ",
        status.lastSyncAt ? t("today.last_sync", { time: when(status.lastSyncAt) }) : t("badge.never")),
      h("button", { type: "button", class: "button secondary", "data-sync-now": true, onclick: async () => { await syncNow(); await ctx.refresh(); } }, t("today.sync_now"))),
    ...items,
    h("button", { type: "button", class: "button link", "data-lang": true, onclick: () => { setLang(lang() === "en" ? "zh-CN" : "en"); void ctx.refresh(); } }, t("lang.switch")),
    h("button", { type: "button", class: "button link", "data-logout": true, onclick: async () => {
      await store.setMeta("relogin_username", me.username);
      if (navigator.onLine) {
        // end the credential on the server too; offline, it simply expires
        await call("POST", "/api/v1/devices/logout").catch(() => undefined);
      }
      await store.forgetSession(); // captures and the outbox stay; they sync after the next login
      ctx.go("login");
    } }, t("today.logout")));
}
