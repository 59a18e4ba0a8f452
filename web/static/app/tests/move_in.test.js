import assert from "node:assert/strict";
import { test } from "node:test";
import { loadApp } from "./served.js";

// 验房 on the phone: the handover made once, each defect a warranty ticket from it with its
// photos, the signature and the household's move-in date when the owner signs.
await loadApp();
const { roomIntents, roomsOf, signIntents, localDay } = await import("../features/move_in.js");

const ids = () => { let n = 0; return () => `id${++n}`; };
const photo = { sha256: "b".repeat(64), mime: "image/jpeg", bytes: new ArrayBuffer(12) };
const unit = { id: "u", code: "1-0401", building_id: "b", unit_type: "yangfang" };
const moveIn = { id: "m", unit_id: "u" };
const results = { walls_ceiling: "defect", floor: "ok" };

test("the rooms walked are those of the unit's type, from the served vocabulary", () => {
  assert.equal(roomsOf("yangfang")[0], "entrance");
  assert.ok(roomsOf("lianpai").includes("garden") && !roomsOf("yangfang").includes("garden"));
});

test("the first room makes the handover; a defect becomes one warranty ticket from it, with its photos", () => {
  const first = roomIntents({ moveIn, handover: null, unit, stewardId: "s", room: "living", roomLabel: "客厅", results,
    defect: { item: "walls_ceiling", itemLabel: "墙面、顶棚", text: "顶棚裂缝", photos: [photo] } }, ids());
  assert.deepEqual(first.intents.map((i) => [i.op, i.collection]), [["create", "handover"], ["create", "ticket"], ["create", "attachment"]]);
  const [handover, ticket, attachment] = first.intents;
  assert.deepEqual(handover.fields.rooms, { living: results });
  assert.equal(handover.fields.move_in_id, "m");
  assert.equal(ticket.id, first.ticketId);
  assert.equal(ticket.fields.kind, "warranty");
  assert.equal(ticket.fields.source_handover_id, first.handoverId);
  assert.equal(ticket.fields.system, "civil");  // dispatched to 土建
  assert.equal(ticket.fields.channel, "handover");
  assert.deepEqual([attachment.fields.parent_collection, attachment.fields.parent_id], ["ticket", first.ticketId]);
  // the next room updates the same handover; no defect, no ticket
  const record = { id: first.handoverId, version: 3, rooms: { living: results } };
  const next = roomIntents({ moveIn, handover: record, unit, stewardId: "s", room: "kitchen", roomLabel: "厨房",
    results: { floor: "ok" }, defect: null }, ids());
  assert.deepEqual(next.intents.map((i) => [i.op, i.collection, i.id]), [["update", "handover", first.handoverId]]);
  assert.deepEqual(next.intents[0].changes.rooms, { living: results, kitchen: { floor: "ok" } });
});

test("signing: the handover signed with the keys, the signature, the household's move-in date", () => {
  const now = new Date(2026, 11, 4, 10, 30);
  const handover = { id: "h", version: 4, status: "open", owner_signed: false, signed_at: null, keys_counted: null };
  const household = { id: "hh", version: 2, move_in_date: null };
  const intents = signIntents({ handover, household, unit, keysCounted: 3, signature: photo, now }, ids());
  assert.deepEqual(intents.map((i) => [i.op, i.collection]), [["update", "handover"], ["create", "attachment"], ["update", "household"]]);
  assert.deepEqual(intents[0].changes, { status: "signed", owner_signed: true, signed_at: now.toISOString(), keys_counted: 3 });
  assert.equal(intents[1].fields.kind, "signature");
  assert.deepEqual(intents[2].changes, { move_in_date: localDay(now) });
  assert.equal(localDay(now), "2026-12-04");
});
