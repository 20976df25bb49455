"""Contract termination: logins stop after the last day (JST); `ailesctl
purge` deletes the tenant's data after the end of the following month,
stress-check data on its own date, and keeps the audit log."""

import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"


def jst_day(offset_days=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + offset_days * 86400))


def one_line(r):
    assert r.returncode != 0
    assert len([l for l in r.stderr.splitlines() if l.strip()]) == 1, \
        r.stderr


class TestTermination:
    EXTRA_CONF = "AilesSessionCache none\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
        env.add_user("globex", "G001", "employee", "Globex Emp", PW)

    def test_last_day_still_works_then_logins_stop(self, env):
        s, _ = env.login("E001", PW)
        r = env.ctl("tenant", "terminate", "acme", "--on", jst_day(0))
        assert r.returncode == 0, r.stderr
        assert env.post_session("E001", PW)[1].status_code == 200
        r = env.ctl("tenant", "terminate", "acme", "--on", jst_day(-1))
        assert r.returncode == 0, r.stderr
        _, r = env.post_session("E001", PW)
        assert r.status_code == 403 and error_json(r) == "tenant_terminated"
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 401
        # Other tenants go on.
        assert env.post_session("G001", PW, host="globex.test")[1] \
            .status_code == 200

    def test_purge_waits_for_the_end_of_the_next_month(self, env):
        r = env.ctl("purge", "--dry-run")
        assert r.returncode == 0 and "tenant acme" not in r.stdout
        r = env.ctl("tenant", "terminate", "acme", "--on", jst_day(-70))
        assert r.returncode == 0
        r = env.ctl("purge", "--dry-run")
        assert "would delete the data of tenant acme" in r.stdout
        assert env.sql("SELECT COUNT(*) FROM users u JOIN tenants t ON "
                       "t.id = u.tenant_id WHERE t.slug = 'acme'") == [["2"]]

    def test_purge_keeps_stress_check_data_and_audit(self, env):
        tid = env.sql("SELECT id FROM tenants WHERE slug = 'acme'")[0][0]
        uid = env.sql("SELECT id FROM users WHERE employee_no = 'E002' AND "
                      "tenant_id = %s" % tid)[0][0]
        env.sql("INSERT INTO sc_campaigns (tenant_id, name, starts_on, "
                "ends_on, method, thr_b, thr_ac, thr_b_ac, purge_after, "
                "created_at) VALUES (%s, 'c', '2026-01-01', '2026-01-31', 2, "
                "12, 26, 17, 4102444800, 0)" % tid)
        cid = env.sql("SELECT id FROM sc_campaigns")[0][0]
        env.sql("INSERT INTO sc_responses (tenant_id, campaign_id, user_id, "
                "answers, submitted_at, updated_at) VALUES (%s, %s, %s, '%s',"
                " 1, 1)" % (tid, cid, uid, "1" * 57))
        # A health checkup of each tenant: acme's goes, globex's stays.
        gid = env.sql("SELECT id FROM tenants WHERE slug = 'globex'")[0][0]
        for t, no in ((tid, "E002"), (gid, "G001")):
            env.sql("INSERT INTO checkup_files (tenant_id, sha256, "
                    "rows_count, uploaded_by, uploaded_at) VALUES (%s, "
                    "'f%s', 1, 'x', 0)" % (t, t))
            env.sql("INSERT INTO checkups (tenant_id, user_id, exam_date, "
                    "kind, items, file_id, created_at) SELECT %s, u.id, "
                    "'2026-04-01', 'periodic', '{}', f.id, 0 FROM users u, "
                    "checkup_files f WHERE u.tenant_id = %s AND "
                    "u.employee_no = '%s' AND f.tenant_id = %s"
                    % (t, t, no, t))
        assert env.sql("SELECT COUNT(*) FROM checkups") == [["2"]]
        audit_before = int(env.sql("SELECT COUNT(*) FROM audit WHERE "
                                   "tenant_id = %s" % tid)[0][0])
        r = env.ctl("purge")
        assert r.returncode == 0, r.stderr
        assert "deleted the data of tenant acme" in r.stdout
        # E001 is gone; E002 stays (stress-check data) without credentials.
        rows = env.sql("SELECT employee_no, CASE WHEN password_hash IS NULL "
                       "THEN 'none' ELSE 'set' END, status FROM users "
                       "WHERE tenant_id = %s" % tid)
        assert rows == [["E002", "none", "disabled"]]
        assert env.sql("SELECT COUNT(*) FROM vault_fields WHERE tenant_id = "
                       "%s" % tid, db="vault") == [["0"]]
        assert env.sql("SELECT tenant_id FROM checkups") == [[gid]]
        assert env.sql("SELECT tenant_id FROM checkup_files") == [[gid]]
        assert int(env.sql("SELECT COUNT(*) FROM audit WHERE tenant_id = %s"
                           % tid)[0][0]) > audit_before
        assert env.sql("SELECT COUNT(*) FROM users u JOIN tenants t ON "
                       "t.id = u.tenant_id WHERE t.slug = 'globex'") == [["1"]]
        # Purging again changes nothing.
        assert "tenant acme" not in env.ctl("purge").stdout
        # The stress-check data goes on its own date, then the user.
        env.sql("UPDATE sc_campaigns SET purge_after = 1")
        r = env.ctl("purge")
        assert "deleted 1 stress-check responses" in r.stdout
        assert env.sql("SELECT COUNT(*) FROM users WHERE tenant_id = %s"
                       % tid) == [["0"]]

    def test_bad_input(self, env):
        one_line(env.ctl("tenant", "terminate", "acme", "--on", "2026-02-30"))
        one_line(env.ctl("tenant", "terminate", "nope", "--on", "2026-01-01"))
        assert env.ctl("tenant", "terminate", "acme").returncode != 0
