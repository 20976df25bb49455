// Tenant administration: users (search, create, detail with unlock,
// TOTP reset, a new activation code), CSV import with its row report,
// checkup upload, status and report, the IP allow-list, the audit log.

import { api } from "./api.js";
import { h, field, table, jst, todayJst } from "./dom.js";
import { t, tOr } from "./i18n.js";
import { say, go } from "./app.js";

const ROLES = ["employee", "examinee", "sc_staff", "sc_implementer", "health_staff", "tenant_admin"];

function errorList(data) {
  const d = data && data.error && data.error.details;
  if (!d) return null;
  return h("ul", { class: "errors", id: "row-errors" }, d.map((e) => h("li", {},
    e.line ? t("import.line", e.line) : t("import.file"),
    e.column ? " [" + e.column + "] " : " ", e.message || e.rule || "")));
}

function fail(status, data) {
  if (status === 403) return say(t("forbidden"));
  if (status === 404) return say(t("notfound"));
  if (status === 409 && data && data.error && data.error.code === "last_admin") return say(t("users.last_admin"));
  if (status >= 400 && status < 500) return say(t("bad_input") + " " + ((data && data.error && data.error.message) || ""));
  say(t("error.unavailable"));
}

export async function users(main, { query }) {
  main.append(h("h1", {}, t("nav.users")));
  const [lq, q] = field(t("users.search_no"), { value: query.get("q") || "", maxlength: 32 });
  const [ln, name] = field(t("users.search_name"), { value: query.get("name") || "", maxlength: 200 });
  const search = h("form", { class: "card", role: "search" }, h("div", { class: "row" }, h("div", {}, lq, q), h("div", {}, ln, name)),
    h("button", { type: "submit" }, t("search")));
  search.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    if (name.value.trim()) p.set("name", name.value.trim());
    else if (q.value.trim()) p.set("q", q.value.trim());
    go("/admin/users?" + p.toString());
  });
  main.append(search);
  const p = new URLSearchParams();
  for (const k of ["q", "name", "label", "page"]) if (query.get(k)) p.set(k, query.get(k));
  const { status, data } = await api("GET", "/v1/users?" + p.toString());
  if (status !== 200) return fail(status, data);
  main.append(h("section", { id: "user-list" }, h("p", {}, t("users.total", data.total)),
    table([t("employee_no"), t("name"), t("role"), t("users.state")], data.users.map((u) => [
      h("a", { href: "#/admin/user/" + encodeURIComponent(u.employee_no) }, u.employee_no),
      u.name ?? t("name.unavailable"), tOr("role." + u.role, u.role),
      [u.locked ? t("users.locked") : "", u.status !== "active" ? tOr("status." + u.status, u.status) : "", u.mfa_enabled ? "" : t("users.no_mfa")].filter(Boolean).join(" · ")]))));
  const page = Number(query.get("page") || 1);
  if (!query.get("name") && data.total > page * data.per_page) {
    p.set("page", String(page + 1));
    main.append(h("p", {}, h("a", { href: "#/admin/users?" + p.toString() }, t("next"))));
  }
  main.append(createForm());
}

function createForm() {
  const [l1, no] = field(t("employee_no"), { required: true, maxlength: 32 });
  const [l2, name] = field(t("name"), { required: true, maxlength: 200 });
  const [l3, role] = field(t("role"), { tag: "select" });
  for (const r of ROLES) role.append(h("option", { value: r }, tOr("role." + r, r)));
  const [l4, labels] = field(t("users.labels_help"), { maxlength: 500 });
  const [l5, pw] = field(t("users.initial_pw"), { type: "password", autocomplete: "new-password", required: true, maxlength: 72 });
  const form = h("form", { class: "card", id: "user-create" }, h("h2", {}, t("users.create")),
    l1, no, l2, name, l3, role, l4, labels, l5, pw, h("button", { type: "submit" }, t("users.create")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { employee_no: no.value.trim(), name: name.value.trim(), role: role.value,
      labels: labels.value.split(/[;；,]/).map((x) => x.trim()).filter(Boolean), password: pw.value };
    const { status, data } = await api("POST", "/v1/users", body);
    pw.value = "";
    if (status === 201) {
      say(t("users.created"), true);
      return go("/admin/user/" + encodeURIComponent(body.employee_no));
    }
    if (status === 422 && data && data.error && data.error.code === "password_policy") {
      say(t("password.policy"));
      form.append(errorList(data));
      return;
    }
    fail(status, data);
  });
  return form;
}

