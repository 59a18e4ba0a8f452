// @ts-check
/**
 * Every feature of the app, registered once each; then the registry is sealed (the store
 * opens its indexes, the router its screens). A new capability is one file in this folder
 * and one line here.
 */
import { seal } from "../registry.js";
import "./archive.js";
import "./tickets.js";
import "./work_orders.js";
import "./patrol.js";
import "./vacant.js";
import "./visits.js";
import "./renovation.js";
import "./surveys.js";
import "./move_in.js";
import "./meters.js";
import "./fees.js";
import "./records.js";

seal();
