"""Login that holds up: lockout, password change, rehash, session expiry,
the session cache, CSRF origin checks, security headers and body limits."""

import concurrent.futures
import statistics
import time

import pytest

from ailes_env import error_json

EMP_PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"
WRONG = "Wrong-Passw0rd-1"


def csrf_headers(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def add_people(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "E001", "employee", "山田 太郎", EMP_PW)
    env.add_user("acme", "E002", "employee", "佐藤 花子", EMP_PW)
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)


class TestLockout:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_fifth_failure_locks_even_the_right_password(self, env):
        for i in range(5):
            _, r = env.post_session("E001", WRONG)
            assert r.status_code == 401, (i, r.text)
        _, r = env.post_session("E001", EMP_PW)
        assert r.status_code == 423, r.text
        assert error_json(r) == "locked"

    def test_unknown_number_locks_the_same_way(self, env):
        _, real = env.post_session("E001", EMP_PW)      # locked above
        for i in range(5):
            _, r = env.post_session("X404", WRONG)
            assert r.status_code == 401, (i, r.text)
        _, unknown = env.post_session("X404", EMP_PW)
        assert unknown.status_code == 423
        assert unknown.content == real.content

    def test_admin_unlock(self, env):
        admin, login = env.login("A001", ADMIN_PW)
        r = admin.post(env.url("/api/v1/users/E001/unlock"),
                       headers=csrf_headers(login), timeout=10)
        assert r.status_code == 204, r.text
        _, r = env.post_session("E001", EMP_PW)
        assert r.status_code == 200, r.text

    def test_unlock_needs_tenant_admin(self, env):
        emp, login = env.login("E002", EMP_PW)
        r = emp.post(env.url("/api/v1/users/E001/unlock"),
                     headers=csrf_headers(login), timeout=10)
        assert r.status_code == 403, r.text
        assert error_json(r) == "forbidden"

    def test_unlock_needs_csrf(self, env):
        admin, _ = env.login("A001", ADMIN_PW)
        r = admin.post(env.url("/api/v1/users/E001/unlock"), timeout=10)
        assert r.status_code == 403
        assert error_json(r) == "csrf"

    @pytest.mark.parametrize("target", ["NOPE", "G001", "%20E001"])
    def test_unlock_unknown_or_other_tenant_is_404(self, env, target):
        admin, login = env.login("A001", ADMIN_PW)
        r = admin.post(env.url("/api/v1/users/%s/unlock" % target),
                       headers=csrf_headers(login), timeout=10)
        assert r.status_code == 404, r.text
        assert error_json(r) == "not_found"

    def test_success_resets_the_count(self, env):
        for _ in range(4):
            assert env.post_session("E002", WRONG)[1].status_code == 401
        assert env.post_session("E002", EMP_PW)[1].status_code == 200
        for _ in range(4):
            assert env.post_session("E002", WRONG)[1].status_code == 401
        assert env.post_session("E002", EMP_PW)[1].status_code == 200

    def test_lock_spares_a_session_already_open(self, env):
        s, _ = env.login("E002", EMP_PW)
        for _ in range(6):
            env.post_session("E002", WRONG)
        assert env.post_session("E002", EMP_PW)[1].status_code == 423
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text

    def test_lock_and_unlock_are_audited(self, env):
        rows = env.sql("SELECT action, target FROM audit "
                       "WHERE action IN ('account.locked', 'account.unlocked',"
                       " 'login.locked') ORDER BY id")
        actions = {(a, t) for a, t in rows}
        assert ("account.locked", "E001") in actions
        assert ("account.locked", "X404") in actions
        assert ("account.unlocked", "E001") in actions
        assert ("login.locked", "E001") in actions


class TestLockoutRace:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_twenty_concurrent_guesses_get_five_checks(self, env):
        def attempt(_):
            return env.post_session("E001", WRONG)[1].status_code
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(attempt, range(20)))
        assert codes.count(401) == 5, codes
        assert codes.count(423) == 15, codes
        rows = env.sql("SELECT COUNT(*) FROM audit WHERE action = 'login.fail'"
                       " AND target = 'E001'")
        assert rows == [["5"]]


class TestLockoutDuration:
    EXTRA_CONF = "AilesLockoutDuration 2s\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_lock_runs_out(self, env):
        for _ in range(5):
            env.post_session("E001", WRONG)
        assert env.post_session("E001", EMP_PW)[1].status_code == 423
        time.sleep(2.5)
        _, r = env.post_session("E001", EMP_PW)
        assert r.status_code == 200, r.text


