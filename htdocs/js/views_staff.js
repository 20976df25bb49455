// Health staff: the people in their scope and their checkup results.
// Stress-check staff: campaigns (open, close) and the results in scope.

import { api } from "./api.js";
import { h, field, table, todayJst } from "./dom.js";
import { t, tOr } from "./i18n.js";
import { say, go } from "./app.js";
import { checkupSection } from "./views_employee.js";

export async function people(main, { query }) {
  main.append(h("h1", {}, t("nav.people")));
  const page = Number(query.get("page") || 1);
  const { status, data } = await api("GET", "/v1/people?page=" + page);
  if (status !== 200) return say(t("error.unavailable"));
  main.append(h("p", {}, t("people.scope", data.total)),
    table([t("employee_no"), t("users.state")], data.people.map((p) => [
      h("a", { href: "#/person/" + encodeURIComponent(p.employee_no) }, p.employee_no), tOr("status." + p.status, p.status)])));
  if (data.total > page * data.per_page) main.append(h("p", {}, h("a", { href: "#/people?page=" + (page + 1) }, t("next"))));
}

export async function person(main, { arg }) {
  const [p, c] = await Promise.all([api("GET", "/v1/people/" + encodeURIComponent(arg)),
    api("GET", "/v1/checkups?employee_no=" + encodeURIComponent(arg))]);
  if (p.status === 404 || c.status === 404) {
    main.append(h("h1", {}, arg));
    return say(t("notfound"));
  }
  if (p.status !== 200 || c.status !== 200) return say(t("error.unavailable"));
  main.append(h("h1", {}, p.data.employee_no, " ", p.data.name ?? t("name.unavailable")),
    h("p", {}, t("labels"), ": ", (p.data.labels || []).join(", ") || "—"),
    h("p", { class: "muted" }, t("checkup.legend")));
  if (!c.data.checkups.length) main.append(h("p", {}, t("checkup.none")));
  for (const x of c.data.checkups) main.append(checkupSection(x));
}

export async function campaigns(main) {
  main.append(h("h1", {}, t("nav.sc")));
  const { status, data } = await api("GET", "/v1/stress-check/campaigns");
  if (status !== 200) return say(t("error.unavailable"));
  const list = h("section", { id: "campaigns" });
  for (const c of data.campaigns) {
    const close = c.status === "open" ? h("button", { type: "button", class: "secondary", onclick: async () => {
      const r = await api("POST", "/v1/stress-check/campaigns/" + c.id + "/close");
      if (r.status === 200 || r.status === 204) { say(t("sc.closed"), true); go("/sc"); } else say(t("error.unavailable"));
    } }, t("sc.close")) : null;
    const results = h("div");
    const show = h("button", { type: "button", class: "secondary", onclick: async () => {
      const r = await api("GET", "/v1/stress-check/results?campaign=" + c.id);
      if (r.status !== 200) return say(r.status === 422 ? t("sc.too_small") : t("error.unavailable"));
      const done = r.data.results.length;
      const high = r.data.results.filter((x) => x.high_stress);
      results.replaceChildren(h("p", {}, t("sc.progress", done, high.length)),
        table([t("employee_no"), "A", "B", "C", t("stress.high_short"), t("stress.interview_short")],
          r.data.results.map((x) => [x.employee_no, x.a, x.b, x.c, x.high_stress ? t("yes") : "", x.interview_requested ? t("yes") : ""])));
    } }, t("sc.results"));
    const [lg, label] = field(t("sc.group_label"), { maxlength: 64 });
    const groupOut = h("div", { "aria-live": "polite" });
    const groupForm = h("form", {}, lg, label, h("button", { type: "submit", class: "secondary" }, t("sc.group")));
    groupForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = await api("GET", "/v1/stress-check/group?campaign=" + c.id + "&label=" + encodeURIComponent(label.value.trim()));
      if (r.status === 422) return say(t("sc.too_small"));
      if (r.status === 404) return say(t("notfound"));
      if (r.status !== 200) return say(t("bad_input"));
      const g = r.data;
      groupOut.replaceChildren(h("p", {}, t("sc.group_n", g.examinees, g.high_stress)),
        table([t("sc.scale"), t("sc.mean")], [[t("sc.quantity"), g.means.quantity.toFixed(1)], [t("sc.control"), g.means.control.toFixed(1)],
          [t("sc.supervisor"), g.means.supervisor.toFixed(1)], [t("sc.coworker"), g.means.coworker.toFixed(1)]]),
        table([t("sc.risk"), ""], [[t("sc.risk_qc"), g.health_risk.quantity_control], [t("sc.risk_support"), g.health_risk.support],
          [t("sc.risk_total"), g.health_risk.total]]),
        h("p", { class: "muted" }, t("sc.risk_help")));
    });
    list.append(h("article", { class: "card" }, h("h2", {}, c.name),
      h("p", {}, c.starts_on, " – ", c.ends_on, " · ", t("sc.method" + c.method), " · ", tOr("sc." + c.status, c.status),
        " · ", c.labels && c.labels.length ? c.labels.join(", ") : t("sc.everyone")),
      show, " ", close, results, groupForm, groupOut));
  }
  if (!data.campaigns.length) list.append(h("p", {}, t("stress.none")));
  const [l1, name] = field(t("sc.name"), { required: true, maxlength: 100 });
  const [l2, start] = field(t("from"), { type: "date", required: true, value: todayJst() });
  const [l3, end] = field(t("to"), { type: "date", required: true });
  const [l4, method] = field(t("sc.method"), { tag: "select" });
  method.append(h("option", { value: "2" }, t("sc.method2")), h("option", { value: "1" }, t("sc.method1")));
  const [l5, targets] = field(t("sc.targets"), { maxlength: 500 });
  const form = h("form", { class: "card", id: "campaign-form" }, h("h2", {}, t("sc.create")), l1, name,
    h("div", { class: "row" }, h("div", {}, l2, start), h("div", {}, l3, end)), l4, method, l5, targets,
    h("button", { type: "submit" }, t("sc.create")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/v1/stress-check/campaigns", { name: name.value.trim(), starts_on: start.value, ends_on: end.value, method: Number(method.value),
      labels: targets.value.split(/[;；,]/).map((x) => x.trim()).filter(Boolean) });
    if (r.status === 201 || r.status === 200) { say(t("sc.created"), true); go("/sc"); } else say(t("bad_input") + " " + ((r.data && r.data.error && r.data.error.message) || ""));
  });
  main.append(list, form);
}
