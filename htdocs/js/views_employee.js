// What every employee sees: home with notices, own checkup results,
// life-log and points, the stress check and its result.

import { api } from "./api.js";
import { h, field, table, todayJst, jst } from "./dom.js";
import { t, tOr, lang } from "./i18n.js";
import { state, say, go } from "./app.js";

export async function home(main) {
  const m = state.me;
  main.append(h("section", {},
    h("h1", {}, t("home.welcome", m.name ?? t("name.unavailable"))),
    h("dl", {},
      h("dt", {}, t("employee_no")), h("dd", { id: "me-employee-no" }, m.employee_no),
      h("dt", {}, t("role")), h("dd", { id: "me-role" }, tOr("role." + m.role, m.role)),
      h("dt", {}, t("tenant")), h("dd", {}, m.tenant),
      m.labels && m.labels.length ? [h("dt", {}, t("labels")), h("dd", {}, m.labels.join(", "))] : null,
      h("dt", {}, t("mfa")), h("dd", {}, m.mfa_enabled ? t("mfa.on") : t("mfa.off"))),
    m.mfa_enabled ? null : h("p", {}, h("a", { href: "#/enroll" }, t("mfa.setup")))));
  const notices = h("section", { id: "notices" }, h("h2", {}, t("notices")));
  main.append(notices);
  const { status, data } = await api("GET", "/v1/notices");
  const list = status === 200 && data && Array.isArray(data.notices) ? data.notices : [];
  if (!list.length) notices.append(h("p", { class: "muted" }, t("notices.none")));
  for (const n of list) {
    const art = h("article", { class: "notice " + n.severity + (n.read ? "" : " unread"), id: "notice-" + n.id },
      h("h3", {}, n.title),
      h("p", { class: "muted" }, tOr("severity." + n.severity, n.severity), " · ", jst(n.from)),
      h("p", {}, n.body),
      n.what ? h("p", {}, t("notice.what"), ": ", n.what) : null,
      n.cause ? h("p", {}, t("notice.cause"), ": ", n.cause) : null,
      n.response ? h("p", {}, t("notice.response"), ": ", n.response) : null,
      (n.updates || []).map((u) => h("p", { class: "muted" }, jst(u.at), " ", u.body)));
    if (!n.read) {
      art.append(h("button", { type: "button", class: "secondary", onclick: async (ev) => {
        const r = await api("POST", "/v1/notices/" + n.id + "/read");
        if (r.status === 204) { art.classList.remove("unread"); ev.target.remove(); }
      } }, t("notice.mark_read")));
    }
    notices.append(art);
  }
}

// --- checkups -------------------------------------------------------------

const KIND = (k) => tOr("kind." + k, k);
const WORK = (w) => (w ? tOr("work." + w, w) : "—");

function itemValue(key, v) {
  if (typeof v === "string") return tOr("value." + v, v);
  return String(v);
}

export function checkupSection(c) {
  const flagged = new Set(c.out_of_range || []);
  const rows = Object.entries(c.items || {})
    .filter(([k]) => !["judgement", "work_class", "sex", "age"].includes(k))
    .map(([k, v]) => [tOr("item." + k, k),
      h("td", { class: flagged.has(k) ? "num flag" : "num" }, itemValue(k, v)),
      tOr("unit." + k, ""),
      flagged.has(k) ? t("checkup.outside") : ""]);
  return h("section", { class: "checkup" },
    h("h2", {}, c.exam_date, " ", KIND(c.kind)),
    h("p", {}, t("checkup.judgement"), ": ", h("strong", {}, c.judgement || "—"), " / ",
      t("checkup.work"), ": ", WORK(c.work_class)),
    rows.length ? table([t("checkup.item"), t("checkup.value"), t("checkup.unit"), ""], rows) : null);
}

export async function checkups(main) {
  main.append(h("h1", {}, t("nav.checkups")));
  const { status, data } = await api("GET", "/v1/checkups");
  if (status !== 200) return say(t("error.unavailable"));
  if (!data.checkups.length) main.append(h("p", {}, t("checkup.none")));
  main.append(h("p", { class: "muted" }, t("checkup.legend")));
  for (const c of data.checkups) main.append(checkupSection(c));
}

// --- life-log and points -------------------------------------------------

const LL_KINDS = ["steps", "sleep", "weight", "blood_pressure", "exercise", "alcohol_free", "no_smoking"];

function llValue(kind, v) {
  if (v === null || v === undefined) return "";
  if (kind === "blood_pressure") return v.systolic + "/" + v.diastolic;
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  return String(v);
}