class TestPasswordChange:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def change(self, env, s, login, current, new):
        return s.post(env.url("/api/v1/me/password"), timeout=10,
                      headers=csrf_headers(login),
                      json={"current_password": current,
                            "new_password": new})

    def test_policy_details_name_every_rule(self, env):
        s, login = env.login("E001", EMP_PW)
        r = self.change(env, s, login, EMP_PW, "abc")
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "password_policy"
        rules = {d["rule"] for d in err["details"]}
        assert rules == {"min_length", "upper", "digit"}

    def test_admin_needs_twelve(self, env):
        s, login = env.login("A001", ADMIN_PW)
        r = self.change(env, s, login, ADMIN_PW, "Short-Pw1")   # 9 chars
        assert r.status_code == 422
        assert [d["rule"] for d in r.json()["error"]["details"]] \
            == ["min_length"]

    def test_fullwidth_digits_do_not_count(self, env):
        s, login = env.login("E001", EMP_PW)
        r = self.change(env, s, login, EMP_PW, "Passwordー１２３")
        assert r.status_code == 422
        rules = [d["rule"] for d in r.json()["error"]["details"]]
        assert "digit" in rules and "fullwidth" in rules

    def test_employee_number_refused(self, env):
        env.add_user("acme", "Emp12345", "employee", "番号 同じ", EMP_PW)
        s, login = env.login("Emp12345", EMP_PW)
        r = self.change(env, s, login, EMP_PW, "Emp12345")
        assert r.status_code == 422
        assert "not_employee_no" in [d["rule"] for d in
                                     r.json()["error"]["details"]]

    def test_wrong_current_password(self, env):
        s, login = env.login("E002", EMP_PW)
        r = self.change(env, s, login, WRONG, "Another-Passw0rd")
        assert r.status_code == 403, r.text
        assert error_json(r) == "invalid_credentials"

    def test_change_rotates_session_and_ends_the_others(self, env):
        other, _ = env.login("E001", EMP_PW)
        s, login = env.login("E001", EMP_PW)
        old_cookie = s.cookies.get("ailes")
        r = self.change(env, s, login, EMP_PW, "Brand-New-Passw0rd")
        assert r.status_code == 204, r.text
        new_cookie = s.cookies.get("ailes")
        assert new_cookie and new_cookie != old_cookie
        # The rotated session works; the old id and the other session don't.
        me = s.get(env.url("/api/v1/me"), timeout=10)
        assert me.status_code == 200
        assert me.json()["csrf_token"] == login["csrf_token"]
        assert env.session(cookie=old_cookie).get(
            env.url("/api/v1/me"), timeout=10).status_code == 401
        assert other.get(env.url("/api/v1/me"), timeout=10).status_code == 401
        assert env.post_session("E001", EMP_PW)[1].status_code == 401
        assert env.post_session("E001", "Brand-New-Passw0rd")[1] \
            .status_code == 200

    def test_login_never_reuses_a_presented_session_id(self, env):
        # Fixation: a cookie the client already holds (planted or old) is
        # never adopted; every login issues a fresh id.
        s, _ = env.login("E002", EMP_PW)
        first = s.cookies.get("ailes")
        _, r = env.post_session("E002", EMP_PW, s=s)
        assert r.status_code == 200
        second = s.cookies.get("ailes")
        assert second and second != first
        planted = "A" * 43
        s2 = env.session(cookie=planted)
        _, r = env.post_session("E002", EMP_PW, s=s2)
        assert r.status_code == 200
        assert s2.cookies.get("ailes") not in (None, planted)

    def test_change_needs_csrf(self, env):
        s, _ = env.login("A001", ADMIN_PW)
        r = s.post(env.url("/api/v1/me/password"), timeout=10,
                   json={"current_password": ADMIN_PW,
                         "new_password": "Another-Adm1n-Pw"})
        assert r.status_code == 403
        assert error_json(r) == "csrf"

    @pytest.mark.parametrize("body", [{}, {"current_password": ADMIN_PW},
                                      {"current_password": 1,
                                       "new_password": "x"}])
    def test_change_bad_input(self, env, body):
        s, login = env.login("A001", ADMIN_PW)
        r = s.post(env.url("/api/v1/me/password"), timeout=10, json=body,
                   headers=csrf_headers(login))
        assert r.status_code == 400, r.text
        assert error_json(r) == "bad_request"


class TestRehash:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_login_rehashes_at_the_configured_cost(self, env):
        before = env.sql("SELECT password_hash FROM users "
                         "WHERE employee_no = 'E001'")[0][0]
        assert before.startswith("$2y$04$")
        # httpd takes the last AilesBcryptCost, ailesctl the first.
        env.restart(extra_conf="AilesBcryptCost 5\n")
        _, r = env.post_session("E001", EMP_PW)
        assert r.status_code == 200, r.text
        after = env.sql("SELECT password_hash FROM users "
                        "WHERE employee_no = 'E001'")[0][0]
        assert after.startswith("$2y$05$") and after != before
        assert env.post_session("E001", EMP_PW)[1].status_code == 200


