import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadApp, ROOT, servedSchema } from "./served.js";

await loadApp();
const registry = await import("../registry.js");
const vocab = await import("../vocab.js");
const { priorityOf } = await import("../lifecycle.js");
const APP = fileURLToPath(new URL("../", import.meta.url));
/** The messages the app is served: every catalogue of web/i18n merged (server/i18n.py). */
const MESSAGES = readdirSync(join(ROOT, "web/i18n")).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(readFileSync(join(ROOT, "web/i18n", f), "utf-8")))
  .reduce((all, one) => ({ "zh-CN": { ...all["zh-CN"], ...one["zh-CN"] }, en: { ...all.en, ...one.en } }), { "zh-CN": {}, en: {} });

test("every collection the server syncs has a feature: a record summary and a label in both languages", () => {
  const { collections } = servedSchema();
  assert.ok(collections.length > 5, "the served schema lists the synced collections");
  for (const name of collections) {
    assert.ok(registry.hasSummary(name), `no feature registers ${name} with a record summary`);
    assert.equal(typeof registry.summaryOf(name, {}, { unitCode: () => "" }), "string");
    for (const lang of ["zh-CN", "en"]) {
      assert.ok(MESSAGES[lang][`phone.collection.${name}`], `phone.collection.${name} missing in ${lang} (web/i18n/*.json)`);
    }
  }
  assert.deepEqual(registry.mismatches(collections), []);
});

test("the features' named subsets are parts of the served vocabularies", () => {
  assert.deepEqual(vocab.problems(), []);
  for (const severity of vocab.codes("severity")) assert.ok(vocab.codes("ticket_priority").includes(priorityOf(severity)), severity);
});

test("indexes are declared on registered collections; tabs and Today items exist", () => {
  for (const field of registry.allIndexedFields()) assert.match(field, /^[a-z_]+$/);
  assert.deepEqual(registry.tabs(), ["patrol", "vacant", "visit", "survey", "fees", "records"]);
  assert.equal(registry.todayItems().length, 10);  // + 待验房, 抄表, 装修中的房屋, 满意度调查, 催缴
  // an engineer's phone: no field-work tabs or cards, its work orders on Today
  assert.deepEqual(registry.tabs("engineer"), ["records"]);
  assert.equal(registry.todayItems("engineer").length, 1);
  assert.equal(registry.todayItems("steward").length, 9);
  assert.ok(registry.listedCollections().includes("finding"));
});

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "tests" ? [] : sources(path);
    return name.endsWith(".js") ? [path] : [];
  });
}

const LIST = /\[\s*(["'][^"'\n]*["'](?:\s*,\s*["'][^"'\n]*["'])+)\s*,?\s*\]/g;
const NAMED_SUBSET = /subset\(\s*"[^"]*",\s*"[^"]*",\s*$/;

test("no module of the app copies a served vocabulary as a literal list (named subsets aside)", () => {
  const { vocabularies } = servedSchema();
  const copies = [];
  for (const path of sources(APP)) {
    const source = readFileSync(path, "utf-8");
    for (const match of source.matchAll(LIST)) {
      const items = match[1].split(",").map((s) => s.trim().slice(1, -1));
      if (NAMED_SUBSET.test(source.slice(Math.max(0, (match.index ?? 0) - 200), match.index))) continue;
      for (const [name, codes] of Object.entries(vocabularies)) {
        if (codes.length > 1 && items.every((item) => codes.includes(item))) {
          copies.push(`${relative(APP, path)}: ${match[0]} copies ${name}`);
        }
      }
    }
  }
  assert.deepEqual(copies, []);
});

test("the copy check finds a copy", () => {
  const sample = 'const KINDS = ["parking", "other"];';
  assert.equal([...sample.matchAll(LIST)].length, 1);
});
