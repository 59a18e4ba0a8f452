// @ts-check
/**
 * The server's collections and vocabularies, from /app/schema.json (built from
 * `schemas/vocab.py` and `sync.policy.PULLED_COLLECTIONS`; the service worker keeps it
 * offline with the shell). The phone never keeps a copy of a vocabulary: screens ask
 * `codes("finding_kind")`. Where a feature needs part of one, it names the part with
 * `subset(...)`, which is checked against the served codes once they are loaded.
 */

/** @typedef {{ collections: string[], vocabularies: Record<string, string[]>, rules?: Record<string, any> }} Schema */

/** @type {Schema | null} */
let served = null;
/** @type {{ vocabulary: string, codes: string[], name: string }[]} */
const subsets = [];

/**
 * Fetch the schema (from the worker's cache when offline). Resolves to the problems found
 * (a named subset outside its vocabulary, an unknown vocabulary): none in a sound build.
 */
export async function loadVocab() {
  try {
    setVocab(await (await fetch("/app/schema.json")).json());
  } catch {
    // first start with no network and nothing cached: the login screen needs no vocabulary
  }
  return served ? problems() : [];
}

/** Use this schema (tests; loadVocab). @param {Schema} schema */
export function setVocab(schema) {
  served = { collections: [...schema.collections], vocabularies: { ...schema.vocabularies }, rules: { ...(schema.rules || {}) } };
}

/**
 * The seeded rules of a capability the phone checks before saving (e.g. "meters": the
 * reading checks), as served; null before the schema is loaded.
 * @param {string} name
 */
export function rules(name) {
  return served?.rules?.[name] ?? null;
}

/** Has the schema been loaded? */
export function loaded() {
  return served !== null;
}

/**
 * The codes of a vocabulary, in the server's order ([] before the schema is loaded).
 * @param {string} vocabulary e.g. "finding_kind" (`FindingKind` in schemas/vocab.py)
 * @returns {string[]}
 */
export function codes(vocabulary) {
  if (!served) return [];
  const found = served.vocabularies[vocabulary];
  if (!found) throw new Error(`unknown vocabulary ${vocabulary}: not in /app/schema.json`);
  return found;
}

/** The synced collections, in the order the server pulls them. */
export function collections() {
  return served ? served.collections : [];
}

/**
 * A named part of a vocabulary that a feature needs (a rule, e.g. "finding kinds that
 * raise a ticket"): returned in the vocabulary's order, checked against it at load.
 * @param {string} name what the part is, for the error @param {string} vocabulary @param {string[]} part
 * @returns {{ name: string, vocabulary: string, has: (code: string | null) => boolean, codes: () => string[] }}
 */
export function subset(name, vocabulary, part) {
  subsets.push({ name, vocabulary, codes: part });
  const members = new Set(part);
  return {
    name, vocabulary,
    has: (code) => code !== null && members.has(code),
    codes: () => codes(vocabulary).filter((code) => members.has(code)),
  };
}

/** What the features declared that the served schema does not have. */
export function problems() {
  if (!served) return ["schema not loaded"];
  const found = [];
  for (const { name, vocabulary, codes: part } of subsets) {
    const all = served.vocabularies[vocabulary];
    if (!all) found.push(`${name}: unknown vocabulary ${vocabulary}`);
    else for (const code of part) if (!all.includes(code)) found.push(`${name}: ${code} is not a ${vocabulary}`);
  }
  return found;
}
