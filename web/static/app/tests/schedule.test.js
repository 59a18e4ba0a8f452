import assert from "node:assert/strict";
import { test } from "node:test";
import { buildingRounds, isoWeek, lastReadings, myOpenTickets, offlineReadiness, patrolSlots, plannedVisits, previousWeek, readingWarnings, vacantDue } from "../schedule.js";
import { servedSchema } from "./served.js";

test("ISO weeks, including the year boundary", () => {
  assert.equal(isoWeek(new Date(2026, 10, 22)), "2026-W47");
  assert.equal(isoWeek(new Date(2026, 0, 1)), "2026-W01");
  assert.equal(isoWeek(new Date(2027, 0, 1)), "2026-W53");
  assert.equal(isoWeek(new Date(2021, 0, 3)), "2020-W53");
  assert.equal(previousWeek(new Date(2026, 0, 1)), "2025-W52");
});

test("vacant units: checked this week drop out, last week is due, older or never is overdue", () => {
  const now = new Date(2026, 10, 22, 10);
  const units = [
    { id: "u1", code: "1-0101", occupancy: "vacant" }, { id: "u2", code: "1-0201", occupancy: "vacant" },
    { id: "u3", code: "1-0301", occupancy: "vacant" }, { id: "u4", code: "1-0401", occupancy: "occupied" },
    { id: "u5", code: "1-0501", occupancy: "vacant" },
  ];
  const checks = [
    { unit_id: "u1", week: "2026-W47", checked_at: "2026-11-17T02:00:00Z" },
    { unit_id: "u2", week: "2026-W46", checked_at: "2026-11-10T02:00:00Z" },
    { unit_id: "u3", week: "2026-W44", checked_at: "2026-10-27T02:00:00Z" },
  ];
  assert.deepEqual(vacantDue(units, checks, now).map((d) => [d.unit.id, d.status]), [["u3", "overdue"], ["u5", "overdue"], ["u2", "due"]]);
});

test("last week's meter readings are shown beside this week's", () => {
  const now = new Date(2026, 10, 22);
  const checks = [
    { unit_id: "u1", week: "2026-W45", checked_at: "2026-11-03T00:00:00Z", water_reading: 10, electric_reading: 100 },
    { unit_id: "u1", week: "2026-W46", checked_at: "2026-11-10T00:00:00Z", water_reading: 11, electric_reading: null },
    { unit_id: "u1", week: "2026-W47", checked_at: "2026-11-17T00:00:00Z", water_reading: 12, electric_reading: 120 },
  ];
  assert.deepEqual(lastReadings(checks, "u1", now), { water: 11, electric: 100 });
  assert.deepEqual(lastReadings(checks, "u9", now), { water: null, electric: null });
});

test("two patrol slots a day, filled by today's rounds of this steward", () => {
  const now = new Date(2026, 10, 22, 15);
  const rounds = [
    { steward_id: "s", started_at: new Date(2026, 10, 22, 8).toISOString(), status: "ended" },
    { steward_id: "x", started_at: new Date(2026, 10, 22, 9).toISOString(), status: "ended" },
    { steward_id: "s", started_at: new Date(2026, 10, 21, 9).toISOString(), status: "ended" },
  ];
  const slots = patrolSlots(rounds, "s", now);
  assert.deepEqual(slots.map((s) => [s.slot, Boolean(s.round)]), [["morning", true], ["afternoon", false]]);
});

test("rounds per building today count only the buildings a round checked in at", () => {
  const now = new Date(2026, 10, 22, 15);
  const at = (/** @type {number} */ day, /** @type {number} */ hour) => new Date(2026, 10, day, hour).toISOString();
  const rounds = [
    { steward_id: "s", started_at: at(22, 8), covered_building_ids: ["b1", "b2"] },
    { steward_id: "s", started_at: at(22, 14), covered_building_ids: ["b1"] },
    { steward_id: "s", started_at: at(22, 16), covered_building_ids: [] },
    { steward_id: "s", started_at: at(21, 9), covered_building_ids: ["b3"] },
    { steward_id: "x", started_at: at(22, 9), covered_building_ids: ["b3"] },
    { steward_id: "s", started_at: at(22, 9), covered_building_ids: ["b3"], deleted: true },
  ];
  const buildings = [{ id: "b1" }, { id: "b2" }, { id: "b3" }];
  assert.deepEqual(buildingRounds(rounds, buildings, "s", now).map((r) => [r.building.id, r.rounds, r.complete]),
    [["b1", 2, true], ["b2", 1, false], ["b3", 0, false]]);
});

