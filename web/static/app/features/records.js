// @ts-check
/**
 * My records (我的记录): everything I captured, with its state (pending, synced, rejected
 * with the reason, conflict with what the server kept), and the photos the server refused
 * for good (with its reason) under the record they belong to. Owns the two collections
 * that explain what became of a capture: its photos and signatures (`attachment`) and the
 * server's conflict records (`conflict`).
 */
import { h } from "../dom.js";
import { lang, t } from "../i18n.js";
import { conflictsOf, describeConflict, errorText, myRecords, photoProblems, reasonText, refusalText } from "../records-view.js";
import { defineFeature, summaryOf } from "../registry.js";
import * as store from "../store.js";
import { empty, stateChip, when } from "../screens/common.js";

/** @param {any} ctx */
async function records(ctx) {
  const all = await store.mineEntries(); // my captures, their photos and signatures among them
  const mine = myRecords(all);
  const conflicts = await store.list("conflict");
  const units = new Map((await store.list("unit")).map((u) => [u.id, u.code]));
  /** @type {import("../registry.js").Lookup} */ const lookup = { unitCode: (id) => (id ? units.get(id) || "" : "") };
  const photos = photoProblems(all, await store.refusedBlobs());
  const listed = new Set(mine.map((e) => e.id));
  const unplaced = photos.filter((p) => !p.parent_id || !listed.has(p.parent_id));
  return h("div", { class: "screen" },
    h("p", { class: "lead" }, t("records.lead", { n: mine.length })),
    unplaced.length ? h("ul", { class: "records" }, unplaced.map((p) => h("li", { class: "record record-rejected", "data-record": p.sha256, "data-collection": "attachment" },
      h("div", { class: "row" }, h("span", { class: "record-title" }, t("collection.attachment"))), photoProblem(p, ctx.refresh)))) : null,
    mine.length ? h("ul", { class: "records" }, mine.map((entry) => item(entry, conflicts, lookup, photos, ctx.refresh))) : empty(t("records.none")));
}

/**
 * A photo the server refused for good: which one, why, and "read" to stop the banner.
 * @param {ReturnType<typeof photoProblems>[number]} problem @param {() => Promise<void>} refresh
 */
function photoProblem(problem, refresh) {
  return h("div", { class: "reason", "data-photo-refused": problem.sha256 },
    h("p", null, problem.kind === "signature" ? t("records.signature_refused", { reason: refusalText(problem.reason, lang(), t) })
      : t("records.photo_refused", { reason: refusalText(problem.reason, lang(), t) })),
    h("p", { class: "hint" }, t("records.photo_kept")),
    problem.seen ? null : h("button", { type: "button", class: "button secondary", "data-acknowledge-photo": true, onclick: async () => {
      await store.acknowledgeRefusal(problem.sha256);
      await refresh();
    } }, t("records.acknowledge")));
}

/**
 * @param {any} entry @param {any[]} conflicts @param {import("../registry.js").Lookup} lookup
 * @param {ReturnType<typeof photoProblems>} photos @param {() => Promise<void>} refresh
 */
function item(entry, conflicts, lookup, photos, refresh) {
  const data = store.viewOf(entry) || entry.server || {};
  const problems = entry.state === "conflict" ? conflictsOf(entry, conflicts).map((c) => describeConflict(c, t)) : [];
  const link = entry.collection === "ticket" ? `#/ticket/${entry.id}` : null;
  const title = h("span", { class: "record-title" }, t(`collection.${entry.collection}`), " · ", summaryOf(entry.collection, data, lookup));
  const reason = errorText(entry.reason_code, null, lang(), t) || reasonText(entry.reason, lang());
  return h("li", { class: `record record-${entry.state}`, "data-record": entry.id, "data-collection": entry.collection, "data-state": entry.state },
    h("div", { class: "row" }, link ? h("a", { href: link }, title) : title, stateChip(entry.state)),
    h("p", { class: "hint" }, when(entry.touched_at)),
    entry.state === "rejected" ? h("p", { class: "reason", "data-reason": true }, t("records.rejected", { reason })) : null,
    entry.state === "conflict" ? h("div", { class: "conflict", "data-conflict": true },
      problems.length ? problems.map((p) => h("p", null, t("records.conflict", p))) : h("p", null, t("records.conflict_pending"))) : null,
    (entry.state === "conflict" || entry.state === "rejected") && !entry.acknowledged
      ? h("button", { type: "button", class: "button secondary", "data-acknowledge": true, onclick: async () => {
        await store.acknowledge(entry.collection, entry.id);
        await refresh();
      } }, t("records.acknowledge")) : null,
    photos.filter((p) => p.parent_id === entry.id).map((p) => photoProblem(p, refresh)));
}

export const feature = defineFeature({
  name: "records",
  collections: {
    attachment: { summary: (data) => [t(`collection.${data.parent_collection}`), t(`attachment.${data.kind}`)].filter(Boolean).join(" · ") },
    conflict: { summary: (data) => [describeConflict(data, t).field, t(`conflict.kind.${data.kind}`)].filter(Boolean).join(" · ") },
  },
  screens: { records: { render: records, tab: 90 } },
});
