// @ts-check
/** Calls to the server's API with the device credential. Never cached by the worker. */
import { getMeta } from "./store.js";

export const APP_VERSION = "0.1.0";

/** A failed call: `status` null for a network error, `body` the ErrorBody if any. */
export class ApiFailure extends Error {
  /** @param {number | null} status @param {any} body */
  constructor(status, body) {
    super(body?.message || (status === null ? "network" : `HTTP ${status}`));
    this.status = status;
    this.body = body;
  }
}

/**
 * `token`: the device credential when the caller holds it already (the pull loop), so that
 * the call does not read it from IndexedDB behind the cache's writes.
 * @param {string} method @param {string} path
 * @param {{ json?: any, body?: BodyInit, headers?: Record<string, string>, auth?: boolean, token?: string }} [options]
 * @returns {Promise<Response>}
 */
export async function call(method, path, { json, body, headers = {}, auth = true, token } = {}) {
  const session = auth && !token ? await getMeta("session") : null;
  const sent = { ...headers };
  const credential = auth ? token ?? session?.token : null;
  if (credential) sent.Authorization = `Bearer ${credential}`;
  if (json !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body: json !== undefined ? JSON.stringify(json) : body, cache: "no-store" });
  } catch {
    throw new ApiFailure(null, null);
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new ApiFailure(response.status, problem);
  }
  return response;
}

/** @param {string} path @param {any} json @param {{ auth?: boolean, token?: string }} [options] see `call` */
export async function postJson(path, json, { auth = true, token } = {}) {
  return (await call("POST", path, { json, auth, token })).json();
}
