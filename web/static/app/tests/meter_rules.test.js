import assert from "node:assert/strict";
import { test } from "node:test";
import { loadApp } from "./served.js";

await loadApp();
const { historyOf, readingRefusal, readThisMonth, rereadTasks, usualDailyUse, walkingOrder } = await import("../meter_rules.js");
const { rules } = await import("../vocab.js");

const SETTINGS = rules("meters");
const PHOTO = "a".repeat(64);
// the same six months as tests/unit/test_meters.py: the phone refuses what the server refuses
const MONTHLY = Array.from({ length: 6 }, (_, i) => ({ reading: 100 + 10 * i, read_at: `2026-${String(5 + i).padStart(2, "0")}-25T02:00:00.000Z`, flag: null }));
const AT = "2026-11-25T02:00:00.000Z";
/** @param {number} reading @param {string | null} [flag] @param {string | null} [photo] */
const refusal = (reading, flag = null, photo = null, past = MONTHLY, kind = "water") =>
  readingRefusal({ reading, read_at: AT, flag, photo_sha256: photo }, past, kind, SETTINGS);

test("the served seeded rules: three times the six-month average, the handbook's tariffs", () => {
  assert.equal(SETTINGS.high_factor, 3);
  assert.equal(SETTINGS.average_months, 6);
  assert.deepEqual(SETTINGS.tariff_fen, { water: 240, electricity: 56 });
});

test("a reading is refused as the server refuses it", () => {
  assert.equal(refusal(160), null);
  assert.equal(refusal(5, null, null, []), null);
  assert.ok(Math.abs(usualDailyUse(MONTHLY, AT, 6) - 40 / 122) < 1e-9);
  assert.equal(refusal(149), "reading_lower");
  assert.equal(refusal(3, "replaced"), "reading_needs_photo");
  assert.equal(refusal(3, "replaced", PHOTO), null);
  assert.equal(refusal(3, "rolled_over", PHOTO), null);
  assert.equal(refusal(3, "confirmed_high", PHOTO), "reading_lower");
  assert.equal(refusal(179), null);
  assert.equal(refusal(190), "reading_high");
  assert.equal(refusal(190, "confirmed_high", PHOTO), null);
  const quiet = MONTHLY.map((r) => ({ ...r, reading: 7 }));
  assert.equal(refusal(7.9, null, null, quiet), null);
  assert.equal(refusal(8.5, null, null, quiet), "reading_high");
  assert.equal(refusal(15, null, null, quiet, "electricity"), null);
});

test("one history: the meter's readings and its unit's vacant checks; the round and re-reads", () => {
  const meter = { id: "m1", unit_id: "u1", kind: "electricity", floor: 2, walk_order: 1 };
  const readings = [{ meter_id: "m1", reading: 10, read_at: "2026-11-01T02:00:00.000Z", source: "round" },
    { meter_id: "m2", reading: 99, read_at: "2026-11-02T02:00:00.000Z", source: "round" }];
  const checks = [{ unit_id: "u1", checked_at: "2026-11-08T02:00:00.000Z", electric_reading: 12, water_reading: 3 }];
  assert.deepEqual(historyOf(meter, readings, checks).map((r) => r.reading), [10, 12]);
  assert.equal(readThisMonth(readings.filter((r) => r.meter_id === "m1"), new Date("2026-11-20T02:00:00.000Z")), true);
  assert.equal(readThisMonth(readings.filter((r) => r.meter_id === "m1"), new Date("2026-12-20T02:00:00.000Z")), false);
  const sent = { ...readings[0], review: "reread" };
  assert.deepEqual(rereadTasks([sent, readings[1]]), [sent]);
  assert.deepEqual(rereadTasks([sent, { meter_id: "m1", reading: 11, read_at: "2026-11-03T02:00:00.000Z", source: "round" }]), []);
  assert.deepEqual(walkingOrder([{ id: "b", floor: 2, walk_order: 1 }, { id: "a", floor: 1, walk_order: 9 }, { id: "c", floor: 1, walk_order: 2 }]).map((m) => m.id), ["c", "a", "b"]);
});