export async function lifelog(main) {
  main.append(h("h1", {}, t("nav.lifelog")));
  const [ld, date] = field(t("lifelog.date"), { type: "date", required: true, value: todayJst(), max: todayJst() });
  const [lk, kind] = field(t("lifelog.kind"), { tag: "select" });
  for (const k of LL_KINDS) kind.append(h("option", { value: k }, t("ll." + k)));
  const [lv, value] = field(t("lifelog.value"), { inputmode: "decimal", id: "ll-value" });
  const [ls, sys] = field(t("ll.systolic"), { inputmode: "numeric", id: "ll-sys" });
  const [lds, dia] = field(t("ll.diastolic"), { inputmode: "numeric", id: "ll-dia" });
  const check = h("input", { type: "checkbox", id: "ll-bool" });
  const bool = h("label", { for: "ll-bool" }, check, " ", t("lifelog.done"));
  const bp = h("div", { class: "row" }, h("div", {}, ls, sys), h("div", {}, lds, dia));
  const plain = h("div", {}, lv, value);
  const sync = () => {
    const k = kind.value;
    bp.hidden = k !== "blood_pressure";
    bool.hidden = !["alcohol_free", "no_smoking"].includes(k);
    plain.hidden = !bp.hidden || !bool.hidden;
    lv.textContent = t("lifelog.value") + " (" + tOr("llunit." + k, "") + ")";
  };
  kind.addEventListener("change", sync);
  const form = h("form", { class: "card", id: "lifelog-form" }, h("h2", {}, t("lifelog.enter")),
    h("div", { class: "row" }, h("div", {}, ld, date), h("div", {}, lk, kind)), plain, bp, bool,
    h("button", { type: "submit" }, t("save")));
  sync();
  const entries = h("section", { id: "entries" });
  const points = h("section", { id: "points" });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const k = kind.value;
    let v;
    if (k === "blood_pressure") v = { systolic: Number(sys.value), diastolic: Number(dia.value) };
    else if (bool.hidden === false) v = check.checked;
    else v = Number(value.value);
    if (typeof v === "number" && (value.value.trim() === "" || Number.isNaN(v))) return say(t("lifelog.bad"));
    const { status, data } = await api("POST", "/v1/lifelog", { date: date.value, kind: k, value: v, source: "manual" });
    if (status === 200 || status === 201) {
      say(t("saved"), true);
      await load();
    } else {
      say(status === 422 || status === 400 ? t("lifelog.bad") + " " + ((data && data.error && data.error.message) || "") : t("error.unavailable"));
    }
  });
  async function load() {
    const [e, p] = await Promise.all([api("GET", "/v1/lifelog"), api("GET", "/v1/points")]);
    entries.replaceChildren(h("h2", {}, t("lifelog.recent")));
    if (e.status === 200) {
      entries.append(e.data.entries.length
        ? table([t("lifelog.date"), t("lifelog.kind"), t("lifelog.value")],
          e.data.entries.map((x) => [x.date, t("ll." + x.kind), llValue(x.kind, x.value)]))
        : h("p", { class: "muted" }, t("lifelog.none")));
    }
    points.replaceChildren(h("h2", {}, t("points")));
    if (p.status === 200) {
      points.append(h("p", {}, t("points.balance"), ": ", h("strong", { id: "points-balance" }, String(p.data.balance))),
        h("p", { class: "muted" }, t("points.help")),
        p.data.history.length ? table([t("lifelog.date"), t("lifelog.kind"), t("points.amount"), t("points.reason")],
          p.data.history.map((x) => [x.date, tOr("ll." + x.kind, x.kind), x.amount, x.reason || tOr("points." + x.type, x.type)])) : null);
    }
  }
  main.append(form, points, entries);
  await load();
}

// --- stress check --------------------------------------------------------

function openCampaign(list) {
  const today = todayJst();
  return list.find((c) => c.status === "open" && c.starts_on <= today && today <= c.ends_on) || null;
}

// Bar chart of the 19 scale points (1-5), drawn as SVG elements (no
// inline style: classes from the stylesheet).
function chart(scales) {
  const NS = "http://www.w3.org/2000/svg";
  const rowH = 18, left = 170, width = 360;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${scales.length * rowH + 24}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("stress.chart"));
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  scales.forEach((s, i) => {
    const y = i * rowH + 4;
    el("text", { x: 0, y: y + 12 }, lang() === "ja" ? s.ja : s.key);
    el("rect", { x: left, y, width: (s.points / 5) * (width - left - 24), height: rowH - 6, class: "bar1" });
    el("text", { x: left + (s.points / 5) * (width - left - 24) + 4, y: y + 12 }, String(s.points));
  });
  el("line", { x1: left, y1: 0, x2: left, y2: scales.length * rowH + 4, class: "axis" });
  return svg;
}

