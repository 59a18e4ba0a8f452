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
 * @param {string} method @param {string} path
 * @param {{ json?: any, body?: BodyInit, headers?: Record<string, string>, auth?: boolean }} [options]
 * @returns {Promise<Response>}
 */
export async function call(method, path, { json, body, headers = {}, auth = true } = {}) {
  const session = auth ? await getMeta("session") : null;
  const sent = { ...headers };
  if (session?.token) sent.Authorization = `Bearer ${session.token}`;
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

/** @param {string} path @param {any} json */
export async function postJson(path, json, auth = true) {
  return (await call("POST", path, { json, auth })).json();
}
