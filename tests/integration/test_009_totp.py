"""Two-step verification (TOTP): enrolment with QR and recovery codes, the
second login step, replay, window edges, lockout, required roles, reset.
Codes come from oathtool, independently of the module."""

import concurrent.futures
import time

import pytest

from ailes_env import error_json, totp_code

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def wait_step_start():
    """Stay away from a 30-second boundary, so that the step oathtool used
    is still the module's step when the request arrives."""
    if time.time() % 30 > 26:
        time.sleep(30.5 - time.time() % 30)


def people(env):
    env.add_tenant("acme", "株式会社アクメ")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "E001", "employee", "山田 太郎", PW)
    env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
    env.add_user("acme", "X001", "examinee", "受検 者", PW)
    env.add_user("acme", "S001", "sc_staff", "実施 事務", ADMIN_PW)
    env.add_user("acme", "H001", "health_staff", "保健 師", ADMIN_PW)
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("globex", "G001", "employee", "Globex Emp", PW)


def enrol(env, employee_no, pw=PW):
    """Log in (no TOTP yet) and enrol; returns (session, login, secret,
    recovery codes)."""
    s, r = env.post_session(employee_no, pw)
    login = r.json()
    r = s.post(env.url("/api/v1/me/totp"), headers=csrf(login), timeout=10)
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    wait_step_start()
    r = s.post(env.url("/api/v1/me/totp/confirm"), headers=csrf(login),
               json={"code": totp_code(secret)}, timeout=10)
    assert r.status_code == 200, r.text
    env.totp[("acme.test", employee_no)] = secret
    return s, login, secret, r.json()["recovery_codes"]


def half_login(env, employee_no, pw=PW):
    s, r = env.post_session(employee_no, pw)
    assert r.status_code == 200, r.text
    assert r.json()["mfa"] == "required"
    return s, r.json()


def reset_step(env, employee_no):
    env.sql("UPDATE users SET totp_last_step = 0 WHERE employee_no = '%s'"
            % employee_no)


