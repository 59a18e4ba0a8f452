import assert from "node:assert/strict";
import { test } from "node:test";
import { badgeCounts, conflictsOf, describeConflict, errorText, myRecords, reasonText } from "../records-view.js";
import { nextStatus } from "../lifecycle.js";
import { loadApp } from "./served.js";

// Each form's intents now live with its feature (features/*.js, which registers them) and
// the ticket steps and My records' collections come from the served schema and the
// registry: load them as the app does at start-up, then import the builders.
await loadApp();
const { checkInIntent, findingIntents, roundStartIntent } = await import("../features/patrol.js");
const { vacantCheckIntents } = await import("../features/vacant.js");
const { visitIntents } = await import("../features/visits.js");
const { callbackIntents, paidLine, yuan } = await import("../features/tickets.js");

const ids = () => { let n = 0; return () => `id${++n}`; };
const NOW = "2026-11-22T02:00:00.000Z";
const photo = { sha256: "a".repeat(64), mime: "image/jpeg", bytes: new ArrayBuffer(10) };

test("a finding that raises a ticket: finding, ticket from it, link back, photos — in that order", () => {
  const { intents, findingId, ticketId } = findingIntents({
    roundId: "r", stewardId: "s", buildingId: "b", floor: "B1", area: "garage", unitId: null, kind: "safety_hazard",
    severity: "critical", description: "消防栓损坏", place: "1栋 B1 车库", raiseTicket: true, title: "安全隐患", photos: [photo],
  }, ids(), NOW);
  assert.deepEqual(intents.map((i) => [i.op, i.collection]), [["create", "finding"], ["create", "ticket"], ["update", "finding"], ["create", "attachment"]]);
  const ticket = intents[1];
  assert.equal(ticket.fields.source_finding_id, findingId);
  assert.equal(ticket.fields.priority, "urgent");
  assert.equal(ticket.fields.first_responder_id, undefined, "the server sets the first responder");
  assert.equal(ticket.local.first_responder_id, "s");
  assert.deepEqual(intents[2].changes, { ticket_id: ticketId });
  assert.deepEqual(intents[3].fields, { sha256: photo.sha256, parent_collection: "finding", parent_id: findingId, kind: "photo", mime: "image/jpeg", size: 10 });
  const plain = findingIntents({ ...intents[0].fields, roundId: "r", stewardId: "s", buildingId: "b", raiseTicket: false, photos: [] }, ids(), NOW);
  assert.deepEqual(plain.intents.map((i) => i.collection), ["finding"]);
});

test("a vacant check raises a ticket only for defects; the check's building is local only", () => {
  const unit = { id: "u", code: "1-0401", building_id: "b" };
  const base = { unit, stewardId: "s", week: "2026-W47", water: 12.5, electric: null, notes: "", raiseTicket: true, title: "t", defectsText: "漏水", photos: [] };
  const clean = vacantCheckIntents({ ...base, results: { leaks: "ok", power: "ok" } }, ids(), NOW);
  assert.deepEqual(clean.intents.map((i) => i.collection), ["vacant_check"]);
  assert.equal(clean.intents[0].fields.building_id, undefined);
  const broken = vacantCheckIntents({ ...base, results: { leaks: "defect", power: "ok" } }, ids(), NOW);
  assert.deepEqual(broken.intents.map((i) => i.collection), ["vacant_check", "ticket"]);
  assert.equal(broken.intents[1].fields.source_check_id, broken.checkId);
});

test("a callback visit: visit, archive update with base values, callback line, done → called_back, signature", () => {
  const household = { id: "h", version: 5, family_structure: null, residence: "unknown" };
  const ticket = { id: "t", version: 9, status: "done", satisfaction: null, building_id: "b", kind: "repair" };
  const { intents, visitId } = visitIntents({
    planned: null, unit: { id: "u", code: "1-0101", building_id: "b" }, household, ticket, stewardId: "s",
    purpose: "repair_callback", outcome: "修好了", satisfaction: 5, ownerWords: "满意", followUps: "", raiseFollowUp: true,
    followUpTitle: "f", archive: { family_structure: "三口之家", residence: "unknown" }, signature: { ...photo, mime: "image/png" },
  }, ids(), NOW);
  assert.deepEqual(intents.map((i) => [i.op, i.collection]), [
    ["create", "visit"], ["update", "household"], ["create", "ticket_event"], ["update", "ticket"], ["create", "attachment"]]);
  assert.deepEqual(intents[1].base, { family_structure: null });
  assert.equal(intents[2].fields.type, "callback");
  assert.deepEqual(intents[3].base, { status: "done", satisfaction: null });
  assert.deepEqual(intents[3].changes, { status: "called_back", satisfaction: 5 });
  assert.equal(intents[4].fields.kind, "signature");
  assert.equal(intents[4].fields.parent_id, visitId);
  assert.equal(intents[0].fields.signature_sha256, photo.sha256);
});

