import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acknowledgedThrough, blobRefs, prunable, RETAIN, retainedEntry, rewindPlan, serverBehind, unretained,
} from "../outbox.js";
import { badgeCounts, photoProblems, refusalText } from "../records-view.js";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-11-22T08:00:00.000Z");
const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

/** @param {number} seq @param {string} [id] */
const create = (seq, id = `r${seq}`) => ({ op: "create", seq, collection: "finding", id, fields: { kind: "parking" }, hlc: `h${seq}`, client_time: "t" });
/** @param {any} m @param {number} [ageDays] */
const retained = (m, ageDays = 0) => retainedEntry(m, { seq: m.seq, status: "applied", version: 1 }, new Date(NOW - ageDays * DAY).toISOString());

test("what the server acknowledged: below the oldest pending mutation, else every seq handed out", () => {
  assert.equal(acknowledgedThrough(12, [9, 10, 11]), 8);
  assert.equal(acknowledgedThrough(12, []), 11);
  assert.equal(acknowledgedThrough(1, []), 0);
  assert.equal(acknowledgedThrough(undefined || 1, []), 0);
});

test("an answer's last_seq below what was acknowledged means the server lost mutations", () => {
  assert.equal(serverBehind(5, 10), 6); // restored: re-send from 6
  assert.equal(serverBehind(0, 10), 1); // a device the restored server had not seen yet
  assert.equal(serverBehind(10, 10), null); // in step
  assert.equal(serverBehind(12, 10), null); // ahead (answers lost): the outbox replays them
  assert.equal(serverBehind(undefined, 10), null);
  assert.equal(serverBehind(null, 10), null);
});

test("a restored server: every mutation it lacks is still held, so the same seqs go again", () => {
  const kept = [retained(create(4), 1), retained(create(5), 1), retained(create(6), 0)];
  const outbox = [create(8), create(7)];
  const plan = rewindPlan(kept, outbox, 5, 9);
  assert.equal(plan.renumbered, false);
  assert.deepEqual(plan.resend.map((m) => m.seq), [5, 6, 7, 8]);
  assert.equal(plan.nextSeq, 9);
  assert.equal(plan.missing, 0);
  // re-sent as plain mutations: nothing of the retention travels
  assert.deepEqual(Object.keys(plan.resend[0]).sort(), ["client_time", "collection", "fields", "hlc", "id", "op", "seq"]);
});

test("rewinding with an empty outbox (learned from an empty push) re-sends the retained tail", () => {
  const kept = [1, 2, 3, 4, 5].map((seq) => retained(create(seq)));
  const plan = rewindPlan(kept.filter((e) => e.seq >= 3), [], 3, 6);
  assert.deepEqual(plan.resend.map((m) => [m.seq, m.id]), [[3, "r3"], [4, "r4"], [5, "r5"]]);
  assert.equal(plan.renumbered, false);
  assert.equal(plan.nextSeq, 6);
});

test("mutations the phone no longer holds cannot come back: the rest is renumbered from the expected seq", () => {
  // the server expects 3; retention already dropped 3 and 4; 5 and 6 are retained; 7 is pending
  const plan = rewindPlan([retained(create(5)), retained(create(6))], [create(7)], 3, 8);
  assert.equal(plan.renumbered, true);
  assert.deepEqual(plan.resend.map((m) => [m.seq, m.id]), [[3, "r5"], [4, "r6"], [5, "r7"]]);
  assert.equal(plan.nextSeq, 6);
  assert.equal(plan.missing, 2);
});

test("an app that kept no acknowledged mutations renumbers its outbox (as before retention)", () => {
  const plan = rewindPlan([], [create(9, "b"), create(8, "a")], 4, 10);
  assert.equal(plan.renumbered, true);
  assert.deepEqual(plan.resend.map((m) => [m.seq, m.id]), [[4, "a"], [5, "b"]]);
  assert.equal(plan.nextSeq, 6);
  assert.equal(plan.missing, 4);
});

test("nothing held from the expected seq: the next capture takes the seq the server expects", () => {
  const plan = rewindPlan([], [], 4, 10);
  assert.deepEqual(plan.resend, []);
  assert.equal(plan.nextSeq, 4);
  assert.equal(plan.missing, 6);
});

test("retained entries below the expected seq stay retained and are not re-sent", () => {
  const plan = rewindPlan([retained(create(2)), retained(create(3))], [create(4)], 3, 5);
  assert.deepEqual(plan.resend.map((m) => m.seq), [3, 4]);
});

