"""The vault database is down: /v1/health says which part, pages that
show names still answer with the names as null, search by name and
anything that must write a name answer 503 and change nothing."""

import pytest

from ailes_env import error_json

ADMIN_PW = "Admin-Passw0rd-2025"
STAFF_PW = "Staff-Passw0rd-2025"
PW = "Employee-Passw0rd-1"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


class TestVaultDown:

    @pytest.fixture(scope="class", autouse=True)
    def down(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "H001", "health_staff", "保健 師", STAFF_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        a, al = env.login("A001", ADMIN_PW)
        assert a.post(env.url("/api/v1/labels"), json={"name": "営業部"},
                      headers=csrf(al), timeout=10).status_code == 201
        assert a.patch(env.url("/api/v1/users/E001"), headers=csrf(al),
                       json={"labels": ["営業部"]},
                       timeout=10).status_code == 200
        assert a.put(env.url("/api/v1/users/H001/grants"), headers=csrf(al),
                     json={"labels": ["営業部"]},
                     timeout=10).status_code == 200
        env.login("H001", STAFF_PW)      # TOTP enrolled while all is up
        # Same databases, but the vault now points where nothing can open.
        env.vault_db = "sqlite3 %s" % env.path("missing", "vault.db")
        env.expect_startup_errors(r"\[(dbd|ailes):(error|crit|alert)\]")
        env.restart()

    def test_health_names_the_vault(self, env):
        r = env.session().get(env.url("/api/v1/health"), timeout=10)
        assert r.status_code == 503
        assert r.json() == {"status": "unavailable", "db": "ok",
                            "vault": "down"}

    def test_login_and_me_work_without_the_name(self, env):
        s, login = env.login("E001", PW)
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["employee_no"] == "E001"
        assert r.json()["name"] is None

    def test_user_list_and_detail_show_names_as_null(self, env):
        s, _ = env.login("A001", ADMIN_PW)
        r = s.get(env.url("/api/v1/users"), timeout=10)
        assert r.status_code == 200, r.text
        assert [(u["employee_no"], u["name"]) for u in r.json()["users"]] \
            == [("A001", None), ("E001", None), ("H001", None)]
        r = s.get(env.url("/api/v1/users/E001"), timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["name"] is None

    def test_staff_page_shows_name_as_null(self, env):
        s, _ = env.login("H001", STAFF_PW)
        r = s.get(env.url("/api/v1/people/E001"), timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["name"] is None and r.json()["labels"] == ["営業部"]
        assert s.get(env.url("/api/v1/checkups"),
                     params={"employee_no": "E001"},
                     timeout=10).status_code == 200

    def test_name_search_is_503(self, env):
        s, _ = env.login("A001", ADMIN_PW)
        r = s.get(env.url("/api/v1/users"), params={"name": "山田 太郎"},
                  timeout=10)
        assert r.status_code == 503
        assert error_json(r) == "unavailable"

    def test_writing_a_name_is_503_and_changes_nothing(self, env):
        before = env.sql("SELECT COUNT(*) FROM users")
        s, login = env.login("A001", ADMIN_PW)
        r = s.post(env.url("/api/v1/users"), headers=csrf(login), timeout=30,
                   json={"employee_no": "E002", "name": "佐藤 花子",
                         "role": "employee", "password": PW})
        assert r.status_code == 503, r.text
        r = s.post(env.url("/api/v1/users/import"),
                   data="employee_no,name\nE003,鈴木 一郎\n".encode(),
                   headers=dict(csrf(login), **{"Content-Type": "text/csv"}),
                   timeout=30)
        assert r.status_code == 503, r.text
        r = s.patch(env.url("/api/v1/users/E001"), headers=csrf(login),
                    json={"name": "山田 次郎", "role": "health_staff"},
                    timeout=10)
        assert r.status_code == 503, r.text
        assert env.sql("SELECT COUNT(*) FROM users") == before
        assert env.sql("SELECT role FROM users WHERE employee_no = "
                       "'E001'") == [["employee"]]