export async function user(main, { arg }) {
  const { status, data } = await api("GET", "/v1/users/" + encodeURIComponent(arg));
  if (status !== 200) {
    main.append(h("h1", {}, arg));
    return fail(status, data);
  }
  const u = data;
  main.append(h("h1", {}, u.employee_no, " ", u.name ?? ""));
  main.append(h("section", {}, h("dl", {},
    h("dt", {}, t("role")), h("dd", {}, tOr("role." + u.role, u.role)),
    h("dt", {}, t("users.state")), h("dd", { id: "user-state" }, tOr("status." + u.status, u.status), u.locked ? " · " + t("users.locked") : ""),
    h("dt", {}, t("mfa")), h("dd", {}, u.mfa_enabled ? t("mfa.on") : t("mfa.off")),
    h("dt", {}, t("labels")), h("dd", {}, (u.labels || []).join(", ") || "—"),
    u.grants && u.grants.length ? [h("dt", {}, t("users.grants")), h("dd", {}, u.grants.join(", "))] : null)));
  const acts = h("section", { id: "user-actions" }, h("h2", {}, t("users.actions")));
  const act = (label, id, fn) => acts.append(h("button", { type: "button", id, onclick: fn }, label));
  const path = "/v1/users/" + encodeURIComponent(u.employee_no);
  act(t("users.unlock"), "unlock", async () => {
    const r = await api("POST", path + "/unlock");
    if (r.status === 204) { say(t("users.unlocked"), true); go("/admin/user/" + encodeURIComponent(u.employee_no)); } else fail(r.status, r.data);
  });
  act(t("users.reset_totp"), "reset-totp", async () => {
    if (!window.confirm(t("users.reset_totp_confirm"))) return;
    const r = await api("POST", path + "/reset-totp");
    if (r.status === 204) say(t("users.totp_reset"), true); else fail(r.status, r.data);
  });
  act(t("users.reissue"), "reissue", async () => {
    const r = await api("POST", path + "/activation");
    if (r.status === 200) {
      say(t("users.reissued"), true);
      acts.append(h("p", {}, t("activate.code"), ": ", h("code", { id: "activation-code" }, r.data.activation_code), " (", jst(r.data.expires_at), ")"));
    } else fail(r.status, r.data);
  });
  act(t("users.delete"), "delete", async () => {
    if (!window.confirm(t("users.delete_confirm"))) return;
    const r = await api("DELETE", path);
    if (r.status === 204) { say(t("users.deleted"), true); go("/admin/users"); } else fail(r.status, r.data);
  });
  main.append(acts);
  if (["health_staff", "sc_staff", "sc_implementer"].includes(u.role)) {
    const [lg, grants] = field(t("users.grants_help"), { value: (u.grants || []).join("; "), maxlength: 500, id: "grants" });
    const gform = h("form", { class: "card", id: "grants-form" }, h("h2", {}, t("users.grants")), h("p", {}, t("users.grants_explain")),
      lg, grants, h("button", { type: "submit" }, t("save")));
    gform.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = await api("PUT", path + "/grants", { labels: grants.value.split(/[;；,]/).map((x) => x.trim()).filter(Boolean) });
      if (r.status === 200) say(t("saved"), true); else fail(r.status, r.data);
    });
    main.append(gform);
  }
  const [l1, role] = field(t("role"), { tag: "select" });
  for (const r of ROLES) role.append(h("option", { value: r, selected: r === u.role }, tOr("role." + r, r)));
  const [l2, labels] = field(t("users.labels_help"), { value: (u.labels || []).join("; "), maxlength: 500 });
  const edit = h("form", { class: "card" }, h("h2", {}, t("users.edit")), l1, role, l2, labels, h("button", { type: "submit" }, t("save")));
  edit.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("PATCH", path, { role: role.value, labels: labels.value.split(/[;；,]/).map((x) => x.trim()).filter(Boolean) });
    if (r.status === 200) say(t("saved"), true); else fail(r.status, r.data);
  });
  main.append(edit);
}

// A CSV upload form; onDone(status, data) shows the answer.
function uploadForm(id, title, help, path, onDone) {
  const [l1, file] = field(t("upload.file"), { type: "file", accept: ".csv,text/csv", required: true });
  const form = h("form", { class: "card", id }, h("h2", {}, title), h("p", {}, help), l1, file,
    h("button", { type: "submit" }, t("upload.submit")));
  const out = h("div", { "aria-live": "polite" });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const f = file.files[0];
    if (!f) return say(t("upload.choose"));
    const body = new Uint8Array(await f.arrayBuffer());
    const { status, data } = await api("POST", path, body, { type: "text/csv" });
    if (status === 422) {
      say(t("import.invalid"));
      out.append(errorList(data));
      return;
    }
    if (status !== 200) return fail(status, data);
    say(t("upload.done"), true);
    onDone(out, data);
  });
  return [form, out];
}

export async function importUsers(main) {
  main.append(h("h1", {}, t("nav.import")));
  const [form, out] = uploadForm("import-form", t("import.title"), t("import.help"), "/v1/users/import", (o, data) => {
    o.append(h("p", { id: "import-summary" }, t("import.summary", data.created, data.updated)),
      data.activation_codes.length ? [h("p", {}, t("import.codes_help")),
        table([t("employee_no"), t("activate.code"), t("import.expires")],
          data.activation_codes.map((c) => [c.employee_no, h("td", {}, h("code", {}, c.activation_code)), jst(c.expires_at)]))] : null);
  });
  main.append(form, out);
}

