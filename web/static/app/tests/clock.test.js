import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelay, BASE_MS, MAX_MS } from "../backoff.js";
import { compare, newClock, parse, tick } from "../hlc.js";
import { uuidv7 } from "../ids.js";

test("hlc stamps increase even when the wall clock stands still or goes back", () => {
  let clock = newClock("dev1");
  const stamps = [];
  for (const now of [1000, 1000, 999, 500, 1001]) {
    const next = tick(clock, now);
    clock = next.clock;
    stamps.push(next.stamp);
  }
  for (let i = 1; i < stamps.length; i += 1) assert.equal(compare(stamps[i - 1], stamps[i]), -1, stamps.join(" "));
  assert.deepEqual(parse(stamps[3]), { wall: 1000, counter: 3, node: "dev1" });
});

test("retry delays grow, stay within [base/2, cap], and are capped", () => {
  assert.ok(retryDelay(1, 0) >= BASE_MS / 2 && retryDelay(1, 0.999) <= BASE_MS);
  assert.ok(retryDelay(4, 0.999) > retryDelay(1, 0.999));
  assert.ok(retryDelay(30, 0.999) <= MAX_MS);
  assert.equal(retryDelay(30, 0.999), Math.round(BASE_MS / 2 + 0.999 * (MAX_MS - BASE_MS / 2)));
});

test("uuidv7 has the version and variant bits and sorts by time", () => {
  const zero = new Uint8Array(16);
  const a = uuidv7(1_700_000_000_000, zero);
  const b = uuidv7(1_700_000_000_001, zero.fill(255));
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(a < b);
  assert.equal(a.slice(0, 13), "018bcfe5-6800");
});

test("storage is low under 50 MB or 10 % free; an unknown quota is not low", async () => {
  const { storageLow } = await import("../storage-check.js");
  const GB = 1024 ** 3;
  assert.equal(storageLow({ quota: 2 * GB, usage: 0.5 * GB }), false);
  assert.equal(storageLow({ quota: 2 * GB, usage: 2 * GB - 40 * 1024 ** 2 }), true);
  assert.equal(storageLow({ quota: 100 * GB, usage: 95 * GB }), true);
  assert.equal(storageLow(undefined), false);
  assert.equal(storageLow({ quota: 0, usage: 0 }), false);
});
