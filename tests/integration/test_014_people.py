"""Staff see the people in their scope (labels granted to them) and
nobody else: outside the scope answers exactly like nobody."""

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
STAFF_PW = "Staff-Passw0rd-2025"
ADMIN_PW = "Admin-Passw0rd-2025"


class TestScope:

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "H001", "health_staff", "保健 師", STAFF_PW)
        env.add_user("acme", "S001", "sc_staff", "実施 事務", STAFF_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
        env.add_user("acme", "E003", "employee", "高橋 次郎", PW)
        env.add_user("globex", "G001", "employee", "Globex Emp", PW)
        a, al = env.login("A001", ADMIN_PW)
        h = {"X-CSRF-Token": al["csrf_token"]}
        for name in ("営業部", "経理部"):
            a.post(env.url("/api/v1/labels"), json={"name": name}, headers=h,
                   timeout=10)
        for no, labels in (("E001", ["営業部"]), ("E002", ["経理部"]),
                           ("E003", ["営業部", "経理部"])):
            assert a.patch(env.url("/api/v1/users/" + no), headers=h,
                           json={"labels": labels},
                           timeout=10).status_code == 200
        assert a.put(env.url("/api/v1/users/H001/grants"), headers=h,
                     json={"labels": ["営業部"]}, timeout=10).status_code == 200

    def test_list_shows_only_the_scope(self, env):
        s, _ = env.login("H001", STAFF_PW)
        r = s.get(env.url("/api/v1/people"), timeout=10)
        assert r.status_code == 200, r.text
        assert [p["employee_no"] for p in r.json()["people"]] == ["E001",
                                                                  "E003"]
        assert r.json()["total"] == 2

    def test_person_in_scope(self, env):
        s, _ = env.login("H001", STAFF_PW)
        r = s.get(env.url("/api/v1/people/E003"), timeout=10)
        assert r.status_code == 200
        assert r.json() == {"employee_no": "E003", "name": "高橋 次郎",
                            "status": "active", "labels": ["営業部", "経理部"]}
        rows = env.sql("SELECT actor, target FROM audit WHERE action = "
                       "'person.read'")
        assert ["H001/health_staff", "E003"] in rows

    @pytest.mark.parametrize("who", ["E002", "G001", "NOPE", "A001"])
    def test_outside_scope_is_like_nobody(self, env, who):
        s, _ = env.login("H001", STAFF_PW)
        r = s.get(env.url("/api/v1/people/" + who), timeout=10)
        missing = s.get(env.url("/api/v1/people/ZZZ999"), timeout=10)
        assert r.status_code == 404
        assert r.content == missing.content

    def test_staff_without_grants_sees_nobody(self, env):
        s, _ = env.login("S001", STAFF_PW)
        assert s.get(env.url("/api/v1/people"), timeout=10).json()[
            "people"] == []
        assert s.get(env.url("/api/v1/people/E001"),
                     timeout=10).status_code == 404

    @pytest.mark.parametrize("who,pw", [("E001", PW), ("A001", ADMIN_PW)])
    def test_other_roles_refused(self, env, who, pw):
        s, _ = env.login(who, pw)
        r = s.get(env.url("/api/v1/people"), timeout=10)
        assert r.status_code == 403 and error_json(r) == "forbidden"

    def test_bad_paging(self, env):
        s, _ = env.login("H001", STAFF_PW)
        assert s.get(env.url("/api/v1/people?per_page=500"),
                     timeout=10).status_code == 400
