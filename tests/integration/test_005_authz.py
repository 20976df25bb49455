"""AuthType ailes + Require ailes-role on a static location (/admin)."""

import pytest

EMPLOYEE_PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"      # high privilege: 12+ characters


class TestAuthz:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "山田 太郎", EMPLOYEE_PW)
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)

    def test_admin_without_session(self, env):
        r = env.session().get(env.url("/admin/"), timeout=10)
        assert r.status_code == 401, r.text
        assert "ailes-admin-index" not in r.text

    def test_admin_as_employee(self, env):
        # mod_authz_core logs every refused authenticated user at error level.
        env.expect_errors(r"AH01631: user E001: authorization failure")
        s, _ = env.login("E001", EMPLOYEE_PW)
        r = s.get(env.url("/admin/"), timeout=10)
        assert r.status_code == 403, r.text
        assert "ailes-admin-index" not in r.text

    def test_admin_as_tenant_admin(self, env):
        s, _ = env.login("A001", ADMIN_PW)
        r = s.get(env.url("/admin/"), timeout=10)
        assert r.status_code == 200, r.text
        assert "ailes-admin-index" in r.text

    def test_public_page_needs_no_session(self, env):
        # Control: outside /admin the static site is not protected.
        r = env.session().get(env.url("/"), timeout=10)
        assert r.status_code == 200
        assert "ailes-public-index" in r.text
