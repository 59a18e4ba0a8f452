import assert from "node:assert/strict";
import { test } from "node:test";
import { loadApp } from "./served.js";

await loadApp();
const { inspectionIntents, localDay, offeredKinds, openNotice, renovationsDue } = await import("../features/renovation.js");

const ids = () => { let n = 0; return () => `id${++n}`; };
const NOW = "2026-11-30T02:00:00.000Z";
const photo = { sha256: "a".repeat(64), mime: "image/jpeg", bytes: new ArrayBuffer(10) };
const signature = { sha256: "b".repeat(64), mime: "image/png", bytes: new ArrayBuffer(20) };
const base = { id: "r1", version: 7, building_id: "b1", status: "completed", first_on: null, first_inspection_id: null };

test("the phone's day is its own local calendar day", () => {
  assert.equal(localDay(new Date(2026, 10, 30, 23, 59)), "2026-11-30");
  assert.equal(localDay(new Date(2027, 0, 1, 0, 1)), "2027-01-01");
});

test("Today: 初验 of completed cases, 复验 from a week before its day, soonest first", () => {
  const cases = [
    { id: "a", status: "completed", first_due: "2026-11-30" },
    { id: "b", status: "first_passed", second_due: "2027-02-28" },
    { id: "c", status: "passes_returned", second_due: "2027-02-28" },
    { id: "d", status: "permitted" },
  ];
  assert.deepEqual(renovationsDue(cases, "2026-11-24").map((d) => [d.renovation.id, d.kind, d.overdue]), [["a", "first", false]]);
  const spring = renovationsDue(cases, "2027-02-22");
  assert.deepEqual(spring.map((d) => [d.renovation.id, d.kind, d.ready, d.overdue]),
    [["a", "first", true, true], ["b", "second", false, false], ["c", "second", true, false]]);
  assert.deepEqual(renovationsDue(cases, "2027-02-20").map((d) => d.renovation.id), ["a"]);
});

test("the next inspection checks the latest notice nobody has checked", () => {
  const first = { id: "i1", notice: "清运垃圾", inspected_at: "2026-09-10T02:00:00Z" };
  const check = { id: "i2", notice: "", checks_notice_id: "i1", inspected_at: "2026-09-13T02:00:00Z" };
  assert.equal(openNotice([first]).id, "i1");
  assert.equal(openNotice([first, check]), null);
  assert.equal(openNotice([]), null);
});

test("the steps the phone offers: the test, patrols during the works, 初验, 复验 once the passes are back", () => {
  assert.deepEqual(offeredKinds("fees_paid"), ["test"]);
  assert.deepEqual(offeredKinds("permitted"), ["patrol"]);
  assert.deepEqual(offeredKinds("completed"), ["first", "patrol"]);
  assert.deepEqual(offeredKinds("first_passed"), []);
  assert.deepEqual(offeredKinds("passes_returned"), ["second"]);
});

test("a passed 初验: the inspection, the case's step naming it, photos, the signature — in that order", () => {
  const { inspectionId, intents } = inspectionIntents({
    renovation: base, kind: "first", stewardId: "s", day: "2026-11-30", results: { structure: "ok" }, findings: "",
    notice: "ignored", noticeDue: "2026-12-01", checked: null, noticeResult: null, passed: true, signature, photos: [photo],
  }, ids(), NOW);
  assert.deepEqual(intents.map((i) => [i.op, i.collection]), [["create", "renovation_inspection"], ["update", "renovation"],
    ["create", "attachment"], ["create", "attachment"]]);
  assert.equal(intents[0].fields.notice, "", "only a patrol issues a notice");
  assert.equal(intents[0].fields.signature_sha256, signature.sha256);
  assert.deepEqual(intents[1].changes, { status: "first_passed", first_on: "2026-11-30", first_inspection_id: inspectionId });
  assert.deepEqual(intents[1].base, { status: "completed", first_on: null, first_inspection_id: null });
  assert.equal(intents[3].fields.kind, "signature");
});

test("a failed 初验 or a patrol moves no step; a patrol checks the open notice and may issue one", () => {
  const failed = inspectionIntents({ renovation: base, kind: "first", stewardId: "s", day: "2026-11-30", results: {}, findings: "墙体开裂",
    notice: "", noticeDue: null, checked: null, noticeResult: null, passed: false, signature: null, photos: [] }, ids(), NOW);
  assert.deepEqual(failed.intents.map((i) => i.collection), ["renovation_inspection"]);
  const patrol = inspectionIntents({ renovation: { ...base, status: "permitted" }, kind: "patrol", stewardId: "s", day: "2026-09-13",
    results: { rubbish: "defect" }, findings: "", notice: "清运垃圾", noticeDue: "2026-09-16", checked: { id: "i1" },
    noticeResult: "not_rectified", passed: true, signature: null, photos: [] }, ids(), NOW);
  const fields = patrol.intents[0].fields;
  assert.deepEqual([fields.passed, fields.notice, fields.notice_due, fields.checks_notice_id, fields.notice_result],
    [null, "清运垃圾", "2026-09-16", "i1", "not_rectified"]);
  assert.equal(patrol.intents.length, 1);
});

test("a neighbour's complaint is a complaint ticket naming the case and its unit", async () => {
  const { complaintIntents } = await import("../features/renovation.js");
  const { ticketId, intents } = complaintIntents({ renovation: { id: "r1", unit_id: "u1", building_id: "b1" }, unit: { code: "1-0101" },
    stewardId: "s", title: "1-0101 装修扰民投诉", description: "晚上十点还在电钻", reporterName: "", reporterPhone: "" }, ids());
  assert.equal(intents.length, 1);
  assert.equal(intents[0].id, ticketId);
  assert.deepEqual([intents[0].fields.kind, intents[0].fields.renovation_id, intents[0].fields.unit_id, intents[0].fields.reporter_name],
    ["complaint", "r1", "u1", null]);
  assert.equal(intents[0].local.building_id, "b1");
});

test("a paper photographed for the case: the paper added to those on file (once), its photos on the case", async () => {
  const { paperIntents } = await import("../features/renovation.js");
  const renovation = { id: "r1", version: 3, building_id: "b1", papers: ["application"] };
  const intents = paperIntents({ renovation, paper: "agreement", photos: [photo] }, ids());
  assert.deepEqual(intents.map((i) => [i.op, i.collection]), [["update", "renovation"], ["create", "attachment"]]);
  assert.deepEqual(intents[0].changes, { papers: ["application", "agreement"] });
  assert.deepEqual([intents[1].fields.parent_collection, intents[1].fields.parent_id], ["renovation", "r1"]);
  assert.deepEqual(paperIntents({ renovation, paper: "application", photos: [photo] }, ids()).map((i) => i.collection), ["attachment"]);
});
