// @ts-check
/**
 * Renovation supervision (装修, 应会 3): the units under renovation in my buildings, each
 * case's steps and inspections; an inspection on patrol (findings with photos, a
 * rectification notice with its deadline, which the next inspection checks), the owner-signed
 * pressure/water-closure test, 初验 and 复验 with their checklist, photos and the owner's
 * signature, all offline; Today lists the 初验 and 复验 due. The desk opens cases and takes
 * the other steps; the server computes the due days (sync/renovation.py).
 */
import { choices, field, h, value } from "../dom.js";
import { t } from "../i18n.js";
import { attachmentIntents } from "../intents.js";
import { updateIntent } from "../outbox.js";
import { signaturePad } from "../media.js";
import { defineFeature, FIELD_WORK_ROLES } from "../registry.js";
import * as store from "../store.js";
import { codes } from "../vocab.js";
import { card, empty, keepDraft, newId, photoPicker, save, submitOnce } from "../screens/common.js";
import { ticketCreate } from "./tickets.js";

/** The step an inspection of each kind takes when it passes, and the case's fields it sets. */
export const STEP_OF = {
  test: { from: "fees_paid", to: "tested", day: "tested_on", link: "test_inspection_id" },
  first: { from: "completed", to: "first_passed", day: "first_on", link: "first_inspection_id" },
  second: { from: "passes_returned", to: "second_passed", day: "second_on", link: "second_inspection_id" },
};
/** The kinds of inspection a case offers on the phone at its step: the step's own (the
 * test, 初验, 复验), and patrols while the works go on. @param {string} status */
export function offeredKinds(status) {
  /** @type {string[]} */ const kinds = Object.entries(STEP_OF).filter(([, s]) => s.from === status).map(([kind]) => kind);
  if (status === "tested" || status === "permitted" || status === "completed") kinds.push("patrol");
  return kinds;
}
const DUE_AHEAD_DAYS = 7;

