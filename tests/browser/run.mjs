// Browser scenarios for the Ailes+ pages: playwright-core drives Debian's
// chromium against a real httpd started by tests/integration/test_030_browser.py.
//
//   node run.mjs SCENARIO '{"base":"http://acme.test:PORT", "port":PORT, ...}'
//
// Prints one JSON line {"ok":bool, "steps":[...], "console":[...],
// "csp":[...], "error":...} and exits 0 only when the scenario passed with
// no console error, no uncaught exception and no CSP violation.
// Screenshots of the main pages go to cfg.artifacts.

import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [scenario, cfgText] = process.argv.slice(2);
const cfg = JSON.parse(cfgText);
const out = { scenario, ok: false, steps: [], console: [], csp: [], dialogs: [] };

// Failed requests a scenario provokes on purpose: each allows one console
// error ("Failed to load resource: ... status of N") for a URL part.
const allowed = [];
function provoke(urlPart, status) { allowed.push({ urlPart, status }); }
function consoleError(text, url) {
  const i = allowed.findIndex((a) => text.includes(`status of ${a.status}`) && (url || "").includes(a.urlPart));
  if (i >= 0) { allowed.splice(i, 1); return; }
  out.console.push(text + (url ? " @ " + url : ""));
}

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  out.steps.push(what);
}

function totp(secret) {
  return execFileSync("oathtool", ["--totp", "-b", secret]).toString().trim();
}

async function shot(page, name) {
  mkdirSync(cfg.artifacts, { recursive: true });
  await page.screenshot({ path: join(cfg.artifacts, `${scenario}-${name}.png`), fullPage: true });
}

async function newPage(browser, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: opts.width || 360, height: 740 }, locale: "ja-JP" });
  const page = await ctx.newPage();
  page.on("console", (m) => { if (m.type() === "error") consoleError(m.text(), m.location().url); });
  page.on("pageerror", (e) => out.console.push("pageerror: " + e.message));
  page.on("dialog", async (d) => { out.dialogs.push(d.message()); await d.accept(); });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
  });
  return { ctx, page };
}

async function collectCsp(page) {
  const v = await page.evaluate(() => window.__csp || []).catch(() => []);
  out.csp.push(...v);
}

async function login(page, no, pw) {
  await page.goto(cfg.base + "/#/login");
  await page.fill("#login-form input[name=employee_no]", no);
  await page.fill("#login-form input[name=password]", pw);
  await page.click("#login-form button[type=submit]");
}

async function goto(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForTimeout(50);
}

