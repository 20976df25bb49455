"""CSV import of users (UTF-8, UTF-8 with BOM, CP932 from Excel), all or
nothing with a row-level report, idempotent re-import, activation codes
and the first password."""

import pytest

from ailes_env import error_json

ADMIN_PW = "Admin-Passw0rd-2025"
NEW_PW = "First-Passw0rd-1"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


class Importer:
    def __init__(self, env):
        self.env = env
        self.s, self.login = env.login("A001", ADMIN_PW)

    def post(self, data, query="", ctype="text/csv; charset=utf-8",
             token=True):
        headers = {"Content-Type": ctype}
        if token:
            headers.update(csrf(self.login))
        return self.s.post(self.env.url("/api/v1/users/import" + query),
                           data=data, headers=headers, timeout=120)


def count_users(env):
    return int(env.sql("SELECT COUNT(*) FROM users u JOIN tenants t ON "
                       "t.id = u.tenant_id WHERE t.slug = 'acme'")[0][0])


def activate(env, no, code, pw=NEW_PW):
    return env.session().post(env.url("/api/v1/activation"), timeout=10,
                              json={"employee_no": no,
                                    "activation_code": code,
                                    "new_password": pw})


@pytest.fixture(scope="class")
def admin(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)
    imp = Importer(env)
    for name in ("営業部", "東京本社"):
        r = imp.s.post(env.url("/api/v1/labels"), json={"name": name},
                       headers=csrf(imp.login), timeout=10)
        assert r.status_code == 201
    return imp


UTF8 = ("employee_no,name,role,labels,email\n"
        "E001,山田 太郎,employee,営業部;東京本社,yamada@example.com\n"
        "E002,佐藤 花子,health_staff,営業部,\n"
        "E003,\"鈴木, 一郎\",examinee,,\n")


