"""The web pages in a real browser: Debian's chromium driven by
playwright-core (tests/browser/run.mjs) against a real httpd serving the
repository's htdocs with the production CSP. A full employee day, a
tenant admin's day with TOTP enrolment from oathtool, an expired session,
framing refused; no console error, no CSP violation, no dialog (stored
XSS) anywhere. Screenshots land in $AILES_ARTIFACTS (default
build/browser-artifacts)."""

import json
import os
import shutil
import subprocess
import time

import pytest

from ailes_env import STATIC_HEADERS

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BROWSER_DIR = os.path.join(TOP, "tests", "browser")
ARTIFACTS = os.environ.get("AILES_ARTIFACTS",
                           os.path.join(TOP, "build", "browser-artifacts"))
CHROMIUM = "/usr/bin/chromium"

PW = "Employee-Passw0rd-1"
ADMIN_PW = "Admin-Passw0rd-2025"
STAFF_PW = "Staff-Passw0rd-2025"
NAME = "山田 太郎"
XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>'



def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def today_jst(offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + offset * 86400))


def have_browser():
    return (os.path.exists(CHROMIUM)
            and os.path.isdir(os.path.join(BROWSER_DIR, "node_modules",
                                           "playwright-core"))
            and shutil.which("node"))


@pytest.fixture(scope="class")
def site(env):
    if env.backend.name != "sqlite3":
        pytest.skip("the pages are backend-independent: sqlite3 only")
    if not have_browser():
        pytest.fail("chromium or tests/browser/node_modules missing: run "
                    "scripts/deps.sh and npm ci in tests/browser")
    htdocs = env.path("htdocs")
    shutil.rmtree(htdocs)
    shutil.copytree(os.path.join(TOP, "htdocs"), htdocs)
    os.chmod(env.dir, 0o755)
    env.add_tenant("acme", "Acme Corp")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("acme", "A002", "tenant_admin", "人事 二郎", ADMIN_PW)
    env.add_user("acme", "S001", "sc_staff", "実施 事務", STAFF_PW)
    env.add_user("acme", "E001", "employee", NAME, PW)
    env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
    env.add_user("acme", "H001", "health_staff", "保健 師", STAFF_PW)
    a, al = env.login("A002", ADMIN_PW)
    r = a.post(env.url("/api/v1/checkups"), timeout=30,
               headers=dict(csrf(al), **{"Content-Type": "text/csv"}),
               data=("社員番号,受診日,性別,収縮期血圧,拡張期血圧,LDL,HbA1c,"
                     "総合判定,就業区分\nE001,%s,男,128,82,140,5.4,B,通常\n"
                     % today_jst(-30)).encode())
    assert r.status_code == 200, r.text
    s, sl = env.login("S001", STAFF_PW)
    r = s.post(env.url("/api/v1/stress-check/campaigns"), headers=csrf(sl),
               timeout=10, json={"name": "2026年度", "method": 2,
                                 "starts_on": today_jst(-1),
                                 "ends_on": today_jst(30)})
    assert r.status_code == 201, r.text
    for _ in range(5):
        env.post_session("E002", "wrong-password")
    return env


def run(env, scenario, **extra):
    cfg = {"base": "http://acme.test:%d" % env.port, "password": PW,
           "admin_password": ADMIN_PW, "name": NAME, "xss": XSS,
           "artifacts": ARTIFACTS}
    cfg.update(extra)
    r = subprocess.run(["node", os.path.join(BROWSER_DIR, "run.mjs"),
                        scenario, json.dumps(cfg)], capture_output=True,
                       text=True, timeout=240, cwd=BROWSER_DIR)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    assert lines, "no result from run.mjs: %s %s" % (r.stdout, r.stderr)
    out = json.loads(lines[-1])
    assert out["ok"] and r.returncode == 0, json.dumps(out, indent=1,
                                                       ensure_ascii=False)
    return out


class TestPages:
    EXTRA_CONF = STATIC_HEADERS

    def test_employee_day(self, site):
        out = run(site, "employee")
        assert "the result shows the scale chart" in out["steps"]
        # What the browser did is in the databases.
        assert site.sql("SELECT COUNT(*) FROM lifelog_entries") == [["2"]]
        assert site.sql("SELECT COUNT(*) FROM sc_responses WHERE "
                        "submitted_at IS NOT NULL AND interview_at IS NOT "
                        "NULL") == [["1"]]

    def test_admin_day(self, site):
        out = run(site, "admin")
        assert "the XSS name is shown as text" in out["steps"]
        assert site.sql("SELECT COUNT(*) FROM users WHERE employee_no IN "
                        "('N001', 'N002')") == [["2"]]
        assert site.sql("SELECT COUNT(*) FROM login_attempts WHERE "
                        "employee_no = 'E002'") == [["0"]]
        assert site.sql("SELECT ip_allow FROM tenants WHERE slug = "
                        "'acme'")[0][0] is not None
        assert site.sql("SELECT l.name FROM grants g JOIN labels l ON "
                        "l.id = g.label_id JOIN users u ON u.id = g.user_id "
                        "WHERE u.employee_no = 'H001'") == [["営業部"]]

    def test_expired_session_returns_to_login(self, site):
        run(site, "expiry")

    def test_cross_site_form_post_changes_nothing(self, site):
        # A002's code of this 30-second step may have been used already.
        site.sql("UPDATE users SET totp_last_step = 0 WHERE employee_no = "
                 "'A002'")
        run(site, "csrf", totp_secret=site.totp[("acme.test", "A002")])
        assert site.sql("SELECT COUNT(*) FROM labels WHERE name LIKE "
                        "'csrf-%'") == [["0"]]

    def test_pages_refuse_framing(self, site):
        run(site, "framing")

    def test_screenshots_saved(self, site):
        for name in ("employee-home", "employee-checkups",
                     "employee-lifelog", "employee-stress-result",
                     "admin-enroll", "admin-users", "admin-audit",
                     "expiry-login"):
            path = os.path.join(ARTIFACTS, name + ".png")
            assert os.path.getsize(path) > 1000, path