class TestEnrolment:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    def test_enrolment_gives_secret_uri_and_qr(self, env):
        s, login = env.login("E001", PW)
        assert login["mfa"] == "none"
        r = s.post(env.url("/api/v1/me/totp"), headers=csrf(login),
                   timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        secret = body["secret"]
        assert len(secret) == 32 and secret.isalnum() and secret.isupper()
        # Issuer, then the tenant's (Japanese) name and the employee number,
        # percent-encoded as UTF-8.
        assert body["otpauth_uri"] == (
            "otpauth://totp/Ailes:%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%E3%82"
            "%A2%E3%82%AF%E3%83%A1%3AE001?secret=" + secret
            + "&issuer=Ailes&algorithm=SHA1&digits=6&period=30")
        svg = body["qr_svg"]
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "<script" not in svg and "style" not in svg
        # Not on yet: a wrong code changes nothing.
        r = s.post(env.url("/api/v1/me/totp/confirm"), headers=csrf(login),
                   json={"code": totp_code(secret, 5)}, timeout=10)
        assert r.status_code == 422, r.text
        assert error_json(r) == "invalid_code"
        assert s.get(env.url("/api/v1/me"), timeout=10).json()[
            "mfa_enabled"] is False
        wait_step_start()
        r = s.post(env.url("/api/v1/me/totp/confirm"), headers=csrf(login),
                   json={"code": totp_code(secret)}, timeout=10)
        assert r.status_code == 200, r.text
        codes = r.json()["recovery_codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(len(c) == 14 and c[4] == "-" and c[9] == "-"
                   for c in codes)
        assert s.get(env.url("/api/v1/me"), timeout=10).json()[
            "mfa_enabled"] is True
        r = s.post(env.url("/api/v1/me/totp"), headers=csrf(login),
                   timeout=10)
        assert r.status_code == 409
        assert error_json(r) == "totp_enabled"
        # Secrets at rest: neither the secret nor a recovery code appears
        # in the database or the error log.
        dump = env.backend.dump(env, "ailes")
        with open(env.error_log) as f:
            log = f.read()
        for secret_text in [secret] + codes + [c.replace("-", "")
                                               for c in codes]:
            assert secret_text not in dump
            assert secret_text not in log

    def test_confirm_without_start(self, env):
        s, login = env.login("E002", PW)
        r = s.post(env.url("/api/v1/me/totp/confirm"), headers=csrf(login),
                   json={"code": "123456"}, timeout=10)
        assert r.status_code == 409
        assert error_json(r) == "no_enrollment"

    @pytest.mark.parametrize("body", [{}, {"code": 123456}, {"code": None}])
    def test_confirm_bad_input(self, env, body):
        s, login = env.login("E002", PW)
        r = s.post(env.url("/api/v1/me/totp/confirm"), headers=csrf(login),
                   json=body, timeout=10)
        assert r.status_code == 400
        assert error_json(r) == "bad_request"

    def test_enrolment_needs_csrf_and_session(self, env):
        s, _ = env.login("E002", PW)
        r = s.post(env.url("/api/v1/me/totp"), timeout=10)
        assert r.status_code == 403 and error_json(r) == "csrf"
        r = env.session().post(env.url("/api/v1/me/totp"), timeout=10)
        assert r.status_code == 401

    def test_examinee_has_no_totp(self, env):
        s, login = env.login("X001", PW)
        assert login["mfa"] == "none"
        r = s.post(env.url("/api/v1/me/totp"), headers=csrf(login),
                   timeout=10)
        assert r.status_code == 403
        assert error_json(r) == "totp_unavailable"

    def test_sc_staff_optional_by_default(self, env):
        _, r = env.post_session("S001", ADMIN_PW)
        assert r.json()["mfa"] == "none"


class TestSecondFactor:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)
        enrol(env, "E001")
        enrol(env, "E002")

    def test_half_session_can_only_give_the_code(self, env):
        s, login = half_login(env, "E001")
        me = s.get(env.url("/api/v1/me"), timeout=10)
        assert me.status_code == 200 and me.json()["session"] == "mfa"
        r = s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                   json={"current_password": PW, "new_password": "x"},
                   timeout=10)
        assert r.status_code == 401 and error_json(r) == "mfa_required"
        r = s.post(env.url("/api/v1/me/totp"), headers=csrf(login),
                   timeout=10)
        assert r.status_code == 401 and error_json(r) == "mfa_required"
        assert s.get(env.url("/admin/"), timeout=10).status_code == 401

    def test_code_completes_login_with_a_new_id(self, env):
        s, login = half_login(env, "E001")
        half_cookie = s.cookies.get("ailes")
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": "000000" if totp_code(
                       env.totp[("acme.test", "E001")]) != "000000"
                       else "111111"}, timeout=10)
        assert r.status_code == 401 and error_json(r) == "invalid_code"
        reset_step(env, "E001")
        wait_step_start()
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": totp_code(env.totp[("acme.test", "E001")])},
                   timeout=10)
        assert r.status_code == 200, r.text
        assert s.cookies.get("ailes") != half_cookie
        assert s.get(env.url("/api/v1/me"), timeout=10).json()["session"] \
            == "full"
        r = env.session(cookie=half_cookie).get(env.url("/api/v1/me"),
                                                timeout=10)
        assert r.status_code == 401
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": "123456"}, timeout=10)
        assert r.status_code == 409 and error_json(r) == "not_pending"

    def test_a_code_works_once(self, env):
        secret = env.totp[("acme.test", "E001")]
        reset_step(env, "E001")
        wait_step_start()
        code = totp_code(secret)
        s1, l1 = half_login(env, "E001")
        s2, l2 = half_login(env, "E001")
        r = s1.post(env.url("/api/v1/session/totp"), headers=csrf(l1),
                    json={"code": code}, timeout=10)
        assert r.status_code == 200
        r = s2.post(env.url("/api/v1/session/totp"), headers=csrf(l2),
                    json={"code": code}, timeout=10)
        assert r.status_code == 401 and error_json(r) == "invalid_code"

    def test_concurrent_replay_one_winner(self, env):
        secret = env.totp[("acme.test", "E002")]
        env.sql("DELETE FROM login_attempts")
        # Each half login counts as an attempt until a code completes one:
        # four stay below the lockout.
        halves = [half_login(env, "E002") for _ in range(4)]
        # ... and so does each code: start the count afresh for the race.
        env.sql("DELETE FROM login_attempts")
        reset_step(env, "E002")
        wait_step_start()
        code = totp_code(secret)

        def give(h):
            s, login = h
            return s.post(env.url("/api/v1/session/totp"),
                          headers=csrf(login), json={"code": code},
                          timeout=10).status_code
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(give, halves))
        assert sorted(codes) == [200, 401, 401, 401], codes
        env.sql("DELETE FROM login_attempts")

    @pytest.mark.parametrize("offset,ok", [(-2, False), (-1, True), (0, True),
                                           (1, True), (2, False)])
    def test_window_edges(self, env, offset, ok):
        env.sql("DELETE FROM login_attempts")
        reset_step(env, "E001")
        s, login = half_login(env, "E001")
        wait_step_start()
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": totp_code(env.totp[("acme.test", "E001")],
                                           offset)}, timeout=10)
        assert r.status_code == (200 if ok else 401), (offset, r.text)

    def test_recovery_code_works_once(self, env):
        env.sql("DELETE FROM login_attempts")
        _, _, _, codes = enrol(env, "S001", ADMIN_PW)
        s, login = half_login(env, "S001", ADMIN_PW)
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": codes[3].upper()}, timeout=10)
        assert r.status_code == 200, r.text
        s, login = half_login(env, "S001", ADMIN_PW)
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": codes[3]}, timeout=10)
        assert r.status_code == 401
        rows = env.sql("SELECT COUNT(*) FROM recovery_codes r JOIN users u "
                       "ON u.id = r.user_id WHERE u.employee_no = 'S001' "
                       "AND r.used_at IS NOT NULL")
        assert rows == [["1"]]

    def test_wrong_codes_count_toward_lockout(self, env):
        env.sql("DELETE FROM login_attempts")
        s, login = half_login(env, "E002")            # attempt 1
        for _ in range(3):                            # attempts 2-4
            r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                       json={"code": "abcd-efgh-jkmn"}, timeout=10)
            assert r.status_code == 401
        # The right password again does not clear the count ...
        s, login = half_login(env, "E002")            # attempt 5
        r = s.post(env.url("/api/v1/session/totp"), headers=csrf(login),
                   json={"code": "abcd-efgh-jkmn"}, timeout=10)
        assert r.status_code == 423                   # attempt 6
        _, r = env.post_session("E002", PW)
        assert r.status_code == 423
        env.sql("DELETE FROM login_attempts")


