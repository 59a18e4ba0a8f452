// @ts-check
/**
 * The archive of my buildings (楼栋、房屋、业户档案) as the phone caches it: buildings,
 * their units and the households living there. No screen of its own: the place pickers
 * (screens/common.js) read units by building, the visit form a unit's household, and a
 * visit updates the archive (features/visits.js).
 *
 * A unit may carry former households (ended by a 过户 or a tenant change, ``ended_on``
 * set): they stay in the cache as history; the visit form and summaries use the current one.
 */
import { t } from "../i18n.js";
import { defineFeature } from "../registry.js";

export const feature = defineFeature({
  name: "archive",
  collections: {
    building: { summary: (data) => [data.code, data.name].filter(Boolean).join(" ") },
    unit: { summary: (data) => data.code || "" },
    household: {
      listed: true,
      summary: (data) => (data.ended_on ? t("phone.household.former", { name: data.owner_name || "" }) : data.owner_name || ""),
    },
  },
  indexes: { unit: ["building_id"], household: ["unit_id"] },
});

/**
 * The unit's current household among its cached ones: not ended, the latest made.
 * @param {any[]} households
 * @returns {any | null}
 */
export function currentHousehold(households) {
  const current = households.filter((row) => !row.ended_on && !row.deleted);
  current.sort((a, b) => String(b.created_at || "").localeCompare(String(a.created_at || "")));
  return current[0] || null;
}
