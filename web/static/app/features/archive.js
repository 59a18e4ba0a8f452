// @ts-check
/**
 * The archive of my buildings (楼栋、房屋、业户档案) as the phone caches it: buildings,
 * their units and the households living there. No screen of its own: the place pickers
 * (screens/common.js) read units by building, the visit form a unit's household, and a
 * visit updates the archive (features/visits.js).
 */
import { defineFeature } from "../registry.js";

export const feature = defineFeature({
  name: "archive",
  collections: {
    building: { summary: (data) => [data.code, data.name].filter(Boolean).join(" ") },
    unit: { summary: (data) => data.code || "" },
    household: { listed: true, summary: (data) => data.owner_name || "" },
  },
  indexes: { unit: ["building_id"], household: ["unit_id"] },
});
