// @ts-check
/**
 * Every screen of the app by route name, and the tabs at the bottom: the app's own (Today
 * first, login) and those the features register (features/*.js, in their tab order).
 */
import "../features/index.js";
import { screens, tabs } from "../registry.js";
import { login } from "./login.js";
import { today } from "./today.js";

/** @type {Record<string, (ctx: import("./common.js").Context) => Promise<HTMLElement>>} */
export const SCREENS = { today, ...screens(), login };
export const TABS = ["today", ...tabs()];
/** The tab bar of a role (an engineer's has no field-work tabs). @param {string | undefined} role */
export const tabsFor = (role) => ["today", ...tabs(role)];