class TestImport:

    def test_utf8_import_and_activation(self, env, admin):
        r = admin.post(UTF8.encode())
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["encoding"] == "utf-8"
        assert (body["created"], body["updated"]) == (3, 0)
        codes = {c["employee_no"]: c["activation_code"]
                 for c in body["activation_codes"]}
        assert sorted(codes) == ["E001", "E002", "E003"]
        assert all(len(c) == 19 for c in codes.values())
        assert body["activation_codes"][0]["expires_at"].endswith("+09:00")
        u = admin.s.get(env.url("/api/v1/users/E003"), timeout=10).json()
        assert u["name"] == "鈴木, 一郎" and u["role"] == "examinee"
        u = admin.s.get(env.url("/api/v1/users/E001"), timeout=10).json()
        assert u["labels"] == ["営業部", "東京本社"]
        # No password yet: nothing logs in.
        assert env.post_session("E001", NEW_PW)[1].status_code == 401
        # The code sets the first password, once.
        assert activate(env, "E001", codes["E001"].upper()).status_code == 204
        assert env.post_session("E001", NEW_PW)[1].status_code == 200
        assert activate(env, "E001", codes["E001"]).status_code == 401
        # Codes are stored only as hashes; e-mail only in the vault.
        dump = env.backend.dump(env, "ailes")
        assert codes["E002"] not in dump
        assert codes["E002"].replace("-", "") not in dump
        assert "yamada@example.com" not in dump
        assert "yamada@example.com" not in env.backend.dump(env, "vault")

    def test_reimport_is_idempotent(self, env, admin):
        before = count_users(env)
        r = admin.post(UTF8.encode())
        assert r.status_code == 200, r.text
        assert (r.json()["created"], r.json()["updated"]) == (0, 3)
        assert r.json()["activation_codes"] == []
        assert count_users(env) == before
        # E001 kept the password set by activation.
        assert env.post_session("E001", NEW_PW)[1].status_code == 200

    def test_bom_japanese_headers_crlf(self, env, admin):
        text = ("\ufeff社員番号,氏名,権限,ラベル\r\n"
                "Ｅ１０１,高橋 次郎,従業員,営業部；東京本社\r\n"
                "E102,伊藤 三郎,実施者,\r\n")
        r = admin.post(text.encode("utf-8"))
        assert r.status_code == 200, r.text
        assert r.json()["encoding"] == "utf-8-bom"
        nos = sorted(c["employee_no"] for c in r.json()["activation_codes"])
        assert nos == ["E101", "E102"]          # full-width digits converted
        u = admin.s.get(env.url("/api/v1/users/E102"), timeout=10).json()
        assert u["role"] == "sc_implementer"
        u = admin.s.get(env.url("/api/v1/users/E101"), timeout=10).json()
        assert u["labels"] == ["営業部", "東京本社"]

    def test_cp932_from_excel(self, env, admin):
        text = ("社員番号,氏名,権限\r\n"
                "E201,渡辺 髙橋,従業員\r\n"       # 髙 is a CP932 extension
                "E202,山本 ①子,従業員\r\n")
        r = admin.post(text.encode("cp932"),
                       ctype="text/csv; charset=shift_jis")
        assert r.status_code == 200, r.text
        assert r.json()["encoding"] == "cp932"
        for no, name in (("E201", "渡辺 髙橋"), ("E202", "山本 ①子")):
            u = admin.s.get(env.url("/api/v1/users/" + no), timeout=10).json()
            assert u["name"] == name

    def test_bad_rows_import_nothing(self, env, admin):
        before = count_users(env)
        text = ("employee_no,name,role,labels\n"
                "E301,良い 人,employee,\n"
                "E302,役割 不明,wizard,\n"
                "E301,重複 人,employee,\n"
                " E304,空白 人,employee,\n"
                "E305,,employee,\n"
                "E306,無い ラベル,employee,存在しない部署\n"
                "E307,列 不足\n")
        r = admin.post(text.encode())
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "import_invalid"
        found = {(d["line"], d["column"]) for d in err["details"]}
        assert found == {(3, "role"), (4, "employee_no"), (5, "employee_no"),
                         (6, "name"), (8, None)}
        assert count_users(env) == before
        # The label is checked against the tenant once the rows are valid.
        r = admin.post(("employee_no,name,labels\n"
                        "E306,無い ラベル,存在しない部署\n").encode())
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 2, "column": "labels",
             "message": "no label '存在しない部署'"}]
        assert count_users(env) == before

    @pytest.mark.parametrize("data,words", [
        (b"", "empty"),
        (b"employee_no,name\n", "no users"),
        (b"employee_no,name,color\nE1,x,red\n", "unknown column"),
        (b"name\nx\n", "employee_no"),
        (b"employee_no,name\nE1,\"open\n", "not closed"),
        (b"employee_no,name\nE1,\x82\xa0\xff\xff\n", "line 2"),
        (b"employee_no,name\r\nE1,\x00\r\n", "NUL")])
    def test_unreadable_files(self, env, admin, data, words):
        r = admin.post(data)
        assert r.status_code == 422, r.text
        assert words in r.text

    def test_csv_answer_for_excel(self, env, admin):
        r = admin.post("employee_no,name\nE401,小林 四郎\n".encode(),
                       query="?format=csv")
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/csv")
        lines = r.content.decode("utf-8").split("\r\n")
        assert lines[0] == "\ufeff社員番号,有効化コード,有効期限"
        no, code, until = lines[1].split(",")
        assert no == "E401" and len(code) == 19 and until.endswith("+09:00")
        assert activate(env, "E401", code).status_code == 204

    def test_wrong_role_type_and_csrf(self, env, admin):
        s, login = env.login("E001", NEW_PW)
        r = s.post(env.url("/api/v1/users/import"), data=UTF8.encode(),
                   headers=dict(csrf(login), **{"Content-Type": "text/csv"}),
                   timeout=10)
        assert r.status_code == 403
        r = env.session().post(env.url("/api/v1/users/import"),
                               data=UTF8.encode(),
                               headers={"Content-Type": "text/csv"},
                               timeout=10)
        assert r.status_code == 401
        r = admin.post(UTF8.encode(), ctype="application/json")
        assert r.status_code == 415
        r = admin.post(UTF8.encode(), token=False)
        assert r.status_code == 403 and error_json(r) == "csrf"
        r = admin.post(UTF8.encode(), query="?format=xml")
        assert r.status_code == 400

    def test_ten_thousand_rows(self, env, admin):
        before = count_users(env)
        rows = ["employee_no,name,role,labels"]
        rows += ["B%05d,社員 %05d,employee,営業部" % (i, i)
                 for i in range(10000)]
        r = admin.post(("\n".join(rows) + "\n").encode())
        assert r.status_code == 200, r.text[:500]
        assert r.json()["created"] == 10000
        assert len(r.json()["activation_codes"]) == 10000
        assert count_users(env) == before + 10000
        u = admin.s.get(env.url("/api/v1/users/B09999"), timeout=10).json()
        assert u["name"] == "社員 09999" and u["labels"] == ["営業部"]


