// @ts-check
/**
 * Live refresh without in-process server state: every few seconds ask `/desk/live` for the
 * sync clock (one row in the database, the same for every server process). When it moved
 * past the version the section was rendered at, re-fetch the section through HTMX.
 */

const INTERVAL_MS = 5000;

/** @param {Document} doc */
export function startLive(doc) {
  /** @type {Record<string, any>} */
  const w = /** @type {any} */ (window);
  setInterval(async () => {
    const section = /** @type {HTMLElement | null} */ (doc.querySelector("[data-live]"));
    if (!section || doc.hidden) return;
    const seen = section.dataset.liveVersion || "";
    if (!seen) return;
    try {
      const response = await fetch(`${section.dataset.live}?since=${encodeURIComponent(seen)}`,
        { headers: { accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      if (body.changed && w.htmx) {
        section.dataset.liveVersion = String(body.version);
        w.htmx.ajax("GET", window.location.pathname + window.location.search,
          { target: "#" + section.id, swap: "outerHTML" });
      }
    } catch {
      // offline or server restarting: try again at the next tick
    }
  }, INTERVAL_MS);
}
