// @ts-check
/** Notes on units (便签): listed in My records with the unit and the first words. */
import { defineFeature } from "../registry.js";

export const feature = defineFeature({
  name: "unit_notes",
  collections: {
    unit_note: { listed: true, summary: (data, lookup) => `${lookup.unitCode(data.unit_id)} ${data.body || ""}`.trim() },
  },
  indexes: { unit_note: ["unit_id"] },
});