/** The phone's own calendar day, "2026-11-30". @param {Date} now */
export function localDay(now) {
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

/** A day `days` later. @param {string} day @param {number} days */
function plusDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Is the case open (the unit 装修中)? @param {any} c */
export function isOpen(c) {
  return c.status !== "refunded" && !c.deleted;
}

/**
 * The 初验 and 复验 due, soonest first: 初验 of every completed case; 复验 from a week before
 * its day (it waits for the desk to take the passes back: `ready` false until then).
 * @param {any[]} cases @param {string} today
 */
export function renovationsDue(cases, today) {
  const found = [];
  for (const c of cases) {
    if (c.status === "completed" && c.first_due) found.push({ renovation: c, kind: "first", due: c.first_due, ready: true });
    if ((c.status === "first_passed" || c.status === "passes_returned") && c.second_due && c.second_due <= plusDays(today, DUE_AHEAD_DAYS)) {
      found.push({ renovation: c, kind: "second", due: c.second_due, ready: c.status === "passes_returned" });
    }
  }
  return found.map((d) => ({ ...d, overdue: d.due < today })).sort((a, b) => a.due.localeCompare(b.due));
}

/**
 * The rectification notice the next inspection checks: the latest notice no later
 * inspection has checked (null: none open).
 * @param {any[]} inspections
 */
export function openNotice(inspections) {
  const checked = new Set(inspections.map((i) => i.checks_notice_id).filter(Boolean));
  return [...inspections].filter((i) => i.notice && !checked.has(i.id))
    .sort((a, b) => String(b.inspected_at).localeCompare(String(a.inspected_at)))[0] || null;
}

/**
 * An inspection (create-only) with its photos and the owner's signature; a passed test,
 * 初验 or 复验 also takes the case's step (its day, and the inspection that shows it).
 * @param {{ renovation: any, kind: "test" | "patrol" | "first" | "second", stewardId: string, day: string,
 *   results: Record<string, string>, findings: string, notice: string, noticeDue: string | null,
 *   checked: any | null, noticeResult: string | null, passed: boolean | null,
 *   signature: import("../intents.js").Capture | null, photos: import("../intents.js").Capture[] }} form
 * @param {() => string} newId @param {string} now
 */
export function inspectionIntents(form, newId, now) {
  const building = form.renovation.building_id;
  const inspectionId = newId();
  const notice = form.kind === "patrol" ? form.notice : "";
  /** @type {import("../outbox.js").Intent[]} */ const intents = [{ op: "create", collection: "renovation_inspection", id: inspectionId, fields: {
    renovation_id: form.renovation.id, kind: form.kind, inspected_at: now, inspected_on: form.day, steward_id: form.stewardId,
    results: form.results, findings: form.findings, notice, notice_due: notice ? form.noticeDue : null,
    checks_notice_id: form.checked?.id ?? null, notice_result: form.checked ? form.noticeResult : null,
    passed: form.kind === "patrol" ? null : form.passed, signature_sha256: form.signature?.sha256 ?? null,
  }, local: { building_id: building } }];
  const step = form.kind === "patrol" ? null : STEP_OF[form.kind];
  if (step && form.passed && form.renovation.status === step.from) {
    const update = updateIntent("renovation", form.renovation, { status: step.to, [step.day]: form.day, [step.link]: inspectionId });
    if (update) intents.push(update);
  }
  intents.push(...attachmentIntents("renovation_inspection", inspectionId, form.photos, "photo", newId, building));
  if (form.signature) intents.push(...attachmentIntents("renovation_inspection", inspectionId, [form.signature], "signature", newId, building));
  return { inspectionId, intents };
}

/**
 * A neighbour's complaint about a renovation: a complaint ticket naming the case (and its unit).
 * @param {{ renovation: any, unit: any, stewardId: string, title: string, description: string,
 *   reporterName: string, reporterPhone: string }} form @param {() => string} newId
 */
export function complaintIntents(form, newId) {
  const ticketId = newId();
  return { ticketId, intents: [ticketCreate(ticketId, {
    kind: "complaint", title: form.title, description: form.description, unit_id: form.renovation.unit_id,
    place: form.unit?.code || "", channel: "patrol", reporter_name: form.reporterName || null, reporter_phone: form.reporterPhone || null,
    renovation_id: form.renovation.id,
  }, form.stewardId, form.renovation.building_id)] };
}

/**
 * Papers photographed for the case (装修资料: the agreement, the forms, the pledge…): the
 * paper recorded as on file (a list that only grows) and its photos attached to the case.
 * @param {{ renovation: any, paper: string, photos: import("../intents.js").Capture[] }} form @param {() => string} newId
 */
export function paperIntents(form, newId) {
  /** @type {import("../outbox.js").Intent[]} */ const intents = [];
  const papers = form.renovation.papers || [];
  if (!papers.includes(form.paper)) {
    const update = updateIntent("renovation", form.renovation, { papers: [...papers, form.paper] });
    if (update) intents.push(update);
  }
  intents.push(...attachmentIntents("renovation", form.renovation.id, form.photos, "photo", newId, form.renovation.building_id));
  return intents;
}

/** My open cases with their units, by unit code. */
async function openCases() {
  const cases = (await store.list("renovation")).filter(isOpen);
  const units = await Promise.all(cases.map((c) => store.get("unit", c.unit_id)));
  return cases.map((c, i) => ({ renovation: c, unit: units[i] }))
    .sort((a, b) => String(a.unit?.code).localeCompare(String(b.unit?.code), "zh-CN", { numeric: true }));
}

function missing() {
  return h("div", { class: "screen" }, empty(t("not_found")));
}

/** @param {any} ctx */
async function renovation(ctx) {
  const [id, action, kind] = ctx.args;
  if (id && action === "inspect" && kind) return inspectForm(ctx, id, /** @type {any} */ (kind));
  if (id && action === "complaint") return complaintForm(ctx, id);
  if (id && action === "papers") return papersForm(ctx, id);
  if (id) return caseView(ctx, id);
  const rows = await openCases();
  const due = renovationsDue(rows.map((r) => r.renovation), localDay(new Date()));
  return h("div", { class: "screen" }, card(t("renovation.units", { n: rows.length }), rows.length ? await caseList(rows, due) : empty(t("renovation.none"))));
}

/**
 * The open cases, each with its step and an open notice.
 * @param {{ renovation: any, unit: any }[]} rows @param {{ renovation: any }[]} due
 */
async function caseList(rows, due) {
  const dueIds = new Set(due.map((d) => d.renovation.id));
  const notices = await Promise.all(rows.map(async (r) => openNotice(await store.find("renovation_inspection", "renovation_id", r.renovation.id))));
  return h("ul", { class: "list" }, rows.map((r, i) => h("li", null,
    h("a", { class: "row link", href: `#/renovation/${r.renovation.id}`, "data-renovation-case": r.renovation.id },
      h("span", null, r.unit?.code || "—", r.renovation.owner_name ? ` · ${r.renovation.owner_name}` : ""),
      h("span", null,
        h("span", { class: `chip${dueIds.has(r.renovation.id) ? " chip-due" : ""}` }, t(`renovation.status.${r.renovation.status}`)),
        notices[i] ? h("span", { class: "chip chip-overdue", "data-open-notice": true }, t("renovation.open_notice")) : null)))));
}

/** @param {any} ctx @param {string} id */
async function caseView(ctx, id) {
  const c = await store.get("renovation", id);
  if (!c) return missing();
  const unit = await store.get("unit", c.unit_id);
  const inspections = (await store.find("renovation_inspection", "renovation_id", id))
    .sort((a, b) => String(a.inspected_at).localeCompare(String(b.inspected_at)));
  const notice = openNotice(inspections);
  const offered = offeredKinds(c.status);
  return h("div", { class: "screen" },
    card(`${unit?.code || ""} · ${t("renovation.title")}`,
      h("p", { class: "lead", "data-case-status": c.status }, t(`renovation.status.${c.status}`), c.contractor ? ` · ${c.contractor}` : ""),
      c.first_due && c.status === "completed" ? h("p", { class: "banner" }, t("renovation.due_first", { unit: "", due: c.first_due })) : null,
      c.second_due && (c.status === "first_passed" || c.status === "passes_returned") ? h("p", { class: "banner" }, t("renovation.due_second", { unit: "", due: c.second_due })) : null,
      notice ? h("p", { class: "banner warn", "data-open-notice": notice.id }, t("renovation.check_notice", { notice: notice.notice, due: notice.notice_due || "—" })) : null,
      h("div", { class: "stack" }, offered.map((kind) => h("a", { class: `button ${kind === "patrol" ? "secondary" : "primary"}`, href: `#/renovation/${id}/inspect/${kind}`, "data-inspect": kind },
        t(kind === "patrol" ? "renovation.inspect" : `renovation.${kind}`))),
      h("a", { class: "button secondary", href: `#/renovation/${id}/papers`, "data-papers": true }, t("renovation.papers")),
      h("a", { class: "button secondary", href: `#/renovation/${id}/complaint`, "data-complain": true }, t("renovation.complain")))),
    card(t("collection.renovation_inspection"), inspections.length ? h("ul", { class: "list" }, inspections.map((i) => h("li", { class: "row", "data-inspection": i.kind },
      h("span", null, i.inspected_on, " · ", t(`renovation.kind.${i.kind}`), i.passed === true ? ` · ${t("renovation.passed")}` : i.passed === false ? ` · ${t("renovation.failed")}` : ""),
      h("span", { class: "hint" }, [i.notice, i.notice_result ? t(`renovation.${i.notice_result}`) : "", i.findings].filter(Boolean).join(" · "))))) : empty("—")));
}

/** Photograph a paper of the case. @param {any} ctx @param {string} id */
async function papersForm(ctx, id) {
  const c = await store.get("renovation", id);
  if (!c) return missing();
  const photos = photoPicker();
  const problem = h("div");
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-renovation-papers": true, onsubmit: submitOnce(async () => {
    if (!photos.captures().length) {
      problem.replaceChildren(h("p", { class: "banner warn", role: "alert" }, t("renovation.paper_photo_needed")));
      return;
    }
    const paper = String(value(form, "paper") || codes("renovation_paper")[0]);
    await save(paperIntents({ renovation: c, paper, photos: photos.captures() }, newId), photos.captures(), ctx);
    ctx.go(`renovation/${id}`);
  }) },
  h("p", { class: "lead" }, (c.papers || []).map((/** @type {string} */ p) => t(`renovation.paper.${p}`)).join("、") || "—"),
  field(t("renovation.paper_kind"), choices("paper", codes("renovation_paper").map((p) => [p, t(`renovation.paper.${p}`)]), codes("renovation_paper")[0], "two")),
  photos.node, problem,
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  return h("div", { class: "screen" }, card(t("renovation.papers"), form));
}

