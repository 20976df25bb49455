"""User administration by tenant admins: create, read, change, delete,
labels and grants; the wrong tenant, the wrong role and bad input for
every endpoint; nothing half-written."""

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


class Admin:
    """A logged-in tenant admin of one host."""

    def __init__(self, env, who="A001", host="acme.test"):
        self.env = env
        self.s, self.login = env.login(who, ADMIN_PW, host=host)

    def call(self, method, path, json=None, csrf_ok=True):
        headers = csrf(self.login) if csrf_ok else {}
        return self.s.request(method, self.env.url("/api" + path),
                              json=json, headers=headers, timeout=10)


@pytest.fixture(scope="class")
def people(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("acme", "E001", "employee", "山田 太郎", PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)
    env.add_user("globex", "G002", "employee", "Globex Emp", PW)
    return env


class TestUsers:

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, people):
        admin = Admin(people)
        for name in ("営業部", "東京本社", "大阪支店"):
            r = admin.call("POST", "/v1/labels", {"name": name})
            assert r.status_code == 201, r.text

    def test_labels(self, env):
        admin = Admin(env)
        r = admin.call("GET", "/v1/labels")
        assert r.status_code == 200
        assert [l["name"] for l in r.json()["labels"]] == sorted(
            ["営業部", "東京本社", "大阪支店"])
        r = admin.call("POST", "/v1/labels", {"name": "営業部"})
        assert r.status_code == 409 and error_json(r) == "label_exists"
        for bad in ("", " x", "x\ny", "a" * 65, 5, None):
            r = admin.call("POST", "/v1/labels", {"name": bad})
            assert r.status_code == 400, (bad, r.text)
        # Another tenant has its own labels.
        g = Admin(env, "G001", "globex.test")
        assert g.call("GET", "/v1/labels").json() == {"labels": []}
        assert g.call("POST", "/v1/labels", {"name": "営業部"}) \
            .status_code == 201

    def test_create_read_update_delete(self, env):
        admin = Admin(env)
        r = admin.call("POST", "/v1/users", {
            "employee_no": "E100", "name": "鈴木 一郎", "role": "employee",
            "labels": ["営業部", "東京本社"], "password": "Suzuki-Passw0rd"})
        assert r.status_code == 201, r.text
        u = r.json()
        assert u["employee_no"] == "E100" and u["name"] == "鈴木 一郎"
        assert u["labels"] == sorted(["営業部", "東京本社"])
        assert u["status"] == "active" and u["role"] == "employee"
        # The new user can log in and sees their labels.
        s, _ = env.login("E100", "Suzuki-Passw0rd")
        me = s.get(env.url("/api/v1/me"), timeout=10).json()
        assert me["labels"] == u["labels"] and me["name"] == "鈴木 一郎"
        # Filter by label.
        r = admin.call("GET", "/v1/users?label=%E6%9D%B1%E4%BA%AC%E6%9C%AC"
                              "%E7%A4%BE")
        assert [x["employee_no"] for x in r.json()["users"]] == ["E100"]
        # Change name, labels and status: disabling ends the sessions.
        r = admin.call("PATCH", "/v1/users/E100", {
            "name": "鈴木 一朗", "labels": ["大阪支店"], "status": "disabled"})
        assert r.status_code == 200, r.text
        assert r.json()["name"] == "鈴木 一朗"
        assert r.json()["labels"] == ["大阪支店"]
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 401
        assert env.post_session("E100", "Suzuki-Passw0rd")[1] \
            .status_code == 401
        r = admin.call("PATCH", "/v1/users/E100", {"status": "active"})
        assert r.status_code == 200
        assert env.post_session("E100", "Suzuki-Passw0rd")[1] \
            .status_code == 200
        # Delete: gone from both databases, audit keeps the fact.
        uid = env.sql("SELECT id FROM users WHERE employee_no = 'E100'")[0][0]
        names = "SELECT COUNT(*) FROM vault_fields WHERE user_id = %s" % uid
        assert env.sql(names, db="vault") == [["1"]]
        r = admin.call("DELETE", "/v1/users/E100")
        assert r.status_code == 204
        assert admin.call("GET", "/v1/users/E100").status_code == 404
        assert env.sql("SELECT COUNT(*) FROM users WHERE employee_no = "
                       "'E100'") == [["0"]]
        assert env.sql(names, db="vault") == [["0"]]
        actions = [a for (a,) in env.sql(
            "SELECT action FROM audit WHERE target = 'E100' ORDER BY id")]
        assert actions[0] == "user.created" and actions[-1] == "user.deleted"

    def test_create_bad_input(self, env):
        admin = Admin(env)
        base = {"employee_no": "E200", "name": "名前", "role": "employee",
                "password": "Good-Passw0rd"}
        cases = [
            ({"employee_no": None}, 400), ({"employee_no": " E2"}, 400),
            ({"employee_no": "社員"}, 400), ({"name": ""}, 400),
            ({"name": "a\u0000b"}, 400), ({"role": "god"}, 400),
            ({"labels": "営業部"}, 400), ({"labels": [1]}, 400),
            ({"labels": ["無い部署"]}, 422), ({"password": "short"}, 422),
            ({"employee_no": "E001"}, 409),
        ]
        for change, status in cases:
            body = dict(base, **change)
            body = {k: v for k, v in body.items() if v is not None}
            r = admin.call("POST", "/v1/users", body)
            assert r.status_code == status, (change, r.text)
        # Nothing of the refused attempts was written.
        assert env.sql("SELECT COUNT(*) FROM users WHERE employee_no = "
                       "'E200'") == [["0"]]

    def test_patch_bad_input(self, env):
        admin = Admin(env)
        for body, status in [({"status": "gone"}, 400), ({"role": "god"}, 400),
                             ({"name": 5}, 400), ({"labels": ["無い"]}, 422),
                             ({"labels": {}}, 400)]:
            r = admin.call("PATCH", "/v1/users/E001", body)
            assert r.status_code == status, (body, r.text)
        assert admin.call("GET", "/v1/users/E001").json()["name"] == "山田 太郎"

    def test_last_admin_stays(self, env):
        admin = Admin(env)
        for method, body in [("PATCH", {"role": "employee"}),
                             ("PATCH", {"status": "disabled"}),
                             ("DELETE", None)]:
            r = admin.call(method, "/v1/users/A001", body)
            assert r.status_code == 409, r.text
            assert error_json(r) == "last_admin"
        # With a second admin, the first may step down.
        r = admin.call("POST", "/v1/users", {
            "employee_no": "A002", "name": "人事 二郎", "role": "tenant_admin",
            "password": "Second-Adm1n-Pw"})
        assert r.status_code == 201, r.text
        r = admin.call("PATCH", "/v1/users/A002", {"role": "employee"})
        assert r.status_code == 200

    def test_grants(self, env):
        admin = Admin(env)
        r = admin.call("POST", "/v1/users", {
            "employee_no": "H001", "name": "保健 師", "role": "health_staff",
            "password": "Health-Staff-Pw1"})
        assert r.status_code == 201
        r = admin.call("PUT", "/v1/users/H001/grants",
                       {"labels": ["営業部", "営業部", "大阪支店"]})
        assert r.status_code == 200, r.text
        assert r.json()["grants"] == sorted(["営業部", "大阪支店"])
        assert admin.call("GET", "/v1/users/H001").json()["grants"] == \
            sorted(["営業部", "大阪支店"])
        r = admin.call("PUT", "/v1/users/E001/grants", {"labels": []})
        assert r.status_code == 422
        assert error_json(r) == "grants_not_applicable"
        r = admin.call("PUT", "/v1/users/H001/grants", {"labels": ["無い"]})
        assert r.status_code == 422 and error_json(r) == "unknown_label"
        r = admin.call("PUT", "/v1/users/H001/grants", {})
        assert r.status_code == 400

    def test_scope_check_in_the_database(self, env):
        # The one scope query: staff see people who carry a granted label.
        admin = Admin(env)
        admin.call("PATCH", "/v1/users/E001", {"labels": ["営業部"]})
        rows = env.sql(
            "SELECT COUNT(*) FROM grants g JOIN user_labels ul ON "
            "ul.tenant_id = g.tenant_id AND ul.label_id = g.label_id "
            "JOIN users v ON v.id = g.user_id JOIN users s ON s.id = "
            "ul.user_id WHERE v.employee_no = 'H001' AND s.employee_no = "
            "'E001'")
        assert rows == [["1"]]

    @pytest.mark.parametrize("method,path,body", [
        ("GET", "/v1/users", None), ("POST", "/v1/users", {}),
        ("GET", "/v1/users/E001", None), ("PATCH", "/v1/users/E001", {}),
        ("DELETE", "/v1/users/E001", None),
        ("PUT", "/v1/users/E001/grants", {"labels": []}),
        ("GET", "/v1/labels", None), ("POST", "/v1/labels", {"name": "x"})])
    def test_wrong_role_and_no_session(self, env, method, path, body):
        s, login = env.login("E001", PW)
        r = s.request(method, env.url("/api" + path), json=body,
                      headers=csrf(login), timeout=10)
        assert r.status_code == 403, r.text
        assert error_json(r) == "forbidden"
        r = env.session().request(method, env.url("/api" + path), json=body,
                                  timeout=10)
        assert r.status_code == 401

    @pytest.mark.parametrize("method,path,body", [
        ("GET", "/v1/users/G002", None),
        ("PATCH", "/v1/users/G002", {"name": "x"}),
        ("DELETE", "/v1/users/G002", None),
        ("PUT", "/v1/users/G002/grants", {"labels": []})])
    def test_other_tenant_is_404(self, env, method, path, body):
        admin = Admin(env)
        r = admin.call(method, path, body)
        missing = admin.call(method, path.replace("G002", "NOPE"), body)
        assert r.status_code == 404 and r.content == missing.content
        g = Admin(env, "G001", "globex.test")
        assert g.call("GET", "/v1/users/G002").json()["name"] == "Globex Emp"

    def test_writes_need_csrf(self, env):
        admin = Admin(env)
        r = admin.call("POST", "/v1/labels", {"name": "csrf"}, csrf_ok=False)
        assert r.status_code == 403 and error_json(r) == "csrf"
        r = admin.call("DELETE", "/v1/users/E001", csrf_ok=False)
        assert r.status_code == 403
        assert admin.call("GET", "/v1/users/E001").status_code == 200