test("a visit that finds the unit under renovation updates the unit's occupancy with its base", () => {
  const unit = { id: "u", version: 2, code: "1-0101", building_id: "b", occupancy: "occupied" };
  const { intents } = visitIntents({ planned: null, unit, household: null, ticket: null, stewardId: "s", purpose: "routine",
    outcome: "", satisfaction: null, ownerWords: "", followUps: "", raiseFollowUp: false, followUpTitle: "", archive: {},
    occupancy: "renovating", signature: null }, ids(), NOW);
  assert.deepEqual(intents.map((i) => [i.op, i.collection]), [["create", "visit"], ["update", "unit"]]);
  assert.deepEqual(intents[1].base, { occupancy: "occupied" });
  const same = visitIntents({ planned: null, unit, household: null, ticket: null, stewardId: "s", purpose: "routine",
    outcome: "", satisfaction: null, ownerWords: "", followUps: "", raiseFollowUp: false, followUpTitle: "", archive: {},
    occupancy: "occupied", signature: null }, ids(), NOW);
  assert.deepEqual(same.intents.map((i) => i.collection), ["visit"]);
});

test("a callback on a ticket not yet done adds the line but does not move the status", () => {
  const intents = callbackIntents({ id: "t", status: "in_progress", building_id: "b" }, "s", "x", 4, ids(), NOW);
  assert.deepEqual(intents.map((i) => i.collection), ["ticket_event"]);
  assert.equal(nextStatus("done"), "called_back");
  assert.equal(nextStatus("closed"), null);
});

test("my records: problems first, conflicts described with what the server kept", () => {
  const entries = [
    { collection: "finding", id: "f", mine: true, state: "synced", touched_at: "2" },
    { collection: "ticket", id: "t", mine: true, state: "conflict", conflict_ids: ["c1"], touched_at: "1" },
    { collection: "unit", id: "u", mine: false, state: "synced" },
    { collection: "visit", id: "v", mine: true, state: "rejected", reason: "不在分管楼栋", touched_at: "3" },
  ];
  assert.deepEqual(myRecords(entries).map((e) => e.id), ["t", "v", "f"]);
  const conflict = { id: "c1", record_id: "t", field: "priority", kind: "field", kept_value: "urgent", lost_value: "low", status: "open" };
  const found = conflictsOf(entries[1], [conflict, { id: "c2", record_id: "other" }]);
  assert.deepEqual(found.map((c) => c.id), ["c1"]);
  const labels = { "field.priority": "优先级", "priority.urgent": "紧急", "priority.low": "低" };
  const t = (key) => labels[key] ?? key;
  assert.deepEqual(describeConflict(conflict, t), { field: "优先级", kept: "紧急", lost: "低", kind: "field", status: "open" });
  assert.deepEqual(badgeCounts(3, entries), { pending: 3, conflicts: 1, rejected: 1, photos: 0 });
});

test("a refusal reads as one sentence in the app's language, without ids", () => {
  const reason = "超出负责楼栋范围：building 7220ddcf | outside your assigned buildings: building 7220ddcf";
  assert.equal(reasonText(reason, "zh-CN"), "超出负责楼栋范围");
  assert.equal(reasonText(reason, "en"), "outside your assigned buildings");
  assert.equal(reasonText("不在范围", "en"), "不在范围");
  assert.equal(reasonText(null, "zh-CN"), "");
});

test("a server error reads from the catalogue by its code, the server's message as fallback", () => {
  const t = (/** @type {string} */ key) => ({ "error.out_of_scope": "超出负责楼栋范围" })[key] ?? key;
  assert.equal(errorText("out_of_scope", "whatever | whatever", "zh-CN", t), "超出负责楼栋范围");
  assert.equal(errorText("new_code", "新的原因：x | a new reason: x", "en", t), "a new reason");
  assert.equal(errorText("new_code", "用户名或密码错误 / wrong username or password", "en", t), "wrong username or password");
  assert.equal(errorText(null, null, "zh-CN", t), "");
});

test("a round starts with no building patrolled; a check-in adds one building, once", () => {
  const start = roundStartIntent({ user_id: "s" }, ids(), NOW);
  assert.deepEqual(start.fields.covered_building_ids, []);
  const round = { id: "r", version: 4, ...start.fields };
  assert.deepEqual(checkInIntent(round, "b1"), { op: "update", collection: "patrol_round", id: "r", base_version: 4,
    base: { covered_building_ids: [] }, changes: { covered_building_ids: ["b1"] } });
  const after = { ...round, covered_building_ids: ["b1"] };
  assert.deepEqual(checkInIntent(after, "b2")?.changes, { covered_building_ids: ["b1", "b2"] });
  assert.equal(checkInIntent(after, "b1"), null);
});

test("a paid service reads on one line: item, quantity, amount, paid or not (messages by key here)", () => {
  assert.equal(paidLine({ paid_item: null }), "");
  const record = { paid_item: "tap", paid_item_name: "换水龙头", paid_quantity: 2, paid_amount_fen: 1050,
    paid_method: null, paid_at: null };
  assert.equal(paidLine(record), "换水龙头 ×2 · paid.yuan · paid.unpaid");
  assert.equal(paidLine({ ...record, paid_method: "cash", paid_at: "2026-12-04T06:00:00.000Z" }),
    "换水龙头 ×2 · paid.yuan · paid.paid_by");
  assert.deepEqual([yuan(1050), yuan(5), yuan(100000), yuan(0)], ["10.50", "0.05", "1000.00", "0.00"]);
});
