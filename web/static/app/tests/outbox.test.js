import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assignSeqs, classifyFailure, matchResults, nextBatch, overlay, renumber, stateAfter, toWire, updateIntent,
} from "../outbox.js";

const stamp = (() => { let n = 0; return () => `hlc-${++n}`; })();

test("seqs are consecutive from the next free seq, in the order of the intents", () => {
  const intents = [
    { op: "create", collection: "finding", id: "f1", fields: { kind: "parking" } },
    { op: "create", collection: "ticket", id: "t1", fields: { title: "x" } },
    { op: "update", collection: "finding", id: "f1", base_version: 0, base: { ticket_id: null }, changes: { ticket_id: "t1" } },
  ];
  const { mutations, nextSeq } = assignSeqs(intents, 7, stamp, "2026-11-22T08:00:00.000Z");
  assert.deepEqual(mutations.map((m) => m.seq), [7, 8, 9]);
  assert.equal(nextSeq, 10);
  assert.ok(mutations.every((m) => m.hlc && m.client_time === "2026-11-22T08:00:00.000Z"));
});

test("an update carries only the changed fields, each with its value before the edit", () => {
  const record = { id: "h1", version: 12, family_structure: "两口之家", residence: "unknown", special_needs: null };
  const intent = updateIntent("household", record, { family_structure: "三口之家", residence: "unknown", special_needs: "" });
  assert.deepEqual(intent, {
    op: "update", collection: "household", id: "h1", base_version: 12,
    base: { family_structure: "两口之家", special_needs: null }, changes: { family_structure: "三口之家", special_needs: "" },
  });
  assert.equal(updateIntent("household", record, { residence: "unknown" }), null);
});

test("the next batch is the lowest seqs in order, capped", () => {
  const outbox = [5, 3, 4, 1, 2].map((seq) => ({ seq }));
  assert.deepEqual(nextBatch(outbox, 3).map((m) => m.seq), [1, 2, 3]);
});

test("failures: network and 5xx retry, 401 asks for a login, 426 for an update, seq_gap has expected", () => {
  assert.equal(classifyFailure(null, null).kind, "retry");
  assert.equal(classifyFailure(503, { code: "unavailable" }).kind, "retry");
  assert.equal(classifyFailure(401, { code: "device_revoked" }).kind, "relogin");
  assert.equal(classifyFailure(401, { code: "device_revoked" }).code, "device_revoked");
  assert.equal(classifyFailure(426, { code: "update_required" }).kind, "update");
  assert.deepEqual(classifyFailure(409, { code: "seq_gap", detail: { expected: 4, got: 9 } }), { kind: "seq_gap", code: "seq_gap", expected: 4 });
  assert.equal(classifyFailure(422, { code: "seq_order" }).kind, "refused");
});

test("renumbering keeps the order and continues from the expected seq", () => {
  const { mutations, nextSeq } = renumber([{ seq: 9, id: "b" }, { seq: 8, id: "a" }], 4);
  assert.deepEqual(mutations.map((m) => [m.seq, m.id]), [[4, "a"], [5, "b"]]);
  assert.equal(nextSeq, 6);
});

test("results are matched to the mutations sent; unknown seqs are ignored", () => {
  const sent = [{ seq: 1 }, { seq: 2 }, { seq: 3 }];
  const answered = matchResults(sent, [{ seq: 2, status: "applied" }, { seq: 1, status: "rejected" }, { seq: 99, status: "applied" }]);
  assert.deepEqual(answered.map((a) => [a.mutation.seq, a.result.status]), [[1, "rejected"], [2, "applied"]]);
});

test("state after an answer: rejected keeps the reason, conflict, synced only when nothing is left", () => {
  assert.deepEqual(stateAfter({ seq: 1, status: "rejected", code: "out_of_scope", message: "不在分管楼栋" }, 0), { state: "rejected", reason: "不在分管楼栋" });
  assert.deepEqual(stateAfter({ seq: 1, status: "conflict", conflict_ids: ["c"] }, 0), { state: "conflict", reason: null });
  assert.deepEqual(stateAfter({ seq: 1, status: "applied" }, 1), { state: "pending", reason: null });
  assert.deepEqual(stateAfter({ seq: 1, status: "applied" }, 0), { state: "synced", reason: null });
});

test("the local view replays pending mutations on the server copy in seq order", () => {
  const server = { id: "t1", version: 3, priority: "normal", title: "漏水" };
  const pending = [
    { op: "update", seq: 9, collection: "ticket", id: "t1", changes: { priority: "urgent" } },
    { op: "update", seq: 8, collection: "ticket", id: "t1", changes: { priority: "low", title: "严重漏水" } },
  ];
  assert.deepEqual(overlay(server, pending), { id: "t1", version: 3, priority: "urgent", title: "严重漏水" });
  assert.equal(overlay(server, [{ op: "delete", seq: 1, id: "t1" }]), null);
  const created = overlay(null, [{ op: "create", seq: 1, id: "f1", fields: { kind: "parking" }, local: { building_id: "b1" } }]);
  assert.deepEqual(created, { kind: "parking", building_id: "b1", id: "f1" });
});

test("the wire form leaves out the phone-only fields", () => {
  const wire = toWire({ op: "create", seq: 1, collection: "ticket", id: "t", fields: { title: "x" }, local: { building_id: "b" }, hlc: "h", client_time: "c" });
  assert.deepEqual(wire, { op: "create", seq: 1, collection: "ticket", id: "t", fields: { title: "x" }, hlc: "h", client_time: "c" });
  assert.deepEqual(Object.keys(toWire({ op: "delete", seq: 2, collection: "finding", id: "f", base_version: 4, hlc: "h", client_time: "c" })),
    ["op", "seq", "collection", "id", "base_version", "hlc", "client_time"]);
});
