import assert from "node:assert/strict";
import { test } from "node:test";
import { loadApp } from "./served.js";

await loadApp();
const { answersOf, surveyAnswerIntent } = await import("../features/surveys.js");

const QUESTIONS = [
  { key: "q1", service: "customer_service", kind: "rating", text: "客服" },
  { key: "q2", service: "cleaning", kind: "choice", text: "卫生", choices: [{ label: "干净" }, { label: "垃圾", complaint: true }] },
  { key: "q3", service: "customer_service", kind: "text", text: "意见" },
  { key: "q4", service: "greening", kind: "rating", text: "绿化" },
];

test("a survey form's answers: scores and choices as numbers, words trimmed, unanswered left out", () => {
  const form = { q1: "4", q2: "1", q3: "  电梯太慢 ", q4: null };
  assert.deepEqual(answersOf(QUESTIONS, (name) => form[name]), [
    { key: "q1", score: 4 }, { key: "q2", choice: 1 }, { key: "q3", text: "电梯太慢" }]);
  assert.deepEqual(answersOf(QUESTIONS, () => "  "), []);
});

test("an answer is one create of survey_response, placed in the sheet's building, by the door", () => {
  const intent = surveyAnswerIntent({ sheet: { id: "s1", building_id: "b1" }, household: { id: "h1", unit_id: "u1" },
    stewardId: "me", answers: [{ key: "q1", score: 5 }] }, () => "new1", "2026-12-04T02:00:00.000Z");
  assert.deepEqual(intent, { op: "create", collection: "survey_response", id: "new1", fields: {
    sheet_id: "s1", unit_id: "u1", household_id: "h1", channel: "door", answered_at: "2026-12-04T02:00:00.000Z",
    steward_id: "me", answers: [{ key: "q1", score: 5 }] }, local: { building_id: "b1" } });
});