test("retention keeps 7 days or the last 5,000, whichever keeps more", () => {
  assert.deepEqual(RETAIN, { days: 7, count: 5000 });
  const rule = { days: 7, count: 3 };
  const old = [1, 2, 3].map((seq) => retained(create(seq), 10));
  const young = [4, 5].map((seq) => retained(create(seq), 2));
  // 5 retained, 3 may stay by count: the 2 oldest (older than 7 days) go
  assert.equal(prunable([...old, ...young], 5, NOW, rule), 2);
  // fewer than the count: nothing goes, however old
  assert.equal(prunable(old, 3, NOW, rule), 0);
  // all younger than 7 days: nothing goes, however many
  const recent = [1, 2, 3, 4, 5, 6].map((seq) => retained(create(seq), 6.9));
  assert.equal(prunable(recent, 6, NOW, rule), 0);
  // pruning stops at the first young entry, oldest first
  assert.equal(prunable([old[0], young[0], old[1]], 6, NOW, rule), 1);
  // an entry without a date is kept
  assert.equal(prunable([{ seq: 1 }], 10, NOW, rule), 0);
  // exactly 7 days old is still kept
  assert.equal(prunable([retained(create(1), 7)], 10, NOW, rule), 0);
});

test("a retained entry remembers its answer and its bytes, and becomes the same mutation again", () => {
  const m = { op: "create", seq: 3, collection: "attachment", id: "a1", fields: { sha256: SHA_A, kind: "photo" }, hlc: "h", client_time: "t" };
  const entry = retainedEntry(m, { seq: 3, status: "conflict" }, "2026-11-22T08:00:00.000Z");
  assert.equal(entry.answered, "conflict");
  assert.equal(entry.acked_at, "2026-11-22T08:00:00.000Z");
  assert.deepEqual(entry.blob_refs, [SHA_A]);
  assert.deepEqual(unretained(entry), m);
});

test("the bytes a mutation refers to: photos and a visit's signature, not other fields", () => {
  assert.deepEqual(blobRefs({ op: "create", seq: 1, collection: "attachment", id: "a", fields: { sha256: SHA_A }, hlc: "", client_time: "" }), [SHA_A]);
  assert.deepEqual(blobRefs({ op: "update", seq: 2, collection: "visit", id: "v", base_version: 1, base: {}, changes: { signature_sha256: SHA_B, status: "done" }, hlc: "", client_time: "" }), [SHA_B]);
  assert.deepEqual(blobRefs({ op: "create", seq: 3, collection: "visit", id: "v", fields: { signature_sha256: null, notes: SHA_A }, hlc: "", client_time: "" }), []);
  assert.deepEqual(blobRefs({ op: "delete", seq: 4, collection: "finding", id: "f", base_version: 1, hlc: "", client_time: "" }), []);
  assert.deepEqual(blobRefs({ op: "create", seq: 5, collection: "attachment", id: "a", fields: { sha256: "not-a-hash" }, hlc: "", client_time: "" }), []);
});

test("retained mutations never count as pending; refused photos count until read", () => {
  const counts = badgeCounts(0, [{ mine: true, state: "synced" }], [{ sha256: SHA_A }, { sha256: SHA_B, seen: true }]);
  assert.deepEqual(counts, { pending: 0, conflicts: 0, rejected: 0, photos: 1 });
});

test("a refused photo is shown under the record it belongs to, with the server's reason", () => {
  const entries = [
    { collection: "finding", id: "f1", mine: true, state: "synced", server: { id: "f1" } },
    { collection: "attachment", id: "a1", mine: true, state: "synced", data: { id: "a1", sha256: SHA_A, parent_collection: "finding", parent_id: "f1", kind: "photo" } },
  ];
  const reason = { code: "photo_too_large", message: "照片不能超过 0 MB / a photo may be at most 100000 bytes", detail: { max: 100000, size: 412345 } };
  const problems = photoProblems(entries, [{ sha256: SHA_A, refused: "photo_too_large", reason }, { sha256: SHA_B, refused: "unsupported_type" }]);
  assert.deepEqual(problems.map((p) => [p.sha256, p.parent_collection, p.parent_id, p.kind, p.seen]),
    [[SHA_A, "finding", "f1", "photo", false], [SHA_B, null, null, "photo", false]]);
  // like the app's t, the stub answers a key it lacks with the key itself: a refusal is first
  // worded from the catalogue by its code (`error.<code>`), else from the server's message
  const t = (/** @type {string} */ key, /** @type {any} */ params) => (params ? `${key}${JSON.stringify(params)}` : key);
  assert.equal(refusalText(reason, "zh-CN", t), 'photo.refused.too_large{"size":"403 KB","max":"98 KB"}');
  const type = { code: "unsupported_type", message: "只接受 JPEG、PNG 或 WebP 图片 / only JPEG, PNG or WebP images are accepted" };
  assert.equal(refusalText(type, "zh-CN", t), "只接受 JPEG、PNG 或 WebP 图片");
  assert.equal(refusalText(type, "en", t), "only JPEG, PNG or WebP images are accepted");
  assert.equal(refusalText({ code: "http_400" }, "zh-CN", t), 'photo.refused.code{"code":"http_400"}');
  const worded = (/** @type {string} */ key) => (key === "error.unsupported_type" ? "只接受图片" : key);
  assert.equal(refusalText(type, "zh-CN", worded), "只接受图片");
  assert.equal(problems[1].reason.code, "unsupported_type");
});
