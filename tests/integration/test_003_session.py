"""Login, /v1/me, logout and CSRF on one tenant (acme.test)."""

import pytest

from ailes_env import error_json

NAME = "山田 太郎"
PASSWORD = "Yamada-Passw0rd"


def set_cookie_attrs(r):
    """The ailes Set-Cookie of a response as (value, {attr_lower: value})."""
    headers = [v for v in r.raw.headers.getlist("Set-Cookie")
               if v.startswith("ailes=")]
    assert len(headers) == 1, "want one ailes Set-Cookie: %r" % headers
    parts = [p.strip() for p in headers[0].split(";")]
    value = parts[0][len("ailes="):]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return value, attrs


class TestSession:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", NAME, PASSWORD)

    def test_login_ok(self, env):
        _, r = env.post_session("E001", PASSWORD)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("application/json")
        body = r.json()
        assert body["mfa"] == "none"
        assert isinstance(body["csrf_token"], str) and body["csrf_token"]
        value, attrs = set_cookie_attrs(r)
        assert len(value) >= 16, value
        assert attrs.get("path") == "/"
        assert "httponly" in attrs
        assert attrs.get("samesite", "").lower() == "strict"
        assert "secure" not in attrs        # AilesCookieSecure Off

    def test_login_wrong_password(self, env):
        _, r = env.post_session("E001", "Wrong-Passw0rd")
        assert r.status_code == 401, r.text
        assert error_json(r) == "invalid_credentials"
        assert "set-cookie" not in r.headers

    def test_login_unknown_user_same_body(self, env):
        _, wrong = env.post_session("E001", "Wrong-Passw0rd2")
        _, unknown = env.post_session("E999", "Wrong-Passw0rd2")
        assert unknown.status_code == 401, unknown.text
        assert unknown.content == wrong.content

    def test_login_bad_json(self, env):
        r = env.session().post(env.url("/api/v1/session"), timeout=10,
                               data=b'{"employee_no": "E001", "password": ',
                               headers={"Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert error_json(r) == "bad_json"

    @pytest.mark.parametrize("body", [{}, {"employee_no": "E001"},
                                      {"password": PASSWORD}])
    def test_login_missing_fields(self, env, body):
        r = env.session().post(env.url("/api/v1/session"), json=body,
                               timeout=10)
        assert r.status_code == 400, r.text
        assert error_json(r) == "bad_request"

    def test_me(self, env):
        s, login = env.login("E001", PASSWORD)
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text
        me = r.json()
        assert me["employee_no"] == "E001"
        assert me["role"] == "employee"
        assert me["tenant"] == "acme"
        assert me["name"] == NAME               # decrypted from the vault
        assert me["labels"] == []
        assert me["mfa_enabled"] is False
        assert isinstance(me["csrf_token"], str) and me["csrf_token"]

    def test_me_without_cookie(self, env):
        r = env.session().get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401, r.text
        assert error_json(r) == "unauthenticated"

    @pytest.mark.parametrize("cookie", ["junk", "A" * 64, "x" * 6000,
                                        "%00%ff;;==", ""],
                             ids=["junk", "hexlike", "overlong", "binary",
                                  "empty"])
    def test_me_garbled_cookie(self, env, cookie):
        r = env.session(cookie=cookie).get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401, r.text
        assert error_json(r) == "unauthenticated"

    def test_logout(self, env):
        s, login = env.login("E001", PASSWORD)
        cookie = s.cookies.get("ailes")
        assert cookie
        r = s.delete(env.url("/api/v1/session"), timeout=10,
                     headers={"X-CSRF-Token": login["csrf_token"]})
        assert r.status_code == 204, r.text
        # Replay the old cookie explicitly: the session must be dead.
        r = env.session(cookie=cookie).get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401, r.text

    @pytest.mark.parametrize("token", [None, "wrong-token"],
                             ids=["missing", "wrong"])
    def test_logout_needs_csrf(self, env, token):
        s, login = env.login("E001", PASSWORD)
        headers = {"X-CSRF-Token": token} if token else {}
        r = s.delete(env.url("/api/v1/session"), headers=headers, timeout=10)
        assert r.status_code == 403, r.text
        assert error_json(r) == "csrf"
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text
