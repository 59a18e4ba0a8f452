// @ts-check
/**
 * The features of the app (features/*.js), each registered once with `defineFeature`:
 * the synced collections it owns (with the record summary My records shows), the
 * IndexedDB indexes its reads need, its screens (and tab), its Today items and its
 * intents (what its forms save). The central modules (store, screens, My records, Today)
 * read this registry; they hold no row per collection.
 *
 * Pure: no DOM, no IndexedDB. `features/index.js` imports every feature, then `seal()`s.
 */

/**
 * @typedef {{ has: (role: string | null) => boolean }} Roles a named part of the role vocabulary (`vocab.subset`)
 * @typedef {{ unitCode: (id: string | null | undefined) => string }} Lookup what a summary may look up
 * @typedef {{
 *   summary: (data: any, lookup: Lookup) => string,
 *   listed?: boolean,
 * }} CollectionSpec a synced collection: `summary` names one of its records (My records);
 *   `listed`: my records of it are listed in My records (else they only explain others)
 * @typedef {{ render: (ctx: any) => Promise<HTMLElement>, tab?: number, roles?: Roles }} ScreenSpec a route;
 *   `tab`: its place in the tab bar (lower first), none = no tab; `roles`: whose tab bar shows
 *   it (none = everyone's: the engineer's phone has no patrol, vacant or visit tab)
 * @typedef {{ order: number, render: (ctx: any, now: Date) => Promise<HTMLElement | null>, roles?: Roles }} TodayItem
 *   a card of the Today screen (lower first); `roles`: whose Today shows it (none = everyone's)
 * @typedef {{
 *   name: string,
 *   collections?: Record<string, CollectionSpec>,
 *   indexes?: Record<string, string[]>,
 *   screens?: Record<string, ScreenSpec>,
 *   today?: TodayItem[],
 *   intents?: Record<string, (...args: any[]) => any>,
 * }} Feature `indexes`: collection → fields it is read by (`store.find`), on any collection
 */
import { subset } from "./vocab.js";

/** The roles that do field work on the phone (patrols, vacant checks, visits): the server's
 * `same_for(WRITING_ROLES, …)`; an engineer is not among them. */
export const FIELD_WORK_ROLES = subset("roles that do field work", "role", ["steward", "desk", "manager", "admin"]);

/** @type {Feature[]} */
const features = [];
/** @type {Map<string, CollectionSpec & { feature: string }>} */
const collectionSpecs = new Map();
/** @type {Map<string, Set<string>>} */
const indexed = new Map();
/** @type {Map<string, ScreenSpec & { feature: string }>} */
const screenSpecs = new Map();
let sealed = false;

/** Register a feature (once, at import). Clashes fail at once. @param {Feature} feature */
export function defineFeature(feature) {
  if (sealed) throw new Error(`feature ${feature.name} registered after the registry was sealed`);
  if (features.some((f) => f.name === feature.name)) throw new Error(`feature ${feature.name} registered twice`);
  for (const [name, spec] of Object.entries(feature.collections || {})) {
    const owner = collectionSpecs.get(name);
    if (owner) throw new Error(`collection ${name} registered by ${owner.feature} and ${feature.name}`);
    collectionSpecs.set(name, { ...spec, feature: feature.name });
  }
  for (const [collection, fields] of Object.entries(feature.indexes || {})) {
    const set = indexed.get(collection) || new Set();
    for (const field of fields) set.add(field);
    indexed.set(collection, set);
  }
  for (const [name, spec] of Object.entries(feature.screens || {})) {
    const owner = screenSpecs.get(name);
    if (owner) throw new Error(`screen ${name} registered by ${owner.feature} and ${feature.name}`);
    screenSpecs.set(name, { ...spec, feature: feature.name });
  }
  features.push(feature);
  return feature;
}

/** Every feature is registered: indexes may be opened, screens routed. */
export function seal() {
  for (const collection of indexed.keys()) {
    if (!collectionSpecs.has(collection)) throw new Error(`an index is declared on ${collection}, which no feature registers`);
  }
  sealed = true;
}

export function isSealed() {
  return sealed;
}

/** The registered collections, by name. */
export function collectionNames() {
  return [...collectionSpecs.keys()];
}

/** The collections whose records (mine) My records lists. */
export function listedCollections() {
  return [...collectionSpecs].filter(([, spec]) => spec.listed).map(([name]) => name);
}

/**
 * One record as My records names it, from its collection's summary.
 * @param {string} collection @param {any} data @param {Lookup} lookup
 */
export function summaryOf(collection, data, lookup) {
  const spec = collectionSpecs.get(collection);
  return spec ? spec.summary(data || {}, lookup) : String(data?.id || "");
}

/** Has this collection a registered summary? @param {string} collection */
export function hasSummary(collection) {
  return typeof collectionSpecs.get(collection)?.summary === "function";
}

/** The fields a collection is read by (its indexes). @param {string} collection */
export function indexedFields(collection) {
  return [...(indexed.get(collection) || [])].sort();
}

/** Every indexed field over all collections (one IndexedDB index each). */
export function allIndexedFields() {
  return [...new Set([...indexed.values()].flatMap((set) => [...set]))].sort();
}

/** The screens by route name. @returns {Record<string, (ctx: any) => Promise<HTMLElement>>} */
export function screens() {
  return Object.fromEntries([...screenSpecs].map(([name, spec]) => [name, spec.render]));
}

/** The route names with a tab, in tab order (those of `role`'s tab bar, when given). @param {string} [role] */
export function tabs(role) {
  return [...screenSpecs].filter(([, spec]) => spec.tab !== undefined && (!role || !spec.roles || spec.roles.has(role)))
    .sort(([, a], [, b]) => Number(a.tab) - Number(b.tab)).map(([name]) => name);
}

/** The Today cards of every feature, in order (those of `role`'s Today, when given). @param {string} [role] */
export function todayItems(role) {
  return features.flatMap((f) => f.today || []).filter((item) => !role || !item.roles || item.roles.has(role))
    .sort((a, b) => a.order - b.order);
}

/** The intents each feature saves, by feature. */
export function intents() {
  return Object.fromEntries(features.map((f) => [f.name, Object.keys(f.intents || {})]));
}

/**
 * What the registry and the served collections disagree on: a served collection no feature
 * registers (no summary), or a registered one the server does not sync.
 * @param {string[]} served the served collections (`vocab.collections()`)
 */
export function mismatches(served) {
  const found = [];
  for (const name of served) if (!hasSummary(name)) found.push(`collection ${name} has no feature (no record summary)`);
  for (const name of collectionSpecs.keys()) if (!served.includes(name)) found.push(`collection ${name} is not synced by the server`);
  return found;
}