async function showResult(main, campaign, r) {
  const sec = h("section", { id: "stress-result" }, h("h2", {}, t("stress.result")),
    h("p", { class: r.high_stress ? "high" : "" }, r.high_stress ? t("stress.high") : t("stress.not_high")),
    table([t("stress.area"), t("stress.score")], [["A " + t("stress.a"), r.a], ["B " + t("stress.b"), r.b], ["C " + t("stress.c"), r.c]]),
    r.scales && r.scales.length ? [h("p", { class: "muted" }, t("stress.points_help")), chart(r.scales)] : null);
  const act = h("div");
  const consent = h("button", { type: "button", id: "consent" }, t("stress.consent"));
  const interview = h("button", { type: "button", id: "interview" }, t("stress.interview"));
  consent.addEventListener("click", async () => {
    const x = await api("POST", "/v1/stress-check/consent", { campaign: campaign.id });
    if (x.status === 204 || x.status === 200) { say(t("stress.consented"), true); consent.disabled = true; }
    else say(t("error.unavailable"));
  });
  interview.addEventListener("click", async () => {
    const x = await api("POST", "/v1/stress-check/interview", { campaign: campaign.id });
    if (x.status === 204 || x.status === 200) { say(t("stress.requested"), true); interview.disabled = consent.disabled = true; }
    else if (x.code === "interview_window_closed") say(t("stress.window_closed"));
    else say(t("error.unavailable"));
  });
  consent.disabled = !!r.consented;
  interview.disabled = !!r.interview_requested;
  act.append(h("p", {}, t("stress.consent_help")), consent, h("p", {}, t("stress.interview_help")), interview);
  sec.append(act);
  main.append(sec);
}

export async function stress(main) {
  main.append(h("h1", {}, t("nav.stress")));
  const cl = await api("GET", "/v1/stress-check/campaigns");
  if (cl.status !== 200) return say(t("error.unavailable"));
  const c = openCampaign(cl.data.campaigns) || cl.data.campaigns[0];
  if (!c) {
    main.append(h("p", {}, t("stress.none")));
    return;
  }
  main.append(h("p", {}, c.name, " (", c.starts_on, " – ", c.ends_on, ")"));
  const saved = await api("GET", "/v1/stress-check/answers?campaign=" + c.id);
  if (saved.status !== 200) return say(t("error.unavailable"));
  if (saved.data.submitted) {
    const res = await api("GET", "/v1/stress-check/result?campaign=" + c.id);
    if (res.status === 200) return showResult(main, c, res.data);
    return say(t("error.unavailable"));
  }
  if (c.status !== "open" || !openCampaign([c])) {
    main.append(h("p", {}, t("stress.closed")));
    return;
  }
  const q = await api("GET", "/v1/stress-check/questionnaire");
  if (q.status !== 200) return say(t("error.unavailable"));
  const answers = saved.data.answers.slice();
  const progress = h("p", { class: "progress", id: "progress", "aria-live": "polite" });
  const count = () => {
    progress.textContent = t("stress.progress", answers.filter((x) => x).length, answers.length);
  };
  const form = h("form", { id: "stress-form" });
  const sexes = h("fieldset", {}, h("legend", {}, t("stress.sex")),
    h("div", { class: "choices" }, ["male", "female"].map((s) => h("label", {},
      h("input", { type: "radio", name: "sex", value: s, checked: saved.data.sex === s, required: true }), t("sex." + s)))));
  form.append(h("p", {}, t("stress.help")), sexes);
  for (const area of q.data.areas) {
    const sec = h("section", {}, h("h2", {}, area.area + ". " + (lang() === "ja" ? area.instruction_ja : area.instruction_en)));
    for (const it of area.items) {
      const i = it.no - 1;
      sec.append(h("fieldset", { id: "q" + it.no },
        h("legend", {}, it.no + ". " + (lang() === "ja" ? (it.question_ja ? it.question_ja + " " : "") + it.ja : it.en)),
        h("div", { class: "choices" }, area.choices.map((ch) => {
          const input = h("input", { type: "radio", name: "a" + it.no, value: ch.code, checked: answers[i] === ch.code });
          input.addEventListener("change", () => { answers[i] = ch.code; count(); });
          return h("label", {}, input, lang() === "ja" ? ch.ja : ch.en);
        }))));
    }
    form.append(sec);
  }
  const sexValue = () => (form.querySelector("input[name=sex]:checked") || {}).value;
  const send = async (submit) => {
    const x = await api("PUT", "/v1/stress-check/answers", { campaign: c.id, sex: sexValue(), answers, submit });
    if (x.status === 200 || x.status === 204) {
      if (!submit) return say(t("saved"), true);
      say("");
      main.replaceChildren(h("h1", {}, t("nav.stress")));
      const r = await api("GET", "/v1/stress-check/result?campaign=" + c.id);
      if (r.status === 200) return showResult(main, c, r.data);
      return say(t("error.unavailable"));
    }
    say(x.status === 400 || x.status === 422 ? t("stress.incomplete") : t("error.unavailable"));
  };
  form.append(h("button", { type: "button", id: "stress-save", onclick: () => send(false) }, t("stress.save")),
    h("button", { type: "submit", id: "stress-submit" }, t("stress.submit")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (answers.some((x) => !x) || !sexValue()) return say(t("stress.incomplete"));
    send(true);
  });
  count();
  main.append(progress, form);
}

export { go };
