// @ts-check
/** My records: everything I captured, with its state (pending, synced, rejected with the
 * reason, conflict with what the server kept), and the photos the server refused for good
 * (with its reason) under the record they belong to. */
import { h } from "../dom.js";
import { lang, t } from "../i18n.js";
import { conflictsOf, describeConflict, myRecords, photoProblems, reasonText, refusalText } from "../records-view.js";
import * as store from "../store.js";
import { card, empty, stateChip, when } from "./common.js";

/** @param {import("./common.js").Context} ctx */
export async function records(ctx) {
  const all = await store.allEntries();
  const mine = myRecords(all);
  const conflicts = all.filter((e) => e.collection === "conflict" && store.viewOf(e)).map(store.viewOf);
  const units = new Map(all.filter((e) => e.collection === "unit" && store.viewOf(e)).map((e) => [e.id, store.viewOf(e).code]));
  const photos = photoProblems(all, await store.refusedBlobs());
  const listed = new Set(mine.map((e) => e.id));
  const unplaced = photos.filter((p) => !p.parent_id || !listed.has(p.parent_id));
  return h("div", { class: "screen" },
    h("p", { class: "lead" }, t("records.lead", { n: mine.length })),
    unplaced.length ? h("ul", { class: "records" }, unplaced.map((p) => h("li", { class: "record record-rejected", "data-record": p.sha256, "data-collection": "attachment" },
      h("div", { class: "row" }, h("span", { class: "record-title" }, t("collection.attachment"))), photoProblem(p, ctx.refresh)))) : null,
    mine.length ? h("ul", { class: "records" }, mine.map((entry) => item(entry, conflicts, units, photos, ctx.refresh))) : empty(t("records.none")));
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
 * @param {any} entry @param {any[]} conflicts @param {Map<string, string>} units
 * @param {ReturnType<typeof photoProblems>} photos @param {() => Promise<void>} refresh
 */
function item(entry, conflicts, units, photos, refresh) {
  const data = store.viewOf(entry) || entry.server || {};
  const problems = entry.state === "conflict" ? conflictsOf(entry, conflicts).map((c) => describeConflict(c, t)) : [];
  const link = entry.collection === "ticket" ? `#/ticket/${entry.id}` : null;
  const title = h("span", { class: "record-title" }, t(`collection.${entry.collection}`), " · ", summary(entry.collection, data, units));
  return h("li", { class: `record record-${entry.state}`, "data-record": entry.id, "data-collection": entry.collection, "data-state": entry.state },
    h("div", { class: "row" }, link ? h("a", { href: link }, title) : title, stateChip(entry.state)),
    h("p", { class: "hint" }, when(entry.touched_at)),
    entry.state === "rejected" ? h("p", { class: "reason", "data-reason": true }, t("records.rejected", { reason: reasonText(entry.reason, lang()) })) : null,
    entry.state === "conflict" ? h("div", { class: "conflict", "data-conflict": true },
      problems.length ? problems.map((p) => h("p", null, t("records.conflict", p))) : h("p", null, t("records.conflict_pending"))) : null,
    (entry.state === "conflict" || entry.state === "rejected") && !entry.acknowledged
      ? h("button", { type: "button", class: "button secondary", "data-acknowledge": true, onclick: async () => {
        await store.acknowledge(entry.collection, entry.id);
        await refresh();
      } }, t("records.acknowledge")) : null,
    photos.filter((p) => p.parent_id === entry.id).map((p) => photoProblem(p, refresh)));
}

/** @param {string} collection @param {any} data @param {Map<string, string>} units */
function summary(collection, data, units) {
  const unit = data.unit_id ? units.get(data.unit_id) || "" : "";
  switch (collection) {
    case "finding": return [t(`finding.${data.kind}`), data.description].filter(Boolean).join(" · ");
    case "vacant_check": return [unit, data.week].filter(Boolean).join(" · ");
    case "visit": return [unit, t(`purpose.${data.purpose}`)].filter(Boolean).join(" · ");
    case "ticket": return [data.number, data.title].filter(Boolean).join(" ");
    case "patrol_round": return when(data.started_at);
    case "household": return data.owner_name || "";
    default: return data.id || "";
  }
}
