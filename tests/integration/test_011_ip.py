"""IP allow-lists: the sysadmin's bound, the tenant admins' narrower list,
scope staff|all, per-account lists, mod_remoteip, refusals audited.
Connections come from 127.0.0.1 or 127.0.0.2 (Linux loopback needs no
set-up); mod_remoteip tests send documentation addresses in a header."""

import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def people(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("acme", "E001", "employee", "山田 太郎", PW)
    env.add_user("acme", "H001", "health_staff", "保健 師", ADMIN_PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)


def denied_count(env):
    return int(env.sql("SELECT COUNT(*) FROM audit WHERE action = "
                       "'ip.denied'")[0][0])


class TestBoundAndStaffScope:
    EXTRA_CONF = "AilesTenantAllowIP 127.0.0.1/32 2001:db8::/32\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)
        env.login("A001", ADMIN_PW)          # enrol TOTP from inside
        env.login("H001", ADMIN_PW)

    def test_staff_login_from_outside_refused(self, env):
        before = denied_count(env)
        _, r = env.post_session("A001", ADMIN_PW, source="127.0.0.2")
        assert r.status_code == 403, r.text
        assert error_json(r) == "ip_denied"
        assert "set-cookie" not in r.headers
        _, r = env.post_session("H001", ADMIN_PW, source="127.0.0.2")
        assert r.status_code == 403
        assert denied_count(env) == before + 2
        rows = env.sql("SELECT target FROM audit WHERE action = 'ip.denied' "
                       "ORDER BY id DESC LIMIT 1")
        assert rows == [["127.0.0.2"]]

    def test_employee_reaches_own_data_from_anywhere(self, env):
        s, _ = env.login("E001", PW, source="127.0.0.2")
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200

    def test_session_carried_outside_refused(self, env):
        s, _ = env.login("A001", ADMIN_PW)
        assert s.get(env.url("/api/v1/users"), timeout=10).status_code == 200
        outside = env.session(cookie=s.cookies.get("ailes"),
                              source="127.0.0.2")
        r = outside.get(env.url("/api/v1/users"), timeout=10)
        assert r.status_code == 403 and error_json(r) == "ip_denied"
        assert outside.get(env.url("/admin/"), timeout=10).status_code == 403

    def test_other_tenant_unaffected_by_acme_list(self, env):
        # The bound is server-wide here, so globex has it too; its own
        # admins' list is separate (empty).
        g, gl = env.login("G001", ADMIN_PW, host="globex.test")
        r = g.get(env.url("/api/v1/tenant/ip-allowlist"), timeout=10)
        assert r.json()["cidrs"] == []

    def test_admin_list_narrows_within_bound(self, env):
        s, login = env.login("A001", ADMIN_PW)
        put = lambda body: s.put(env.url("/api/v1/tenant/ip-allowlist"),
                                 json=body, headers=csrf(login), timeout=10)
        r = s.get(env.url("/api/v1/tenant/ip-allowlist"), timeout=10)
        assert r.json() == {"cidrs": [], "bound": ["127.0.0.1/32",
                                                   "2001:db8::/32"],
                            "scope": "staff", "your_ip": "127.0.0.1"}
        r = put({"cidrs": ["127.0.0.0/8"]})
        assert r.status_code == 422 and error_json(r) == "outside_bound"
        for bad in (["192.0.2.1/24"], ["nonsense"], ["1.2.3.4/33"], [5],
                    "127.0.0.1"):
            r = put({"cidrs": bad})
            assert r.status_code == 400, (bad, r.text)
        r = put({"cidrs": ["2001:db8:1::/48"]})
        assert r.status_code == 409 and error_json(r) == "would_lock_you_out"
        r = put({"cidrs": ["127.0.0.1", "2001:db8:1::/48"]})
        assert r.status_code == 200, r.text
        assert r.json()["cidrs"] == ["127.0.0.1/32", "2001:db8:1::/48"]
        assert env.sql("SELECT ip_allow FROM tenants WHERE slug = 'acme'") \
            == [["127.0.0.1/32, 2001:db8:1::/48"]]
        rows = env.sql("SELECT actor FROM audit WHERE action = "
                       "'ip.allowlist_changed'")
        assert rows == [["A001/tenant_admin"]]

    def test_force_can_lock_the_admin_out(self, env):
        s, login = env.login("A001", ADMIN_PW)
        r = s.put(env.url("/api/v1/tenant/ip-allowlist"), timeout=10,
                  headers=csrf(login),
                  json={"cidrs": ["2001:db8:1::/48"], "force": True})
        assert r.status_code == 200, r.text
        # Every child sees the change within the cache time.
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            r = s.get(env.url("/api/v1/users"), timeout=10)
            if r.status_code == 403:
                break
            time.sleep(0.5)
        assert r.status_code == 403 and error_json(r) == "ip_denied"
        env.sql("UPDATE tenants SET ip_allow = NULL")

    def test_ip_allowlist_wrong_role_and_csrf(self, env):
        time.sleep(5.5)         # the previous test's list leaves the caches
        s, login = env.login("E001", PW)
        assert s.get(env.url("/api/v1/tenant/ip-allowlist"),
                     timeout=10).status_code == 403
        a, al = env.login("A001", ADMIN_PW)
        r = a.put(env.url("/api/v1/tenant/ip-allowlist"), timeout=10,
                  json={"cidrs": []})
        assert r.status_code == 403 and error_json(r) == "csrf"
        r = a.put(env.url("/api/v1/tenant/ip-allowlist"), timeout=10,
                  json={"cidrs": [], "force": "yes"}, headers=csrf(al))
        assert r.status_code == 400


class TestScopeAll:
    EXTRA_CONF = "AilesTenantAllowIP 127.0.0.1/32\nAilesTenantIPScope all\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    def test_everyone_refused_before_the_password(self, env):
        _, r = env.post_session("E001", "Wrong-Passw0rd-1",
                                source="127.0.0.2")
        assert r.status_code == 403 and error_json(r) == "ip_denied"
        # Refused before any password check: nothing counted.
        assert env.sql("SELECT COUNT(*) FROM login_attempts") == [["0"]]
        s, _ = env.login("E001", PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200

    def test_health_stays_public(self, env):
        r = env.session(source="127.0.0.2").get(env.url("/api/v1/health"),
                                                timeout=10)
        assert r.status_code == 200


class TestAccountList:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    def test_account_list(self, env):
        a, al = env.login("A001", ADMIN_PW)
        victim, _ = env.login("E001", PW)
        r = a.patch(env.url("/api/v1/users/E001"), headers=csrf(al),
                    json={"allowed_ips": ["127.0.0.2"]}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["allowed_ips"] == ["127.0.0.2/32"]
        # The change ends the sessions it would now refuse.
        assert victim.get(env.url("/api/v1/me"), timeout=10).status_code \
            == 401
        _, r = env.post_session("E001", PW)
        assert r.status_code == 403 and error_json(r) == "ip_denied"
        s, _ = env.login("E001", PW, source="127.0.0.2")
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        r = a.patch(env.url("/api/v1/users/E001"), headers=csrf(al),
                    json={"allowed_ips": None}, timeout=10)
        assert r.status_code == 200 and r.json()["allowed_ips"] == []
        assert env.post_session("E001", PW)[1].status_code == 200

    @pytest.mark.parametrize("value", [["10.0.0.1/8"], ["x"], "127.0.0.1",
                                       [1]])
    def test_account_list_bad_input(self, env, value):
        a, al = env.login("A001", ADMIN_PW)
        r = a.patch(env.url("/api/v1/users/E001"), headers=csrf(al),
                    json={"allowed_ips": value}, timeout=10)
        assert r.status_code == 400, r.text


class TestRemoteIP:
    # The real client address arrives in X-Forwarded-For from a trusted
    # proxy (here: the test itself on 127.0.0.1).
    EXTRA_CONF = ("RemoteIPHeader X-Forwarded-For\n"
                  "RemoteIPInternalProxy 127.0.0.1\n"
                  "AilesTenantAllowIP 192.0.2.0/24 2001:db8::/32\n")

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    @pytest.mark.parametrize("forwarded,status", [
        ("192.0.2.7", 200), ("2001:db8::5", 200), ("198.51.100.7", 403),
        (None, 403)])
    def test_forwarded_address_decides(self, env, forwarded, status):
        env.sql("DELETE FROM login_attempts")
        s = env.session()
        if forwarded:
            s.headers["X-Forwarded-For"] = forwarded
        _, r = env.post_session("A001", ADMIN_PW, s=s)
        assert r.status_code == status, r.text
        if status == 403:
            rows = env.sql("SELECT target FROM audit WHERE action = "
                           "'ip.denied' ORDER BY id DESC LIMIT 1")
            assert rows == [[forwarded or "127.0.0.1"]]