class TestListNames:

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, people):
        admin = Admin(people)
        rows = "employee_no,name\n" + "".join(
            "N%03d,名前 %03d\n" % (i, i) for i in range(60))
        r = admin.s.post(people.url("/api/v1/users/import"),
                         data=rows.encode(),
                         headers=dict(csrf(admin.login),
                                      **{"Content-Type": "text/csv"}),
                         timeout=60)
        assert r.status_code == 200, r.text

    def test_total_follows_creates_imports_and_deletes(self, env):
        """The unfiltered total comes from a per-tenant count kept by
        triggers: it must agree with the rows through every kind of
        write, and never count another tenant's users."""
        admin = Admin(env)

        def total():
            r = admin.call("GET", "/v1/users?per_page=1")
            assert r.status_code == 200, r.text
            return r.json()["total"]

        def rows():
            return int(env.sql("SELECT COUNT(*) FROM users u JOIN tenants t "
                               "ON t.id = u.tenant_id WHERE t.slug = "
                               "'acme'")[0][0])

        assert total() == rows() >= 62
        r = admin.call("POST", "/v1/users", {"employee_no": "T001",
                                             "name": "数 一", "role":
                                             "employee", "password": PW})
        assert r.status_code == 201, r.text
        assert total() == rows()
        before = total()
        # Importing the same numbers again updates: no new users.
        again = "employee_no,name\n" + "".join(
            "N%03d,名前 %03d\n" % (i, i) for i in range(60)) + "T002,数 二\n"
        r = admin.s.post(env.url("/api/v1/users/import"),
                         data=again.encode(),
                         headers=dict(csrf(admin.login),
                                      **{"Content-Type": "text/csv"}),
                         timeout=60)
        assert r.status_code == 200, r.text
        assert total() == rows() == before + 1
        for no in ("T001", "T002"):
            assert admin.call("DELETE", "/v1/users/" + no).status_code in (
                200, 204)
        assert total() == rows() == before - 1
        env.add_user("globex", "G900", "employee", "他社", PW)
        assert total() == rows() == before - 1
        # A prefix still counts its range.
        r = admin.call("GET", "/v1/users?q=N0&per_page=1")
        assert r.json()["total"] == 60

    def test_page_shows_names(self, env):
        admin = Admin(env)
        r = admin.call("GET", "/v1/users?q=N&per_page=50&page=2")
        assert r.status_code == 200
        users = r.json()["users"]
        assert [u["employee_no"] for u in users] == ["N%03d" % i
                                                    for i in range(50, 60)]
        assert [u["name"] for u in users] == ["名前 %03d" % i
                                             for i in range(50, 60)]

    def test_one_vault_query_per_page(self, env):
        if env.backend.name != "pgsql":
            pytest.skip("statements are counted in PostgreSQL's log")
        admin = Admin(env)
        admin.call("GET", "/v1/users?per_page=5")           # warm up
        import time
        time.sleep(0.3)
        mark = env.backend.log_size()
        r = admin.call("GET", "/v1/users?q=N&per_page=50")
        assert len(r.json()["users"]) == 50
        time.sleep(0.3)
        lines = env.backend.statements_since(mark)
        assert sum("ailes_vault_get_range" in l for l in lines) == 1, lines
        assert not any("execute ailes_vault_get:" in l for l in lines)