const scenarios = {
  // An employee's day: login, checkups, life-log, stress check, result.
  async employee(browser) {
    const { page } = await newPage(browser);
    await login(page, "E001", cfg.password);
    await page.waitForSelector("#me-employee-no");
    check((await page.textContent("#me-employee-no")) === "E001", "home shows the employee number");
    check((await page.textContent("h1")).includes(cfg.name), "home greets by name");
    await page.waitForSelector("#notices");
    await shot(page, "home");
    await goto(page, "#/checkups");
    await page.waitForSelector("section.checkup");
    check(await page.locator("td.flag").count() >= 1, "checkups highlight a value outside the range");
    check((await page.textContent("main")).includes("LDL"), "checkup items are named");
    await shot(page, "checkups");
    await goto(page, "#/lifelog");
    await page.waitForSelector("#lifelog-form");
    await page.selectOption("#lifelog-form select", "steps");
    await page.fill("#ll-value", "9000");
    await page.click("#lifelog-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#entries td") !== null);
    check((await page.textContent("#entries")).includes("9000"), "the new life-log entry is listed");
    await page.selectOption("#lifelog-form select", "blood_pressure");
    await page.fill("#ll-sys", "118");
    await page.fill("#ll-dia", "76");
    await page.click("#lifelog-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#entries").textContent.includes("118/76"));
    check(true, "blood pressure entry is listed");
    await page.selectOption("#lifelog-form select", "steps");
    await page.fill("#ll-value", "200000");
    provoke("/api/v1/lifelog", 422);
    await page.click("#lifelog-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#message").textContent.length > 0);
    check(!(await page.textContent("#entries")).includes("200000"), "an out-of-range value is refused");
    check((await page.textContent("#points-balance")) !== null, "points balance is shown");
    await shot(page, "lifelog");
    await goto(page, "#/stress");
    await page.waitForSelector("#stress-form");
    // Answer half, save, reload: the answers come back.
    await page.check("#stress-form input[name=sex][value=male]");
    for (let i = 1; i <= 30; i++) await page.check(`#q${i} input[value="2"]`);
    await page.click("#stress-save");
    await page.waitForFunction(() => document.querySelector("#message").textContent.length > 0);
    await page.reload();
    await page.waitForSelector("#stress-form");
    check((await page.textContent("#progress")).includes("30"), "saved answers resume after a reload");
    await shot(page, "stress-questionnaire");
    for (let i = 31; i <= 57; i++) await page.check(`#q${i} input[value="${i <= 46 ? 4 : 1}"]`);
    await page.click("#stress-submit");
    await page.waitForSelector("#stress-result");
    check(await page.locator("#stress-result svg.chart").count() === 1, "the result shows the scale chart");
    await shot(page, "stress-result");
    await page.click("#interview");
    await page.waitForFunction(() => document.querySelector("#interview").disabled);
    check(await page.isDisabled("#consent"), "an interview request counts as consent");
    await collectCsp(page);
  },

  // A tenant admin's day: TOTP enrolment with oathtool, CSV import,
  // unlock, IP list, audit export; stored XSS in a name never runs.
  async admin(browser) {
    const { page } = await newPage(browser, { width: 1280 });
    await login(page, "A001", cfg.admin_password);
    await page.waitForSelector("#enroll-form");
    const secret = (await page.textContent("#totp-secret")).trim();
    check(/^[A-Z2-7]+=*$/.test(secret), "enrolment shows the secret");
    check(await page.locator("#enroll-form .qr svg").count() === 1, "enrolment shows the QR code");
    await shot(page, "enroll");
    await page.fill("#enroll-form input", totp(secret));
    await page.click("#enroll-form button[type=submit]");
    await page.waitForSelector("#recovery");
    check(await page.locator("#recovery li").count() >= 8, "recovery codes are shown");
    await page.click("#recovery button");
    await page.waitForSelector("#me-employee-no");
    out.secret = secret;
    // CSV import with a bad line first: the row report, nothing imported.
    await goto(page, "#/admin/import");
    await page.waitForSelector("#import-form");
    const dir = mkdtempSync(join(tmpdir(), "ailes-csv-"));
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "社員番号,氏名,権限\nN001,新人 一郎,employee\nN002,,employee\n");
    await page.setInputFiles("#import-form input[type=file]", bad);
    provoke("/api/v1/users/import", 422);
    await page.click("#import-form button[type=submit]");
    await page.waitForSelector("#row-errors");
    check((await page.textContent("#row-errors")).includes("3"), "the row report names line 3");
    await shot(page, "import-errors");
    const good = join(dir, "good.csv");
    writeFileSync(good, `社員番号,氏名,権限\nN001,新人 一郎,employee\nN002,${cfg.xss},employee\n`);
    await page.setInputFiles("#import-form input[type=file]", good);
    await page.click("#import-form button[type=submit]");
    await page.waitForSelector("#import-summary");
    check((await page.textContent("#import-summary")).includes("2"), "two users imported");
    rmSync(dir, { recursive: true, force: true });
    await goto(page, "#/admin/users");
    await page.waitForSelector("#user-list");
    check((await page.textContent("#user-list")).includes(cfg.xss), "the XSS name is shown as text");
    await shot(page, "users");
    // Unlock the locked user.
    await goto(page, "#/admin/user/E002");
    await page.waitForSelector("#user-actions");
    check((await page.textContent("#user-state")).includes("ロック"), "E002 shows as locked");
    await page.click("#unlock");
    await page.waitForFunction(() => !document.querySelector("#user-state") || !document.querySelector("#user-state").textContent.includes("ロック"));
    await page.waitForSelector("#user-state");
    check(!(await page.textContent("#user-state")).includes("ロック"), "unlock clears the lock");
    await goto(page, "#/admin/ip");
    await page.waitForSelector("#ip-form");
    await page.fill("#cidrs", "127.0.0.0/8\n10.0.0.0/8");
    await page.click("#ip-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#message").className === "ok");
    check(true, "the IP allow-list is saved");
    await shot(page, "ip");
    await goto(page, "#/admin/labels");
    await page.waitForSelector("#label-form");
    await page.fill("#label-form input", "営業部");
    await page.click("#label-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#label-list") && document.querySelector("#label-list").textContent.includes("営業部"));
    check(true, "a label is created");
    await shot(page, "labels");
    await goto(page, "#/admin/user/H001");
    await page.waitForSelector("#grants-form");
    await page.fill("#grants", "営業部");
    await page.click("#grants-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#message").className === "ok");
    check(true, "health staff is granted the label");
    await goto(page, "#/admin/audit");
    await page.waitForSelector("#audit-csv");
    check((await page.textContent("main")).includes("user.unlocked") || (await page.textContent("main")).includes("unlock"), "the audit log lists the unlock");
    const csv = await page.evaluate(async () => {
      const r = await fetch(document.querySelector("#audit-csv").getAttribute("href"));
      return { status: r.status, type: r.headers.get("content-type"), text: await r.text() };
    });
    check(csv.status === 200 && csv.type.startsWith("text/csv") && csv.text.includes("A001"), "the audit CSV downloads");
    await shot(page, "audit");
    await goto(page, "#/admin/checkups");
    await page.waitForSelector("#checkup-form");
    await shot(page, "checkup-upload");
    // English switch.
    await page.click("#lang");
    await page.waitForFunction(() => document.documentElement.lang === "en");
    check((await page.textContent("#nav")).includes("Users"), "the English switch translates the menu");
    await page.click("#lang");
    await collectCsp(page);
  },

  // An expired session goes back to login with a message.
  async expiry(browser) {
    const { page } = await newPage(browser);
    await login(page, "E001", cfg.password);
    await page.waitForSelector("#me-employee-no");
    // The session ends on the server (another tab logs out).
    await page.evaluate(async () => {
      const me = await (await fetch("/api/v1/me")).json();
      await fetch("/api/v1/session", { method: "DELETE", headers: { "X-CSRF-Token": me.csrf_token } });
    });
    provoke("/api/v1/", 401);
    provoke("/api/v1/", 401);   // the view asks for entries and points at once
    await goto(page, "#/lifelog");
    await page.waitForSelector("#login-form");
    check((await page.textContent("#message")).includes("有効期限"), "login says the session expired");
    await shot(page, "login");
    await collectCsp(page);
  },

  // A cross-site form POST with the victim logged in changes nothing: the
  // cookie is SameSite=Strict, the API wants JSON, a same-origin Origin
  // and the X-CSRF-Token header.
  async csrf(browser) {
    const { page } = await newPage(browser);
    await login(page, "A002", cfg.admin_password);
    await page.waitForSelector("form.card input[autocomplete=one-time-code]");
    await page.fill("form.card input[autocomplete=one-time-code]", totp(cfg.totp_secret));
    await page.click("form.card button[type=submit]");
    await page.waitForSelector("#me-employee-no");
    const evil = `<form id="f" method="POST" action="${cfg.base}/api/v1/labels" enctype="text/plain">` +
      `<input name='{"name":"csrf-` + `label","x":"' value='"}'></form>`;
    await page.goto("about:blank");
    await page.setContent(evil);
    provoke("/api/v1/labels", 401);
    provoke("/api/v1/labels", 403);
    provoke("/api/v1/labels", 415);
    await Promise.all([page.waitForNavigation(), page.evaluate(() => document.getElementById("f").submit())]);
    const status = await page.evaluate(() => document.body.innerText);
    check(/"error"/.test(status), "the cross-site POST is refused with a JSON error");
    // The browser asks for /favicon.ico after showing a JSON document.
    out.console = out.console.filter((m) => !m.includes("/api/v1/labels") && !m.includes("/favicon.ico"));
  },

  // The pages refuse to be framed.
  async framing(browser) {
    const { page } = await newPage(browser);
    await page.setContent(`<iframe id="f" src="${cfg.base}/"></iframe>`);
    await page.waitForTimeout(1000);
    const frame = page.frames().find((f) => f.url().startsWith(cfg.base));
    let blocked = true;
    if (frame) {
      blocked = await frame.evaluate(() => !document.querySelector("#view")).catch(() => true);
    }
    check(blocked, "the app does not render inside a frame");
    // Expected console errors from the refused frame are not ours.
    out.console = out.console.filter((m) => !/frame|X-Frame-Options|frame-ancestors/i.test(m));
  },
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", `--host-resolver-rules=MAP acme.test 127.0.0.1, MAP globex.test 127.0.0.1`],
});
try {
  await scenarios[scenario](browser);
  out.ok = out.console.length === 0 && out.csp.length === 0 && out.dialogs.length === 0;
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
process.exit(out.ok ? 0 : 1);
