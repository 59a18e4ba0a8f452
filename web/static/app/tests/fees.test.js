// @ts-check
/** The phone's fee calendar and late fee agree with the server's (sync/fees.py): the same
 * table of cases (tests/fixtures/fee_calendar.json) runs here and in tests/unit/test_fees.py. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadApp } from "./served.js";

const cases = JSON.parse(readFileSync(new URL("../../../../tests/fixtures/fee_calendar.json", import.meta.url), "utf8"));
const SEED = { list_by: 5, phone_from: 6, second_from: 16, third_from: 21, late_fee_per_10k: 0 };
await loadApp();
const { feeStage, lateFeeFen, yuan } = await import("../features/fees.js");

/** A local date at noon. @param {string} iso */
function day(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d, 12);
}

test("the stage follows the calendar as the server computes it", () => {
  for (const c of cases.stages) {
    assert.equal(feeStage(day(c.today), c.oldest, { ...SEED, ...c.calendar }), c.stage, `${c.today} ${c.oldest}`);
  }
});

test("the late fee is the server's, to the fen", () => {
  for (const c of cases.late_fees) {
    assert.equal(lateFeeFen(c.lines, day(c.today), { ...SEED, ...c.calendar }), c.fen, c.today);
  }
});

test("fen show as yuan", () => {
  assert.equal(yuan(38640), "386.40");
  assert.equal(yuan(5), "0.05");
});