/** A neighbour's complaint, from the case. @param {any} ctx @param {string} id */
async function complaintForm(ctx, id) {
  const c = await store.get("renovation", id);
  if (!c) return missing();
  const unit = await store.get("unit", c.unit_id);
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-renovation-complaint": true, onsubmit: submitOnce(async () => {
    const text = (/** @type {string} */ name) => String(value(form, name) || "").trim();
    const { intents } = complaintIntents({ renovation: c, unit, stewardId: ctx.session.user.user_id,
      title: t("renovation.complaint_title", { unit: unit?.code || "" }), description: text("description"),
      reporterName: text("reporter_name"), reporterPhone: text("reporter_phone") }, newId);
    await save(intents, [], ctx);
    ctx.go(`renovation/${id}`);
  }) },
  h("p", { class: "lead" }, t("renovation.complaint_title", { unit: unit?.code || "" })),
  field(t("renovation.complaint_what"), h("textarea", { name: "description", rows: 3, required: true, "data-description": true })),
  field(t("renovation.complainant"), h("input", { name: "reporter_name", maxlength: 50 })),
  field(t("renovation.complainant_phone"), h("input", { name: "reporter_phone", type: "tel", maxlength: 30 })),
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  return h("div", { class: "screen" }, card(t("renovation.complain"), form));
}

