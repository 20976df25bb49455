"""Audit trail: JSON lines in JST to AilesAuditLog (a file or a piped
program), whole lines under concurrency, the tenant admin's export
(JSON/CSV), retention purge, and no secrets in the lines."""

import concurrent.futures
import json
import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"


def people(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("acme", "E001", "employee", "山田 太郎", PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)


def read_lines(path, want=1, timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(path, "rb") as f:
                lines = f.read().split(b"\n")
        except FileNotFoundError:
            lines = [b""]
        if len(lines) - 1 >= want or time.monotonic() > deadline:
            assert lines[-1] == b"", "a line was cut: %r" % lines[-1][:200]
            return lines[:-1]
        time.sleep(0.1)


class TestAuditFile:
    EXTRA_CONF = 'AilesAuditLog "@DIR@/audit.log"\n'

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    def test_lines_are_json_in_jst(self, env):
        s, login = env.login("E001", PW)
        cookie = s.cookies.get("ailes")
        assert cookie
        env.post_session("E001", "Wrong-Passw0rd-1")
        s.delete(env.url("/api/v1/session"),
                 headers={"X-CSRF-Token": login["csrf_token"]}, timeout=10)
        lines = read_lines(env.path("audit.log"), want=3)
        events = [json.loads(l) for l in lines]
        for e in events:
            assert set(e) >= {"time", "tenant", "actor", "action", "target",
                              "client_ip", "outcome"}
            assert e["time"].endswith("+09:00") and len(e["time"]) == 29
            assert e["tenant"] == "acme" and e["client_ip"] == "127.0.0.1"
        actions = [e["action"] for e in events]
        assert actions[-3:] == ["login.ok", "login.fail", "logout"]
        text = b"\n".join(lines).decode()
        assert PW not in text and "Wrong-Passw0rd-1" not in text
        assert login["csrf_token"] not in text
        assert cookie not in text
        assert "山田" not in text

    def test_concurrent_children_write_whole_lines(self, env):
        before = len(read_lines(env.path("audit.log")))

        def burst(i):
            for _ in range(10):
                env.post_session("X%03d" % i, "Wrong-Passw0rd-%d" % i)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(burst, range(8)))
        lines = read_lines(env.path("audit.log"), want=before + 80)
        for l in lines:
            json.loads(l)                   # every line whole
        assert len(lines) >= before + 80

    def test_export_json_own_tenant_only(self, env):
        env.login("G001", ADMIN_PW, host="globex.test")
        a, _ = env.login("A001", ADMIN_PW)
        r = a.get(env.url("/api/v1/audit"), timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["from"].endswith("+09:00") and body["truncated"] is False
        actors = {e["actor"] for e in body["events"]}
        assert "G001/tenant_admin" not in actors
        assert "E001/employee" in actors
        assert all(e["time"].endswith("+09:00") for e in body["events"])

    def test_export_csv_guards_formulas(self, env):
        env.post_session("=1+1", "Wrong-Passw0rd-1")
        a, _ = env.login("A001", ADMIN_PW)
        r = a.get(env.url("/api/v1/audit?format=csv"), timeout=30)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/csv")
        text = r.content.decode("utf-8")
        assert text.startswith("\ufefftime,actor,action,target,")
        assert ",'=1+1," in text
        assert ",=1+1," not in text

    @pytest.mark.parametrize("query", ["from=2026-02-30", "to=2026-13-01",
                                       "from=yesterday", "format=xml",
                                       "from=2026-05-02&to=2026-05-01",
                                       "from=2024-01-01&to=2026-01-01"])
    def test_export_bad_input(self, env, query):
        a, _ = env.login("A001", ADMIN_PW)
        r = a.get(env.url("/api/v1/audit?" + query), timeout=10)
        assert r.status_code == 400, r.text

    def test_export_dates_are_jst_days(self, env):
        a, _ = env.login("A001", ADMIN_PW)
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600))
        r = a.get(env.url("/api/v1/audit?from=%s&to=%s" % (today, today)),
                  timeout=30)
        assert r.status_code == 200
        assert r.json()["from"] == today + "T00:00:00.000+09:00"
        assert len(r.json()["events"]) > 0
        r = a.get(env.url("/api/v1/audit?from=2001-01-01&to=2001-01-02"),
                  timeout=30)
        assert r.json()["events"] == []

    def test_export_refused_to_others(self, env):
        s, _ = env.login("E001", PW)
        r = s.get(env.url("/api/v1/audit"), timeout=10)
        assert r.status_code == 403 and error_json(r) == "forbidden"
        assert env.session().get(env.url("/api/v1/audit"),
                                 timeout=10).status_code == 401

    def test_purge_keeps_twelve_months(self, env):
        tid = env.sql("SELECT id FROM tenants WHERE slug = 'acme'")[0][0]
        old = int((time.time() - 400 * 86400) * 1e6)
        env.sql("INSERT INTO audit (tenant_id, at_us, actor, action, target, "
                "client_ip, outcome) VALUES (%s, %d, '-', 'old.event', '-', "
                "'-', 'ok')" % (tid, old))
        r = env.ctl("purge", "--dry-run")
        assert r.returncode == 0 and "would delete 1 audit rows" in r.stdout
        assert env.sql("SELECT COUNT(*) FROM audit WHERE action = "
                       "'old.event'") == [["1"]]
        recent = int(env.sql("SELECT COUNT(*) FROM audit")[0][0])
        r = env.ctl("purge")
        assert r.returncode == 0, r.stderr
        assert env.sql("SELECT COUNT(*) FROM audit WHERE action = "
                       "'old.event'") == [["0"]]
        # Everything recent stays (plus the purge's own event).
        assert int(env.sql("SELECT COUNT(*) FROM audit")[0][0]) == recent
        assert env.ctl("purge", "--nonsense").returncode != 0


class TestAuditPipe:
    # httpd starts the program, restarts it if it dies, and feeds it the
    # lines: the way ailes-logship receives them.
    EXTRA_CONF = 'AilesAuditLog "|/bin/sh -c \'cat >> @DIR@/piped.log\'"\n'

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    def test_lines_reach_the_program(self, env):
        env.login("E001", PW)
        lines = read_lines(env.path("piped.log"), want=1)
        assert json.loads(lines[-1])["action"] == "login.ok"
