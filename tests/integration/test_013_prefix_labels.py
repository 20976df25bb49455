"""Several tenants on one host under AilesTenantPathPrefix, and page trees
limited to labels with Require ailes-label."""

import pytest

import ailes_env
from ailes_env import error_json

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"

MULTI = """
<VirtualHost 127.0.0.1:@PORT@>
    ServerName multi.test
    AilesTenantPathPrefix /t
    <LocationMatch "^/t/[^/]+/api/">
        SetHandler ailes-api
    </LocationMatch>
</VirtualHost>
"""

SALES = """
<Location /sales>
    AuthType ailes
    Require ailes-label 営業部 "東京 本社"
    AuthzSendForbiddenOnFailure On
</Location>
"""


class TestPathPrefix:
    VHOSTS = ailes_env.DEFAULT_VHOSTS + MULTI

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("globex", "E001", "employee", "鈴木 花子", PW)

    def post(self, env, s, path, body):
        return s.post(env.url(path), json=body, timeout=10)

    def test_each_tenant_under_its_slug(self, env):
        s = env.session(host="multi.test")
        r = self.post(env, s, "/t/acme/api/v1/session",
                      {"employee_no": "E001", "password": PW})
        assert r.status_code == 200, r.text
        me = s.get(env.url("/t/acme/api/v1/me"), timeout=10).json()
        assert me["tenant"] == "acme" and me["name"] == "山田 太郎"
        # The same cookie means nothing to another tenant.
        r = s.get(env.url("/t/globex/api/v1/me"), timeout=10)
        assert r.status_code == 401
        g = env.session(host="multi.test")
        r = self.post(env, g, "/t/globex/api/v1/session",
                      {"employee_no": "E001", "password": PW})
        assert r.status_code == 200
        assert g.get(env.url("/t/globex/api/v1/me"), timeout=10).json()[
            "name"] == "鈴木 花子"

    @pytest.mark.parametrize("slug", ["nope", "Bad_Slug", "a" * 40])
    def test_unknown_slug_is_404(self, env, slug):
        s = env.session(host="multi.test")
        r = self.post(env, s, "/t/%s/api/v1/session" % slug,
                      {"employee_no": "E001", "password": PW})
        assert r.status_code == 404, r.text
        assert error_json(r) == "unknown_tenant"

    def test_health_and_no_prefix(self, env):
        s = env.session(host="multi.test")
        assert s.get(env.url("/t/acme/api/v1/health"),
                     timeout=10).status_code == 200
        assert s.get(env.url("/t/acme/api/v1/nothing"),
                     timeout=10).status_code == 404


class TestRequireLabel:
    EXTRA_CONF = SALES

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
        env.add_user("acme", "E003", "employee", "高橋 次郎", PW)
        a, al = env.login("A001", ADMIN_PW)
        h = {"X-CSRF-Token": al["csrf_token"]}
        for name in ("営業部", "東京 本社", "経理部"):
            assert a.post(env.url("/api/v1/labels"), json={"name": name},
                          headers=h, timeout=10).status_code == 201
        for no, labels in (("E001", ["営業部"]), ("E002", ["経理部"]),
                           ("E003", ["東京 本社"])):
            r = a.patch(env.url("/api/v1/users/" + no), headers=h,
                        json={"labels": labels}, timeout=10)
            assert r.status_code == 200
        import os
        os.makedirs(env.path("htdocs", "sales"), exist_ok=True)
        with open(env.path("htdocs", "sales", "index.html"), "w") as f:
            f.write("sales-only\n")

    @pytest.mark.parametrize("who,status", [("E001", 200), ("E003", 200),
                                            ("E002", 403)])
    def test_label_decides(self, env, who, status):
        # httpd itself logs each refused user at error level.
        env.expect_errors(r"AH01631: user %s: authorization failure" % who)
        s, _ = env.login(who, PW)
        r = s.get(env.url("/sales/"), timeout=10)
        assert r.status_code == status
        assert ("sales-only" in r.text) == (status == 200)

    def test_no_session(self, env):
        assert env.session().get(env.url("/sales/"),
                                 timeout=10).status_code == 401