class TestTiming:
    """An unknown employee number costs what a wrong password costs."""

    @staticmethod
    def env_setup(env):
        env.bcrypt_cost = 10        # ~50 ms: a skipped bcrypt would show

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "山田 太郎", EMP_PW)

    def median_time(self, env, employee_no, n=7):
        times = []
        for i in range(n):
            t0 = time.monotonic()
            _, r = env.post_session(employee_no, "Wrong-%d-Passw0rd" % i)
            times.append(time.monotonic() - t0)
            assert r.status_code == 401
            # stay below the lockout
            env.sql("DELETE FROM login_attempts")
        return statistics.median(times)

    def test_unknown_user_costs_a_bcrypt(self, env):
        known = self.median_time(env, "E001")
        unknown = self.median_time(env, "E999")
        assert known > 0.01, known          # bcrypt at cost 10 really ran
        assert 0.5 < unknown / known < 2.0, (known, unknown)


class TestSessionExpiry:
    # No cache: the database row decides at once.
    EXTRA_CONF = "AilesSessionCache none\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_idle_session_ends(self, env):
        s, _ = env.login("E001", EMP_PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        env.sql("UPDATE sessions SET last_seen = last_seen - 1801")
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401
        assert env.sql("SELECT COUNT(*) FROM sessions") == [["0"]]

    def test_session_max_ends(self, env):
        s, _ = env.login("E001", EMP_PW)
        env.sql("UPDATE sessions SET expires_at = created_at - 1")
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 401

    def test_last_seen_written_at_most_once_a_minute(self, env):
        s, _ = env.login("E002", EMP_PW)
        env.sql("UPDATE sessions SET last_seen = last_seen - 120")
        seen = env.sql("SELECT last_seen FROM sessions")[0][0]
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        touched = env.sql("SELECT last_seen FROM sessions")[0][0]
        assert int(touched) >= int(seen) + 120
        s.get(env.url("/api/v1/me"), timeout=10)
        assert env.sql("SELECT last_seen FROM sessions")[0][0] == touched


class TestSessionCache:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_cached_session_costs_no_query(self, env):
        if env.backend.name != "pgsql":
            pytest.skip("statements are counted in PostgreSQL's log")
        s, _ = env.login("A001", ADMIN_PW)
        assert s.get(env.url("/admin/"), timeout=10).status_code == 200
        time.sleep(0.3)
        mark = env.backend.log_size()
        for _ in range(20):
            assert s.get(env.url("/admin/"), timeout=10).status_code == 200
        time.sleep(0.3)
        assert env.backend.statements_since(mark) == []
        # Control: without the cookie's session in the cache, the database
        # is asked (the counter does see statements).
        env.sql("SELECT 1")
        assert env.backend.statements_since(mark) != []

    def test_logout_is_immediate_despite_the_cache(self, env):
        s, login = env.login("A001", ADMIN_PW)
        cookie = s.cookies.get("ailes")
        assert s.get(env.url("/admin/"), timeout=10).status_code == 200
        r = s.delete(env.url("/api/v1/session"), headers=csrf_headers(login),
                     timeout=10)
        assert r.status_code == 204
        r = env.session(cookie=cookie).get(env.url("/admin/"), timeout=10)
        assert r.status_code == 401

    def test_deleted_session_row_survives_only_in_cache_briefly(self, env):
        # The cache never holds an entry past the next last_seen write.
        s, _ = env.login("E001", EMP_PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        rows = env.sql("SELECT expires_at - created_at FROM sessions "
                       "WHERE user_id = (SELECT id FROM users "
                       "WHERE employee_no = 'E001')")
        assert rows and int(rows[0][0]) == 12 * 3600


class TestRequestProtection:
    EXTRA_CONF = "AilesMaxBody 2048\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def test_cross_origin_login_refused(self, env):
        r = env.session().post(env.url("/api/v1/session"), timeout=10,
                               json={"employee_no": "E001",
                                     "password": EMP_PW},
                               headers={"Origin": "http://evil.example"})
        assert r.status_code == 403, r.text
        assert error_json(r) == "csrf"
        assert "set-cookie" not in r.headers

    def test_same_origin_login_allowed(self, env):
        r = env.session().post(env.url("/api/v1/session"), timeout=10,
                               json={"employee_no": "E001",
                                     "password": EMP_PW},
                               headers={"Origin": "http://acme.test"})
        assert r.status_code == 200, r.text

    def test_cross_origin_write_with_token_refused(self, env):
        s, login = env.login("E001", EMP_PW)
        r = s.delete(env.url("/api/v1/session"), timeout=10,
                     headers={"X-CSRF-Token": login["csrf_token"],
                              "Origin": "null"})
        assert r.status_code == 403
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200

    def test_api_security_headers(self, env):
        r = env.session().get(env.url("/api/v1/me"), timeout=10)
        h = r.headers
        assert h["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "no-referrer"
        assert h["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in h     # plain http

    @pytest.mark.parametrize("who", [None, "A001"])
    def test_protected_page_headers(self, env, who):
        s = env.login(who, ADMIN_PW)[0] if who else env.session()
        r = s.get(env.url("/admin/"), timeout=10)
        assert r.status_code == (200 if who else 401)
        h = r.headers
        assert h["X-Frame-Options"] == "DENY"
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert "no-store" in h["Cache-Control"]

    def test_body_over_limit(self, env):
        r = env.session().post(env.url("/api/v1/session"), timeout=10,
                               json={"employee_no": "E001",
                                     "password": "x" * 3000})
        assert r.status_code == 413, r.text
        assert error_json(r) == "too_large"

    def test_chunked_body_over_limit(self, env):
        def chunks():
            yield b'{"employee_no": "E001", "password": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'
        r = env.session().post(env.url("/api/v1/session"), data=chunks(),
                               headers={"Content-Type": "application/json"},
                               timeout=10)
        assert r.status_code == 413, r.text

    def test_invalid_utf8(self, env):
        r = env.session().post(env.url("/api/v1/session"), timeout=10,
                               data=b'{"employee_no": "E\xff01", '
                                    b'"password": "x"}',
                               headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        assert error_json(r) == "bad_json"

    def test_wrong_content_type(self, env):
        r = env.session().post(env.url("/api/v1/session"), timeout=10,
                               data="employee_no=E001&password=x",
                               headers={"Content-Type":
                                        "application/x-www-form-urlencoded"})
        assert r.status_code == 415
        assert error_json(r) == "unsupported_media_type"


class TestUserListShowsLocks:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        add_people(env)

    def get(self, env, path, who="A001", pw=ADMIN_PW, host="acme.test"):
        s, _ = env.login(who, pw, host=host)
        return s.get(env.url(path), timeout=10)

    def test_locked_user_is_marked(self, env):
        for _ in range(5):
            env.post_session("E001", WRONG)
        env.post_session("E002", WRONG)
        r = self.get(env, "/api/v1/users")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 3 and body["page"] == 1
        by_no = {u["employee_no"]: u for u in body["users"]}
        assert list(by_no) == ["A001", "E001", "E002"]   # ordered, own tenant
        assert by_no["E001"]["locked"] is True
        assert by_no["E001"]["failed_logins"] == 5
        assert by_no["E002"]["locked"] is False
        assert by_no["E002"]["failed_logins"] == 1
        one = self.get(env, "/api/v1/users/E001").json()
        assert {k: one[k] for k in by_no["E001"]} == by_no["E001"]
        assert one["name"] == "山田 太郎"

    def test_paging_and_prefix(self, env):
        body = self.get(env, "/api/v1/users?per_page=1&page=2").json()
        assert [u["employee_no"] for u in body["users"]] == ["E001"]
        assert body["total"] == 3
        body = self.get(env, "/api/v1/users?q=E00").json()
        assert [u["employee_no"] for u in body["users"]] == ["E001", "E002"]
        # LIKE wildcards in q are literal characters.
        body = self.get(env, "/api/v1/users?q=E%25").json()
        assert body["total"] == 0 and body["users"] == []
        body = self.get(env, "/api/v1/users?q=_001").json()
        assert body["total"] == 0

    @pytest.mark.parametrize("query", ["page=0", "per_page=0", "per_page=201",
                                       "page=abc", "q=%E7%A4%BE",
                                       "q=%20E"])
    def test_bad_query(self, env, query):
        r = self.get(env, "/api/v1/users?" + query)
        assert r.status_code == 400, r.text
        assert error_json(r) == "bad_request"

    def test_employee_may_not_list(self, env):
        r = self.get(env, "/api/v1/users", who="E002", pw=EMP_PW)
        assert r.status_code == 403
        assert error_json(r) == "forbidden"

    def test_other_tenant_user_is_404(self, env):
        r = self.get(env, "/api/v1/users/E001", who="G001", host="globex.test")
        assert r.status_code == 404
        nothing = self.get(env, "/api/v1/users/NOPE")
        assert r.content == nothing.content
        body = self.get(env, "/api/v1/users", who="G001",
                        host="globex.test").json()
        assert [u["employee_no"] for u in body["users"]] == ["G001"]

    def test_no_session_is_401(self, env):
        r = env.session().get(env.url("/api/v1/users"), timeout=10)
        assert r.status_code == 401
