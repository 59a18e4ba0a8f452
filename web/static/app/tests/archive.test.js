import assert from "node:assert/strict";
import { test } from "node:test";
import { loadApp } from "./served.js";

await loadApp();
const { currentHousehold, feature } = await import("../features/archive.js");

test("the visit form's household is the unit's current one, never a former one (过户)", () => {
  const former = { id: "h1", owner_name: "老业主", ended_on: "2026-11-20", created_at: "2025-01-01T00:00:00.000Z" };
  const current = { id: "h2", owner_name: "新业主", ended_on: null, created_at: "2026-11-20T08:00:00.000Z" };
  assert.equal(currentHousehold([former, current]).id, "h2");
  assert.equal(currentHousehold([current, former]).id, "h2");
  assert.equal(currentHousehold([former]), null);
  assert.equal(currentHousehold([]), null);
  const older = { ...current, id: "h0", created_at: "2024-01-01T00:00:00.000Z" };
  assert.equal(currentHousehold([older, current]).id, "h2");
});

test("a former household is named as one in My records", () => {
  const summary = feature.collections.household.summary;
  assert.equal(summary({ owner_name: "新业主", ended_on: null }), "新业主");
  // the words come from the served catalogue (phone.household.former: "{name}（已迁出）")
  assert.notEqual(summary({ owner_name: "老业主", ended_on: "2026-11-20" }), "老业主");
});