class TestActivation:

    @pytest.fixture(scope="class", autouse=True)
    def codes(self, env, admin):
        r = admin.post(("employee_no,name,role\n"
                        "E001,山田 太郎,employee\n"
                        "E002,佐藤 花子,employee\n"
                        "H001,保健 師,health_staff\n").encode())
        assert r.status_code == 200, r.text
        env.codes = {c["employee_no"]: c["activation_code"]
                     for c in r.json()["activation_codes"]}

    def test_policy_applies_and_keeps_the_code(self, env):
        r = activate(env, "H001", env.codes["H001"], pw="Short-Pw1")
        assert r.status_code == 422
        assert error_json(r) == "password_policy"
        assert activate(env, "H001", env.codes["H001"],
                        pw="Health-Staff-Pw1").status_code == 204

    def test_wrong_code_unknown_user_same_answer(self, env):
        wrong = activate(env, "E002", "abcd-efgh-jkmn-pqrs")
        unknown = activate(env, "E999", "abcd-efgh-jkmn-pqrs")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.content == unknown.content
        malformed = activate(env, "E002", "not a code")
        assert malformed.status_code == 401

    def test_expired_code(self, env):
        env.sql("UPDATE users SET activation_expires = 1 WHERE employee_no "
                "= 'E002'")
        r = activate(env, "E002", env.codes["E002"])
        assert r.status_code == 401

    def test_wrong_codes_lock(self, env):
        env.sql("DELETE FROM login_attempts")
        for _ in range(5):
            assert activate(env, "E001", "abcd-efgh-jkmn-pqrs") \
                .status_code == 401
        r = activate(env, "E001", env.codes["E001"])
        assert r.status_code == 423
        env.sql("DELETE FROM login_attempts")

    def test_admin_reissue(self, env, admin):
        assert activate(env, "E001", env.codes["E001"]).status_code == 204
        victim, _ = env.login("E001", NEW_PW)
        r = admin.s.post(env.url("/api/v1/users/E001/activation"),
                         headers=csrf(admin.login), timeout=10)
        assert r.status_code == 200, r.text
        code = r.json()["activation_code"]
        assert victim.get(env.url("/api/v1/me"), timeout=10).status_code \
            == 401
        assert env.post_session("E001", NEW_PW)[1].status_code == 401
        assert activate(env, "E001", code, pw="Second-Passw0rd").status_code \
            == 204
        assert env.post_session("E001", "Second-Passw0rd")[1] \
            .status_code == 200
        r = admin.s.post(env.url("/api/v1/users/NOPE/activation"),
                         headers=csrf(admin.login), timeout=10)
        assert r.status_code == 404
        g, gl = env.login("G001", ADMIN_PW, host="globex.test")
        r = g.post(env.url("/api/v1/users/E001/activation"),
                   headers=csrf(gl), timeout=10)
        assert r.status_code == 404

    @pytest.mark.parametrize("body", [{}, {"employee_no": "E1"},
                                      {"employee_no": 1,
                                       "activation_code": "x",
                                       "new_password": "y"}])
    def test_bad_input(self, env, body):
        r = env.session().post(env.url("/api/v1/activation"), json=body,
                               timeout=10)
        assert r.status_code == 400
