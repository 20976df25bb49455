// Ailes+ single-page app: a hash router over the JSON API. Every view is
// a module function that fills <main id="view">; no inline script or
// style anywhere (the CSP forbids them), no external resources.

import { api, setCsrf, whenExpired } from "./api.js";
import { $, h, clear } from "./dom.js";
import { t, lang, setLang } from "./i18n.js";
import * as auth from "./views_auth.js";
import * as me from "./views_employee.js";
import * as admin from "./views_admin.js";
import * as staff from "./views_staff.js";

export const state = { me: null };

const ADMIN = ["tenant_admin"];
const HEALTH = ["health_staff"];
const SC = ["sc_staff", "sc_implementer"];
const EMPLOYEES = ["employee", "health_staff", "sc_staff", "sc_implementer", "tenant_admin"];
const EVERYONE = [...EMPLOYEES, "examinee"];

// path -> [view, roles allowed (null: no session needed), nav label key]
const routes = {
  "/login": [auth.login, null],
  "/activate": [auth.activate, null],
  "/mfa": [auth.mfa, null],
  "/enroll": [auth.enroll, null],
  "/home": [me.home, EVERYONE, "nav.home"],
  "/checkups": [me.checkups, EMPLOYEES, "nav.checkups"],
  "/lifelog": [me.lifelog, EMPLOYEES, "nav.lifelog"],
  "/stress": [me.stress, EVERYONE, "nav.stress"],
  "/people": [staff.people, HEALTH, "nav.people"],
  "/person": [staff.person, HEALTH],
  "/sc": [staff.campaigns, SC, "nav.sc"],
  "/admin/users": [admin.users, ADMIN, "nav.users"],
  "/admin/user": [admin.user, ADMIN],
  "/admin/import": [admin.importUsers, ADMIN, "nav.import"],
  "/admin/labels": [admin.labels, ADMIN, "nav.labels"],
  "/admin/checkups": [admin.checkups, [...ADMIN, ...HEALTH], "nav.upload"],
  "/admin/ip": [admin.ip, ADMIN, "nav.ip"],
  "/admin/audit": [admin.audit, ADMIN, "nav.audit"],
  "/password": [auth.password, EVERYONE, "nav.password"],
};

// A message that survives the next navigation (say() is cleared by it).
let flash = null;
export function later(text, ok = false) { flash = [text, ok]; }

export function say(text, ok = false) {
  const m = $("message");
  m.textContent = text || "";
  m.className = ok ? "ok" : "";
}

export function go(path) {
  if (location.hash === "#" + path) render();
  else location.hash = "#" + path;
}

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/home";
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean);
  // "/admin/user/E001" -> route "/admin/user", arg "E001"
  for (let n = parts.length; n > 0; n--) {
    const p = "/" + parts.slice(0, n).join("/");
    if (routes[p]) return { path: p, arg: parts.slice(n).map(decodeURIComponent).join("/"), query: new URLSearchParams(query) };
  }
  return { path: "/home", arg: "", query: new URLSearchParams() };
}

function nav() {
  const el = clear($("nav"));
  const role = state.me && state.me.session === "full" ? state.me.role : null;
  const here = parse().path;
  for (const [path, [, roles, key]] of Object.entries(routes)) {
    if (!key || !role || !roles.includes(role)) continue;
    el.append(h("a", { href: "#" + path, "aria-current": here === path ? "page" : null }, t(key)));
  }
  $("logout").hidden = !state.me;
  $("logout").textContent = t("logout");
  $("lang").textContent = lang() === "ja" ? "English" : "日本語";
  $("lang").setAttribute("lang", lang() === "ja" ? "en" : "ja");
  document.documentElement.lang = lang();
  $("skip").textContent = t("skip");
}

// Whether this tab has logged in: without it there is no session to ask
// /v1/me about (and no 401 to provoke on a fresh visit).
function hinted() {
  try { return sessionStorage.getItem("ailes.session") === "1"; } catch (e) { return true; }
}
export function hint(on) {
  try { if (on) sessionStorage.setItem("ailes.session", "1"); else sessionStorage.removeItem("ailes.session"); } catch (e) { /* ignore */ }
}

export async function refreshMe() {
  if (!hinted()) {
    state.me = null;
    return null;
  }
  const { status, data } = await api("GET", "/v1/me", undefined, { allow401: true });
  state.me = status === 200 ? data : null;
  if (state.me) setCsrf(state.me.csrf_token);
  else if (status === 401) hint(false);
  return state.me;
}

export async function render() {
  const { path, arg, query } = parse();
  const [view, roles] = routes[path];
  const main = $("view");
  if (roles) {
    if (!state.me) await refreshMe();
    if (!state.me) return go("/login");
    if (state.me.session === "mfa") return go("/mfa");
    if (state.me.session === "enroll") return go("/enroll");
    if (!roles.includes(state.me.role)) {
      nav();
      clear(main).append(h("h1", {}, t("forbidden")));
      return;
    }
  }
  nav();
  clear(main);
  document.title = t("app");
  try {
    await view(main, { arg, query });
  } catch (e) {
    clear(main).append(h("p", { class: "flag" }, t("error.unexpected")));
  }
  main.focus();
}

whenExpired(() => {
  state.me = null;
  hint(false);
  setCsrf(null);
  if (location.hash.startsWith("#/login")) say(t("expired"));
  else { later(t("expired")); location.hash = "#/login"; }
});

$("lang").addEventListener("click", () => {
  setLang(lang() === "ja" ? "en" : "ja");
  render();
});

$("logout").addEventListener("click", async () => {
  await api("DELETE", "/v1/session", undefined, { allow401: true });
  hint(false);
  state.me = null;
  setCsrf(null);
  later(t("loggedout"), true);
  go("/login");
});

window.addEventListener("hashchange", () => {
  if (flash) { say(...flash); flash = null; } else say("");
  render();
});
render();