/**
 * @param {any} ctx @param {string} id @param {"test" | "patrol" | "first" | "second"} kind
 */
async function inspectForm(ctx, id, kind) {
  const me = ctx.session.user;
  const c = await store.get("renovation", id);
  if (!c || !Object.keys({ ...STEP_OF, patrol: 1 }).includes(kind)) return missing();
  const unit = await store.get("unit", c.unit_id);
  const notice = kind === "patrol" ? openNotice(await store.find("renovation_inspection", "renovation_id", id)) : null;
  const checks = kind === "test" ? [] : codes("renovation_check");
  const signed = kind !== "patrol";
  const photos = photoPicker();
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "signature", "data-signature": true, "aria-label": t("renovation.signature") }));
  const pad = signed ? signaturePad(canvas) : null;
  const problem = h("div", { "data-form-problem": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-renovation-form": kind, onsubmit: submitOnce(async () => {
    const text = (/** @type {string} */ name) => String(value(form, name) || "").trim();
    const passed = signed ? value(form, "passed") === "yes" : null;
    if (pad && passed && pad.isEmpty()) {
      problem.replaceChildren(h("p", { class: "banner warn", role: "alert" }, t("renovation.signature_needed")));
      return;
    }
    /** @type {Record<string, string>} */ const results = {};
    for (const item of checks) results[item] = value(form, `check_${item}`) || "ok";
    const signature = pad && !pad.isEmpty() ? await pad.export() : null;
    const now = new Date();
    const { intents } = inspectionIntents({
      renovation: c, kind, stewardId: me.user_id, day: localDay(now), results, findings: text("findings"),
      notice: text("notice"), noticeDue: /** @type {string | null} */ (value(form, "notice_due")), checked: notice,
      noticeResult: /** @type {string | null} */ (value(form, "notice_result")), passed, signature, photos: photos.captures(),
    }, newId, now.toISOString());
    await save(intents, [...photos.captures(), ...(signature ? [signature] : [])], ctx);
    await draft.clear();
    ctx.go(`renovation/${id}`);
  }) },
  h("p", { class: "lead" }, unit?.code || "", " · ", t(`renovation.kind.${kind}`)),
  notice ? h("fieldset", { class: "stack" }, h("legend", null, t("renovation.check_notice", { notice: notice.notice, due: notice.notice_due || "—" })),
    choices("notice_result", [["rectified", t("renovation.rectified")], ["not_rectified", t("renovation.not_rectified")]], "rectified")) : null,
  ...checks.map((item) => field(t(`renovation.check.${item}`), choices(`check_${item}`, [["ok", t("renovation.ok")], ["defect", t("renovation.violation")]], "ok"))),
  field(t("renovation.findings"), h("textarea", { name: "findings", rows: 2, "data-findings": true })),
  kind === "patrol" ? field(t("renovation.notice"), h("textarea", { name: "notice", rows: 2, "data-notice": true })) : null,
  kind === "patrol" ? field(t("renovation.notice_due"), h("input", { name: "notice_due", type: "date", "data-notice-due": true })) : null,
  signed ? field(t("renovation.result"), choices("passed", [["yes", t("renovation.passed")], ["no", t("renovation.failed")]], "yes")) : null,
  photos.node,
  signed ? h("div", { class: "field" }, h("span", { class: "field-label" }, t("renovation.signature")), canvas,
    h("button", { type: "button", class: "button secondary", onclick: () => pad?.clear() }, t("renovation.signature_clear"))) : null,
  problem,
  h("button", { type: "submit", class: "button primary", "data-save": true }, t("save"))));
  const draft = await keepDraft(form, `renovation:${id}:${kind}`, () => void ctx.refresh());
  return h("div", { class: "screen" }, card(t(kind === "patrol" ? "renovation.inspect" : `renovation.${kind}`), draft.note, form));
}