class TestRequiredEnrolment:
    EXTRA_CONF = "AilesTenantRequireTOTP sc_staff\n"

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)

    @pytest.mark.parametrize("who", ["A001", "H001", "S001"])
    def test_privileged_roles_must_enrol(self, env, who):
        s, r = env.post_session(who, ADMIN_PW)
        login = r.json()
        assert login["mfa"] == "enroll"
        enrol_cookie = s.cookies.get("ailes")
        r = s.get(env.url("/api/v1/users"), timeout=10)
        assert r.status_code in (403,)
        assert error_json(r) == "totp_enrollment_required"
        r = s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                   json={"current_password": ADMIN_PW,
                         "new_password": "Another-Adm1n-Pw"}, timeout=10)
        assert error_json(r) == "totp_enrollment_required"
        assert s.get(env.url("/admin/"), timeout=10).status_code == 401
        r = s.post(env.url("/api/v1/me/totp"), headers=csrf(login),
                   timeout=10)
        assert r.status_code == 200
        secret = r.json()["secret"]
        wait_step_start()
        r = s.post(env.url("/api/v1/me/totp/confirm"), headers=csrf(login),
                   json={"code": totp_code(secret)}, timeout=10)
        assert r.status_code == 200, r.text
        assert s.cookies.get("ailes") != enrol_cookie
        assert s.get(env.url("/api/v1/me"), timeout=10).json()["session"] \
            == "full"
        if who == "A001":
            assert s.get(env.url("/api/v1/users"), timeout=10) \
                .status_code == 200
        _, r = env.post_session(who, ADMIN_PW)
        assert r.json()["mfa"] == "required"

    def test_employee_stays_optional(self, env):
        _, r = env.post_session("E001", PW)
        assert r.json()["mfa"] == "none"


class TestReset:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        people(env)
        enrol(env, "E001")
        enrol(env, "E002")

    def test_admin_reset(self, env):
        admin, al = env.login("A001", ADMIN_PW)
        victim, _ = env.login("E001", PW)
        assert victim.get(env.url("/api/v1/me"), timeout=10).status_code \
            == 200
        r = admin.post(env.url("/api/v1/users/E001/reset-totp"),
                       headers=csrf(al), timeout=10)
        assert r.status_code == 204, r.text
        assert victim.get(env.url("/api/v1/me"), timeout=10).status_code \
            == 401
        _, r = env.post_session("E001", PW)
        assert r.json()["mfa"] == "none"
        rows = env.sql("SELECT COUNT(*) FROM recovery_codes r JOIN users u "
                       "ON u.id = r.user_id WHERE u.employee_no = 'E001'")
        assert rows == [["0"]]
        rows = env.sql("SELECT actor, target FROM audit WHERE action = "
                       "'totp.reset'")
        assert rows == [["A001/tenant_admin", "E001"]]

    def test_reset_refused(self, env):
        emp, el = env.login("E002", PW)
        r = emp.post(env.url("/api/v1/users/E002/reset-totp"),
                     headers=csrf(el), timeout=10)
        assert r.status_code == 403
        admin, al = env.login("A001", ADMIN_PW)
        r = admin.post(env.url("/api/v1/users/E002/reset-totp"), timeout=10)
        assert r.status_code == 403 and error_json(r) == "csrf"
        for target in ("G001", "NOPE"):
            r = admin.post(env.url("/api/v1/users/%s/reset-totp" % target),
                           headers=csrf(al), timeout=10)
            assert r.status_code == 404

    def test_ailesctl_reset(self, env):
        r = env.ctl("user", "reset-totp", "--tenant", "acme",
                    "--employee-no", "E002")
        assert r.returncode == 0, r.stderr
        _, r = env.post_session("E002", PW)
        assert r.json()["mfa"] == "none"
        r = env.ctl("user", "reset-totp", "--tenant", "acme",
                    "--employee-no", "NOPE")
        assert r.returncode != 0
        assert len([l for l in r.stderr.splitlines() if l.strip()]) == 1
