// @ts-check
/** Every screen of the app by route name, and the tabs at the bottom. */
import { login } from "./login.js";
import { patrol } from "./patrol.js";
import { records } from "./records.js";
import { ticket } from "./ticket.js";
import { today } from "./today.js";
import { vacant } from "./vacant.js";
import { visit } from "./visit.js";

/** @type {Record<string, (ctx: import("./common.js").Context) => Promise<HTMLElement>>} */
export const SCREENS = { today, patrol, vacant, visit, records, ticket, login };
export const TABS = ["today", "patrol", "vacant", "visit", "records"];
