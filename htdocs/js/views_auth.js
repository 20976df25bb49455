// Login, first password (activation code), the second factor, TOTP
// enrolment with QR code and recovery codes, password change.

import { api, setCsrf } from "./api.js";
import { h, field } from "./dom.js";
import { t } from "./i18n.js";
import { state, say, later, go, refreshMe, hint } from "./app.js";

function failure(status, code) {
  if (status === 401) return t("login.wrong");
  if (status === 423) return t("login.locked");
  if (status === 403 && code === "ip_denied") return t("ip.denied");
  if (status === 403 && code === "tenant_terminated") return t("login.terminated");
  return t("error.unavailable");
}

async function afterLogin(data) {
  setCsrf(data.csrf_token);
  hint(true);
  state.me = null;
  if (data.mfa === "required") return go("/mfa");
  if (data.mfa === "enroll") return go("/enroll");
  await refreshMe();
  go("/home");
}

export async function login(main) {
  if (await refreshMe() && state.me.session === "full") return go("/home");
  const [l1, no] = field(t("employee_no"), { name: "employee_no", autocomplete: "username", required: true, maxlength: 32 });
  const [l2, pw] = field(t("password"), { name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 72 });
  const form = h("form", { class: "card", id: "login-form" },
    h("h1", {}, t("login.title")), l1, no, l2, pw,
    h("button", { type: "submit" }, t("login.submit")),
    h("p", {}, h("a", { href: "#/activate" }, t("login.first"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { status, data, code } = await api("POST", "/v1/session", { employee_no: no.value, password: pw.value }, { allow401: true });
    pw.value = "";
    if (status === 200) {
      say("");
      return afterLogin(data);
    }
    say(failure(status, code));
  });
  main.append(form);
  no.focus();
}

function policyText(data) {
  const d = data && data.error && data.error.details;
  return d ? d.map((x) => x.message).join(" / ") : "";
}

export async function activate(main) {
  const [l1, no] = field(t("employee_no"), { autocomplete: "username", required: true, maxlength: 32 });
  const [l2, code] = field(t("activate.code"), { autocomplete: "one-time-code", required: true, maxlength: 40 });
  const [l3, pw] = field(t("password.new"), { type: "password", autocomplete: "new-password", required: true, maxlength: 72 });
  const form = h("form", { class: "card" }, h("h1", {}, t("activate.title")),
    h("p", {}, t("activate.help")), l1, no, l2, code, l3, pw,
    h("button", { type: "submit" }, t("activate.submit")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { status, data, code: c } = await api("POST", "/v1/activation",
      { employee_no: no.value, activation_code: code.value.trim(), new_password: pw.value }, { allow401: true });
    pw.value = "";
    if (status === 204) {
      later(t("activate.done"), true);
      return go("/login");
    }
    say(status === 422 ? t("password.policy") + " " + policyText(data) : failure(status, c));
  });
  main.append(form);
}

export async function mfa(main) {
  await refreshMe();
  if (!state.me) return go("/login");
  if (state.me.session !== "mfa") return go("/home");
  const [l1, code] = field(t("mfa.code"), { inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: 20 });
  const form = h("form", { class: "card" }, h("h1", {}, t("mfa.title")),
    h("p", {}, t("mfa.help")), l1, code, h("button", { type: "submit" }, t("mfa.submit")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { status, data, code: c } = await api("POST", "/v1/session/totp", { code: code.value.trim() }, { allow401: true });
    code.value = "";
    if (status === 200) {
      say("");
      return afterLogin(data);
    }
    say(status === 401 ? t("mfa.wrong") : failure(status, c));
  });
  main.append(form);
  code.focus();
}

export async function enroll(main) {
  await refreshMe();
  if (!state.me) return go("/login");
  const { status, data } = await api("POST", "/v1/me/totp");
  if (status !== 200) {
    say(t("error.unavailable"));
    return;
  }
  const qr = h("div", { class: "qr", role: "img", "aria-label": t("enroll.qr") });
  if (data.qr_svg) {
    // Our own server's SVG (paths and fills only), parsed as SVG, not HTML.
    const doc = new DOMParser().parseFromString(data.qr_svg, "image/svg+xml");
    const svg = doc.documentElement;
    if (svg && svg.nodeName === "svg") qr.append(document.importNode(svg, true));
  }
  const [l1, code] = field(t("mfa.code"), { inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: 6 });
  const result = h("div");
  const form = h("form", { class: "card", id: "enroll-form" }, h("h1", {}, t("enroll.title")),
    h("p", {}, t("enroll.help")), qr,
    h("p", {}, t("enroll.secret"), " ", h("code", { id: "totp-secret" }, data.secret)),
    l1, code, h("button", { type: "submit" }, t("enroll.submit")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/v1/me/totp/confirm", { code: code.value.trim() });
    code.value = "";
    if (r.status !== 200) {
      say(r.status === 401 || r.status === 400 || r.status === 422 ? t("mfa.wrong") : t("error.unavailable"));
      return;
    }
    say("");
    setCsrf(r.data.csrf_token);
    form.hidden = true;
    result.append(h("section", { id: "recovery" }, h("h1", {}, t("enroll.done")),
      h("p", {}, t("enroll.codes")),
      h("ul", { class: "codes" }, r.data.recovery_codes.map((c) => h("li", {}, c))),
      h("button", { type: "button", onclick: async () => { await refreshMe(); go("/home"); } }, t("continue"))));
  });
  main.append(form, result);
}

export async function password(main) {
  const [l1, cur] = field(t("password.current"), { type: "password", autocomplete: "current-password", required: true, maxlength: 72 });
  const [l2, pw] = field(t("password.new"), { type: "password", autocomplete: "new-password", required: true, maxlength: 72 });
  const form = h("form", { class: "card" }, h("h1", {}, t("password.title")), h("p", {}, t("password.help")),
    l1, cur, l2, pw, h("button", { type: "submit" }, t("save")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { status, data } = await api("POST", "/v1/me/password", { current_password: cur.value, new_password: pw.value });
    cur.value = pw.value = "";
    if (status === 204) say(t("password.changed"), true);
    else if (status === 422) say(t("password.policy") + " " + policyText(data));
    else if (status === 403 || status === 401) say(t("password.wrong"));
    else say(t("error.unavailable"));
  });
  main.append(form);
}