test("planned visits and my open tickets", () => {
  const visits = [
    { id: "v2", status: "planned", steward_id: "s", appointment_at: "2026-11-23T02:00:00Z" },
    { id: "v1", status: "planned", steward_id: "s", appointment_at: "2026-11-22T02:00:00Z" },
    { id: "v3", status: "done", steward_id: "s" }, { id: "v4", status: "planned", steward_id: "x" },
  ];
  assert.deepEqual(plannedVisits(visits, "s").map((v) => v.id), ["v1", "v2"]);
  const tickets = [
    { id: "a", status: "received", first_responder_id: "s", priority: "normal" },
    { id: "b", status: "in_progress", first_responder_id: "s", priority: "urgent" },
    { id: "c", status: "done", first_responder_id: "desk", priority: "low" },
    { id: "d", status: "closed", first_responder_id: "s", priority: "urgent" },
    { id: "e", status: "received", first_responder_id: "desk", priority: "urgent" },
  ];
  // the priority order is no longer a copy in schedule.js: the served vocabulary's, passed in
  assert.deepEqual(myOpenTickets(tickets, "s", servedSchema().vocabularies.ticket_priority).map((t) => t.id), ["b", "a", "c"]);
});

test("offline readiness: cached app, a recent pull and every assigned building", () => {
  const now = new Date("2026-11-22T10:00:00Z");
  const fresh = { lastPullAt: "2026-11-22T09:00:00Z", workerReady: true, buildingIds: ["b1", "b2"], cachedBuildingIds: ["b1", "b2"] };
  assert.equal(offlineReadiness(fresh, now).ready, true);
  assert.deepEqual(offlineReadiness({ ...fresh, lastPullAt: "2026-11-21T09:00:00Z" }, now).problems, ["stale"]);
  assert.deepEqual(offlineReadiness({ ...fresh, cachedBuildingIds: ["b1"] }, now).missing, ["b2"]);
  assert.deepEqual(offlineReadiness({ ...fresh, workerReady: false, lastPullAt: null }, now).problems, ["app_not_cached", "never_synced"]);
});

test("readingWarnings: lower than last, far above usual, nothing for a normal week", () => {
  const now = new Date("2026-12-03T09:00:00+08:00");
  const checks = [
    { unit_id: "u", week: "2026-W45", checked_at: "2026-11-05T01:00:00Z", water_reading: 10, electric_reading: 100 },
    { unit_id: "u", week: "2026-W46", checked_at: "2026-11-12T01:00:00Z", water_reading: 10.2, electric_reading: 101 },
    { unit_id: "u", week: "2026-W47", checked_at: "2026-11-19T01:00:00Z", water_reading: 10.3, electric_reading: 102 },
    { unit_id: "u", week: "2026-W48", checked_at: "2026-11-26T01:00:00Z", water_reading: 10.5, electric_reading: 103 },
  ];
  assert.deepEqual(readingWarnings({ water: 10.6, electric: 104 }, checks, "u", now), []);
  assert.deepEqual(readingWarnings({ water: 9.1, electric: 104 }, checks, "u", now),
    [{ meter: "water", kind: "lower", last: 10.5, reading: 9.1 }]);
  assert.deepEqual(readingWarnings({ water: 10.6, electric: 160 }, checks, "u", now),
    [{ meter: "electric", kind: "high", last: 103, reading: 160 }]);
  assert.deepEqual(readingWarnings({ water: 5, electric: 5 }, [], "u", now), []);  // no history: nothing to compare
});
