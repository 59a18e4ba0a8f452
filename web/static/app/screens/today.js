// @ts-check
/** Today: what to do (patrol rounds, vacant units due, planned visits, my open tickets),
 * the sync state, and whether the phone is ready to go offline. */
import { call } from "../api.js";
import { h } from "../dom.js";
import { lang, setLang, t } from "../i18n.js";
import { isoWeek, myOpenTickets, offlineReadiness, patrolSlots, plannedVisits, vacantDue } from "../schedule.js";
import * as store from "../store.js";
import { status, syncNow } from "../sync.js";
import { card, empty, when } from "./common.js";

/** @param {import("./common.js").Context} ctx */
export async function today(ctx) {
  const me = ctx.session.user;
  const now = new Date();
  const [buildings, units, rounds, checks, visits, tickets, pending] = await Promise.all([
    store.list("building"), store.list("unit"), store.list("patrol_round"), store.list("vacant_check"),
    store.list("visit"), store.list("ticket"), store.outboxCount()]);
  const readiness = offlineReadiness({
    lastPullAt: (await store.getMeta("last_pull_at")) ?? null,
    workerReady: Boolean(navigator.serviceWorker?.controller),
    buildingIds: me.building_ids || [], cachedBuildingIds: buildings.map((b) => b.id),
  }, now);
  const unitCode = new Map(units.map((u) => [u.id, u.code]));
  const due = vacantDue(units, checks, now);
  const slots = patrolSlots(rounds, me.user_id, now);
  const planned = plannedVisits(visits, me.user_id);
  const open = myOpenTickets(tickets, me.user_id);

  return h("div", { class: "screen" },
    h("p", { class: "lead" }, t("today.hello", { name: me.display_name }), " · ", isoWeek(now)),
    card(t("today.sync"),
      h("p", { "data-offline-ready": readiness.ready ? "yes" : "no", class: readiness.ready ? "ready ok" : "ready warn" },
        readiness.ready ? t("today.ready") : t("today.not_ready")),
      readiness.problems.length ? h("ul", { class: "problems" }, readiness.problems.map((p) => h("li", null, t(`ready.${p}`)))) : null,
      h("p", { class: "hint" }, t("today.cache", { buildings: buildings.length, units: units.length, tickets: tickets.length })),
      h("p", { class: "hint", "data-pending": pending }, t("today.pending", { n: pending }), " · ",
        status.lastSyncAt ? t("today.last_sync", { time: when(status.lastSyncAt) }) : t("badge.never")),
      h("button", { type: "button", class: "button secondary", "data-sync-now": true, onclick: async () => { await syncNow(); await ctx.refresh(); } }, t("today.sync_now"))),
    card(t("today.patrol"),
      h("ul", { class: "list" }, slots.map(({ slot, round }) => h("li", { class: "row" },
        h("span", null, t(`slot.${slot}`)),
        h("span", { class: round ? "chip chip-synced" : "chip chip-todo" },
          round ? (round.status === "ended" ? t("round.done_at", { time: when(round.ended_at) }) : t("round.open")) : t("round.todo"))))),
      h("a", { class: "button primary", href: "#/patrol" }, t("today.go_patrol"))),
    card(t("today.vacant", { n: due.length }),
      due.length ? h("ul", { class: "list" }, due.slice(0, 8).map(({ unit, last, status: s }) => h("li", null,
        h("a", { class: "row link", href: `#/vacant/${unit.id}`, "data-vacant-unit": unit.id },
          h("span", null, unit.code),
          h("span", { class: `chip chip-${s}` }, t(`vacant.${s}`), last ? ` · ${last.week}` : ""))))) : empty(t("today.vacant_none"))),
    card(t("today.visits", { n: planned.length }),
      planned.length ? h("ul", { class: "list" }, planned.map((v) => h("li", null,
        h("a", { class: "row link", href: `#/visit/planned/${v.id}` },
          h("span", null, unitCode.get(v.unit_id) || "—", " · ", t(`purpose.${v.purpose}`)),
          h("span", { class: "hint" }, when(v.appointment_at)))))) : empty(t("today.visits_none"))),
    card(t("today.tickets", { n: open.length }),
      open.length ? h("ul", { class: "list" }, open.slice(0, 12).map((ticket) => h("li", null,
        h("a", { class: "row link", href: `#/ticket/${ticket.id}`, "data-ticket": ticket.id },
          h("span", null, ticket.number ? `${ticket.number} ` : "", ticket.title),
          h("span", { class: `chip chip-${ticket.status}` }, t(`status.${ticket.status}`)))))) : empty(t("today.tickets_none"))),
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
