"""Tenant isolation: a vhost serves exactly one tenant's users and sessions."""

import pytest

from ailes_env import error_json

PASSWORD_ACME = "Acme-Passw0rd"
PASSWORD_GLOBEX = "Globex-Passw0rd"


class TestTenant:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex Inc")
        env.add_user("acme", "E001", "employee", "山田 太郎", PASSWORD_ACME)
        # Same employee number in both tenants: they must not mix.
        env.add_user("globex", "E001", "employee", "鈴木 花子", PASSWORD_GLOBEX)
        env.add_user("globex", "G001", "employee", "佐藤 次郎", PASSWORD_GLOBEX)

    def test_each_tenant_logs_in_its_own_users(self, env):
        for host, no, pw, tenant, name in (
                ("acme.test", "E001", PASSWORD_ACME, "acme", "山田 太郎"),
                ("globex.test", "E001", PASSWORD_GLOBEX, "globex", "鈴木 花子"),
                ("globex.test", "G001", PASSWORD_GLOBEX, "globex", "佐藤 次郎")):
            s, _ = env.login(no, pw, host=host)
            me = s.get(env.url("/api/v1/me"), timeout=10).json()
            assert (me["tenant"], me["employee_no"], me["name"]) == \
                (tenant, no, name)

    def test_cookie_not_valid_on_other_tenant(self, env):
        s, _ = env.login("E001", PASSWORD_ACME, host="acme.test")
        cookie = s.cookies.get("ailes")
        r = env.session("globex.test", cookie=cookie).get(
            env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401, r.text
        # ... and still valid where it was issued.
        r = env.session("acme.test", cookie=cookie).get(
            env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text

    def test_unknown_host_is_404(self, env):
        s = env.session("nope.test")
        r = s.post(env.url("/api/v1/session"), timeout=10,
                   json={"employee_no": "E001", "password": PASSWORD_ACME})
        assert r.status_code == 404, r.text
        assert "set-cookie" not in r.headers
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 404, r.text

    def test_other_tenant_user_cannot_log_in(self, env):
        # G001 exists only in globex; E001's globex password is not acme's.
        for no in ("G001", "E001"):
            _, r = env.post_session(no, PASSWORD_GLOBEX, host="acme.test")
            assert r.status_code == 401, r.text
            assert error_json(r) == "invalid_credentials"
