"""Exact search by name through the vault's blind index
(GET /v1/users?name=): names written by the CLI, the API and the CSV
import are found however their spaces are typed; the index holds no
name, differs between tenants, follows renames and deletions, and
`ailesctl vault reindex` rebuilds it."""

import pytest

from ailes_env import error_json

ADMIN_PW = "Admin-Passw0rd-2025"
PW = "Employee-Passw0rd-1"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


class TestNameSearch:

    @pytest.fixture(scope="class", autouse=True)
    def people(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("globex", "G001", "tenant_admin", "山田 太郎", ADMIN_PW)

    @pytest.fixture
    def admin(self, env):
        return env.login("A001", ADMIN_PW)

    def find(self, env, admin, name, host_login=None):
        s, _ = host_login or admin
        r = s.get(env.url("/api/v1/users"), params={"name": name},
                  timeout=10)
        assert r.status_code == 200, r.text
        return [u["employee_no"] for u in r.json()["users"]]

    @pytest.mark.parametrize("typed", ["山田 太郎", "山田太郎", "山田　太郎",
                                       " 山田  太郎"[1:]])
    def test_cli_user_found_however_spaced(self, env, admin, typed):
        assert self.find(env, admin, typed) == ["E001"]

    def test_answer_has_the_name(self, env, admin):
        s, _ = admin
        r = s.get(env.url("/api/v1/users"), params={"name": "山田太郎"},
                  timeout=10)
        (u,) = r.json()["users"]
        assert u["name"] == "山田 太郎" and r.json()["total"] == 1

    def test_no_match_and_other_tenant(self, env, admin):
        assert self.find(env, admin, "山田 花子") == []
        # globex has a 山田 太郎 too: each tenant finds only its own.
        g = env.login("G001", ADMIN_PW, host="globex.test")
        assert self.find(env, admin, "山田 太郎", g) == ["G001"]
        rows = env.sql("SELECT bidx FROM vault_fields WHERE field = 'name' "
                       "AND bidx IS NOT NULL", db="vault")
        assert len(rows) == 3 and len({r[0] for r in rows}) == 3
        for (b,) in rows:
            assert len(b) == 64 and all(c in "0123456789abcdef" for c in b)

    def test_api_create_rename_delete(self, env, admin):
        s, login = admin
        r = s.post(env.url("/api/v1/users"), headers=csrf(login), timeout=30,
                   json={"employee_no": "E010", "name": "Jane Doe",
                         "role": "employee", "password": PW})
        assert r.status_code == 201, r.text
        assert self.find(env, admin, "jane doe") == ["E010"]
        assert self.find(env, admin, "ＪＡＮＥ　ＤＯＥ") == ["E010"]
        r = s.patch(env.url("/api/v1/users/E010"), headers=csrf(login),
                    json={"name": "Jane Roe"}, timeout=10)
        assert r.status_code == 200, r.text
        assert self.find(env, admin, "Jane Doe") == []
        assert self.find(env, admin, "Jane Roe") == ["E010"]
        r = s.delete(env.url("/api/v1/users/E010"), headers=csrf(login),
                     timeout=10)
        assert r.status_code == 204
        assert self.find(env, admin, "Jane Roe") == []

    def test_csv_import_indexed(self, env, admin):
        s, login = admin
        r = s.post(env.url("/api/v1/users/import"),
                   data="employee_no,name\nE020,鈴木 一郎\nE021,鈴木 一郎\n"
                   .encode(), timeout=30,
                   headers=dict(csrf(login), **{"Content-Type": "text/csv"}))
        assert r.status_code == 200, r.text
        assert self.find(env, admin, "鈴木一郎") == ["E020", "E021"]

    def test_reindex(self, env, admin):
        env.sql("UPDATE vault_fields SET bidx = NULL", db="vault")
        assert self.find(env, admin, "山田太郎") == []
        r = env.ctl("vault", "reindex")
        assert r.returncode == 0, r.stderr
        assert "indexed" in r.stdout
        assert self.find(env, admin, "山田太郎") == ["E001"]
        r = env.ctl("vault", "reindex", "extra")
        assert r.returncode != 0

    @pytest.mark.parametrize("params", [
        {"name": "山田", "q": "E"}, {"name": "山田", "label": "x"},
        {"name": "山田", "page": "1"}, {"name": "a\x01b"}, {"name": ""},
        {"name": "x" * 201}])
    def test_bad_input(self, env, admin, params):
        s, _ = admin
        r = s.get(env.url("/api/v1/users"), params=params, timeout=10)
        assert r.status_code == 400, params
        assert error_json(r) == "bad_request"

    def test_wrong_role(self, env):
        s, _ = env.login("E001", PW)
        r = s.get(env.url("/api/v1/users"), params={"name": "山田太郎"},
                  timeout=10)
        assert r.status_code == 403


class TestNamesakes:

    @pytest.fixture(scope="class", autouse=True)
    def people(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)

    def test_many_namesakes_few_queries(self, env):
        """25 people of one name: all found, in employee-number order, by
        two user queries of 20 ids (not one per person)."""
        for i in range(25, 0, -1):
            env.add_user("acme", "D%03d" % i, "employee", "同姓 同名", PW)
        mark = env.backend.log_size() if env.backend.name == "pgsql" else 0
        s, _ = env.login("A001", ADMIN_PW)
        r = s.get(env.url("/api/v1/users"), params={"name": "同姓同名"},
                  timeout=10)
        assert r.status_code == 200, r.text
        assert [u["employee_no"] for u in r.json()["users"]] == ["D%03d" % i
                                                    for i in range(1, 26)]
        if env.backend.name == "pgsql":
            import time
            time.sleep(0.3)
            lines = env.backend.statements_since(mark)
            assert sum("execute ailes_user_get_admin_ids" in l
                       for l in lines) == 2, lines