/**
 * Today: the units under renovation in my buildings (what a patrol looks in on), the 初验
 * and 复验 due first. @param {any} _ctx @param {Date} now
 */
async function underRenovation(_ctx, now) {
  const rows = await openCases();
  const units = new Map(rows.map((r) => [r.renovation.id, r.unit]));
  const due = renovationsDue(rows.map((r) => r.renovation), localDay(now));
  return card(t("today.renovation", { n: rows.length }),
    due.length ? h("ul", { class: "list" }, due.map((d) => h("li", null,
      h("a", { class: "row link", href: d.ready ? `#/renovation/${d.renovation.id}/inspect/${d.kind}` : `#/renovation/${d.renovation.id}`, "data-renovation-due": d.kind },
        h("span", null, t(`renovation.due_${d.kind}`, { unit: units.get(d.renovation.id)?.code || "", due: d.due })),
        d.overdue ? h("span", { class: "chip chip-overdue" }, t("renovation.overdue")) : null)))) : null,
    rows.length ? await caseList(rows, due) : empty(t("renovation.none")));
}

export const feature = defineFeature({
  name: "renovation",
  collections: {
    renovation: { summary: (data, { unitCode }) => [unitCode(data.unit_id), t(`renovation.status.${data.status}`)].filter(Boolean).join(" · ") },
    renovation_inspection: { listed: true, summary: (data) => [data.inspected_on, t(`renovation.kind.${data.kind}`)].filter(Boolean).join(" · ") },
  },
  indexes: { renovation_inspection: ["renovation_id"] },
  // no tab of its own (the tab bar is full): Today lists the units under renovation
  screens: { renovation: { render: renovation, roles: FIELD_WORK_ROLES } },
  today: [{ order: 25, render: underRenovation, roles: FIELD_WORK_ROLES }],
  intents: { inspectionIntents, complaintIntents, paperIntents },
});