export async function checkups(main) {
  main.append(h("h1", {}, t("nav.upload")));
  const [form, out] = uploadForm("checkup-form", t("upload.checkups"), t("upload.checkups_help"), "/v1/checkups", (o, data) => {
    o.append(h("p", { id: "upload-summary" }, data.already_imported ? t("upload.already", data.rows) : t("upload.imported", data.imported)));
  });
  main.append(form, out);
  const to = todayJst();
  const from = String(Number(to.slice(0, 4)) - 1) + to.slice(4);
  const [lf, f] = field(t("from"), { type: "date", value: from });
  const [lt, tt] = field(t("to"), { type: "date", value: to });
  const rep = h("section", { id: "report" });
  const form2 = h("form", { class: "card" }, h("h2", {}, t("report.title")), h("div", { class: "row" }, h("div", {}, lf, f), h("div", {}, lt, tt)),
    h("button", { type: "submit" }, t("report.show")));
  form2.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = "from=" + encodeURIComponent(f.value) + "&to=" + encodeURIComponent(tt.value);
    const { status, data } = await api("GET", "/v1/checkups/report?" + q);
    if (status !== 200) return fail(status, data);
    rep.replaceChildren(h("h2", {}, t("report.title")),
      h("p", {}, t("report.examinees", data.examinees), " · ", t("report.any", data.with_any_finding)),
      table([t("checkup.item"), t("report.examined"), t("report.findings")], data.items.map((i) => [i.name, i.examined, i.with_findings])),
      h("p", {}, h("a", { href: "/api/v1/checkups/report?format=csv&" + q, download: "checkup-report.csv" }, t("report.csv"))),
      h("p", { class: "muted" }, t("report.basis")));
  });
  main.append(form2, rep);
}

export async function labels(main) {
  main.append(h("h1", {}, t("nav.labels")), h("p", {}, t("labels.help")));
  const { status, data } = await api("GET", "/v1/labels");
  if (status !== 200) return fail(status, data);
  main.append(h("section", { id: "label-list" }, data.labels.length
    ? table([t("labels.name"), t("labels.members")], data.labels.map((l) => [
      h("a", { href: "#/admin/users?label=" + encodeURIComponent(l.name) }, l.name), l.members]))
    : h("p", { class: "muted" }, t("labels.none"))));
  const [l1, name] = field(t("labels.name"), { required: true, maxlength: 64 });
  const form = h("form", { class: "card", id: "label-form" }, h("h2", {}, t("labels.create")), l1, name,
    h("button", { type: "submit" }, t("labels.create")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/v1/labels", { name: name.value.trim() });
    if (r.status === 201) { say(t("saved"), true); go("/admin/labels"); } else fail(r.status, r.data);
  });
  main.append(form);
}

export async function ip(main) {
  main.append(h("h1", {}, t("nav.ip")));
  const { status, data } = await api("GET", "/v1/tenant/ip-allowlist");
  if (status !== 200) return fail(status, data);
  const [l1, cidrs] = field(t("ip.cidrs"), { tag: "textarea", rows: 6, id: "cidrs" });
  cidrs.value = data.cidrs.join("\n");
  const form = h("form", { class: "card", id: "ip-form" }, h("p", {}, t("ip.help")),
    h("p", {}, t("ip.yours"), ": ", h("code", {}, data.your_ip)), l1, cidrs, h("button", { type: "submit" }, t("save")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const list = cidrs.value.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
    const r = await api("PUT", "/v1/tenant/ip-allowlist", { cidrs: list });
    if (r.status === 200 || r.status === 204) say(t("saved"), true);
    else fail(r.status, r.data);
  });
  main.append(form);
}

export async function audit(main, { query }) {
  main.append(h("h1", {}, t("nav.audit")));
  const to = query.get("to") || todayJst();
  const from = query.get("from") || new Date(Date.parse(to) - 29 * 86400000).toISOString().slice(0, 10);
  const [lf, f] = field(t("from"), { type: "date", value: from });
  const [lt, tt] = field(t("to"), { type: "date", value: to });
  const form = h("form", { class: "card" }, h("div", { class: "row" }, h("div", {}, lf, f), h("div", {}, lt, tt)),
    h("button", { type: "submit" }, t("search")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    go("/admin/audit?from=" + f.value + "&to=" + tt.value);
  });
  main.append(form);
  const q = "from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
  const { status, data } = await api("GET", "/v1/audit?" + q);
  if (status !== 200) return fail(status, data);
  main.append(h("p", {}, h("a", { id: "audit-csv", href: "/api/v1/audit?format=csv&" + q, download: "audit.csv" }, t("audit.csv"))),
    table([t("audit.time"), t("audit.actor"), t("audit.action"), t("audit.target"), t("audit.result"), t("audit.ip")],
      data.events.map((e) => [jst(e.time), e.actor, e.action, e.target, e.outcome, e.client_ip])));
}
