// @ts-check
/** Log in once online: enrol this phone and keep its device credential. */
import { ApiFailure, postJson } from "../api.js";
import { h, field, value } from "../dom.js";
import { lang, setLang, t } from "../i18n.js";
import { errorText } from "../records-view.js";
import * as store from "../store.js";
import { syncNow } from "../sync.js";
import { newId } from "./common.js";

/** @param {import("./common.js").Context} ctx */
export async function login(ctx) {
  const remembered = (await store.getMeta("relogin_username")) || "";
  const pending = await store.outboxCount();
  const error = h("p", { class: "error", role: "alert", "data-login-error": true });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "stack", "data-login": true, onsubmit: async (/** @type {Event} */ event) => {
    event.preventDefault();
    error.textContent = "";
    const username = String(value(form, "username") || "").trim();
    const previous = await store.getMeta("last_user");
    if (previous && previous !== username) {
      try {
        await store.handOver(newId()); // a phone serves one steward at a time: a new device
      } catch {
        error.textContent = t("login.other_user_pending", { user: previous });
        return;
      }
    }
    const deviceId = (await store.getMeta("device_id")) || newId();
    try {
      const answer = await postJson("/api/v1/devices/enrol", {
        username, password: value(form, "password") || "", device_id: deviceId, label: navigator.userAgent.slice(0, 100),
      }, false);
      await store.setMeta("device_id", deviceId);
      await store.setMeta("last_user", username);
      await store.setMeta("session", { token: answer.token, expires_at: answer.expires_at, user: answer.user, device_id: deviceId });
      await store.setMeta("relogin_username", null);
      ctx.flash(t("login.done"));
      ctx.go("today");
      await syncNow();
      await ctx.refresh();
    } catch (failure) {
      const offline = failure instanceof ApiFailure && failure.status === null;
      const refused = failure instanceof ApiFailure ? errorText(failure.body?.code, failure.body?.message, lang(), t) : "";
      error.textContent = offline ? t("login.offline") : refused || t("login.failed");
    }
  } },
  field(t("login.username"), h("input", { name: "username", autocomplete: "username", required: true, value: remembered, autocapitalize: "none" })),
  field(t("login.password"), h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
  error,
  h("button", { type: "submit", class: "button primary" }, t("login.submit"))));
  return h("div", { class: "screen" },
    h("p", { class: "lead" }, t("login.lead")),
    pending ? h("p", { class: "banner warn", "data-kept": true }, t("login.kept", { n: pending })) : null,
    form,
    h("button", { type: "button", class: "button link", onclick: () => { setLang(lang() === "en" ? "zh-CN" : "en"); void ctx.refresh(); } }, t("lang.switch")));
}
