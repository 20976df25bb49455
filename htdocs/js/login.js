// Login page of the demo: log in, show who is logged in, log out.
// Talks to the JSON API only; no inline script (the CSP forbids it).

const $ = (id) => document.getElementById(id);
let csrf = null;

function say(text) {
  $("message").textContent = text;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
  const res = await fetch("/api" + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  return { status: res.status, data };
}

function showLogin() {
  $("me").hidden = true;
  $("login").hidden = false;
  $("employee_no").focus();
}

async function showMe() {
  const { status, data } = await api("GET", "/v1/me");
  if (status !== 200) {
    showLogin();
    return;
  }
  csrf = data.csrf_token;
  $("me-name").textContent = data.name ?? "(氏名を表示できません / name unavailable)";
  $("me-employee-no").textContent = data.employee_no;
  $("me-role").textContent = data.role;
  $("me-tenant").textContent = data.tenant;
  $("admin-link").hidden = data.role !== "tenant_admin";
  $("login").hidden = true;
  $("me").hidden = false;
}

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  say("");
  const { status, data } = await api("POST", "/v1/session", {
    employee_no: $("employee_no").value,
    password: $("password").value,
  });
  $("password").value = "";
  if (status === 200) {
    csrf = data.csrf_token;
    await showMe();
  } else if (status === 401) {
    say("社員番号またはパスワードが違います。 / Wrong employee number or password.");
  } else if (status === 423) {
    say("ログインは一時的に停止されています。管理者に連絡してください。 / Login is locked; contact your administrator.");
  } else {
    say("ただいま利用できません。しばらくしてからお試しください。 / The service is unavailable; try again later.");
  }
});

$("logout").addEventListener("click", async () => {
  await api("DELETE", "/v1/session");
  csrf = null;
  say("ログアウトしました。 / Logged out.");
  showLogin();
});

showMe();
