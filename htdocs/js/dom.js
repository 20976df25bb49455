// DOM helpers. Text always goes in as text nodes (never innerHTML), so
// names, labels and CSV reports cannot inject markup.

export const $ = (id) => document.getElementById(id);

// h("button", {class: "x", onclick: f, type: "button"}, "text", node, ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else if (k === "class") {
      el.className = v;
    } else if (v === true) {
      el.setAttribute(k, "");
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// A scrollable table; cells are strings, numbers or nodes (a <td> node is
// used as it is).
export function table(headers, rows, opts = {}) {
  return h("div", { class: "table-wrap" },
    h("table", {},
      opts.caption ? h("caption", {}, opts.caption) : null,
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) =>
        c instanceof Node && c.tagName === "TD" ? c
          : h("td", typeof c === "number" ? { class: "num" } : {}, c)))))));
}

// A labelled control: returns [label, control]. attrs.tag picks the
// element (input by default).
let uid = 0;
export function field(labelText, attrs = {}) {
  const { tag = "input", ...rest } = attrs;
  const id = rest.id || "f" + (++uid);
  const control = h(tag, { ...rest, id });
  return [h("label", { for: id }, labelText), control];
}

// Today's date in JST as YYYY-MM-DD.
export function todayJst() {
  return new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

// "2026-04-15T10:20:30.000+09:00" -> "2026-04-15 10:20" (already JST).
export function jst(ts) {
  return ts ? ts.replace("T", " ").slice(0, 16) : "";
}
