// Test support (not a test file): the schema the server serves at /app/schema.json, made by
// the server's own code (server/pwa/schema.py), and the app's features registered against
// it, as the app does at start-up. Python: $STEWARDSYNC_PYTHON (set by
// tests/unit/test_pwa_js.py), else the repository's .venv, else python3.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { setVocab } from "../vocab.js";

register("./vendor-hooks.js", import.meta.url);

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

function python() {
  const venv = `${ROOT}.venv/bin/python`;
  return process.env.STEWARDSYNC_PYTHON || (existsSync(venv) ? venv : "python3");
}

/** @type {{ collections: string[], vocabularies: Record<string, string[]> } | null} */
let schema = null;

/** The served schema (once per test process). */
export function servedSchema() {
  schema ||= JSON.parse(execFileSync(python(), ["-c",
    "import sys; from server.pwa.schema import schema; sys.stdout.write(schema().decode())"], { cwd: ROOT, encoding: "utf-8" }));
  return schema;
}

/** The served vocabularies loaded and every feature registered (features/index.js). */
export async function loadApp() {
  setVocab(servedSchema());
  await import("../features/index.js");
}
