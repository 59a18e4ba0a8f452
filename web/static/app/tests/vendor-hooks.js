// Node module hooks for the tests (not a test file): the app imports its pinned libraries
// from /vendor/… (served from web/node_modules); under node they resolve there too.
const WEB = new URL("../../../", import.meta.url);

/** @param {string} specifier @param {any} context @param {Function} next */
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("/vendor/idb/")) {
    return { url: new URL(`node_modules/idb/${specifier.slice("/vendor/idb/".length)}`, WEB).href, shortCircuit: true };
  }
  return next(specifier, context);
}
