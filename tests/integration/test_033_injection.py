"""Hostile input everywhere it reaches the module (IPA 安全なウェブサイトの
作り方: SQL injection, OS command injection, path traversal, HTTP header
injection): JSON fields, query parameters, path segments, CSV cells,
cookies and headers get SQL and shell metacharacters, ../ and encoded
variants, NUL, CR/LF, overlong UTF-8 and broken CP932. The answer is
never a 500, never carries an injected header, and the database changes
only by legitimately stored text. (The error-log guard in conftest also
fails a test on any [error] line.)"""

import json
import urllib.parse

import pytest
import requests

from ailes_env import error_json

ADMIN_PW = "Admin-Passw0rd-2025"
PW = "Employee-Passw0rd-1"

TEXT_PAYLOADS = [
    "' OR '1'='1", "'; DROP TABLE users; --", "\" OR 1=1 --",
    "1; SELECT pg_sleep(5)", "x' UNION SELECT password_hash FROM users --",
    "$(id)", "`id`", "a|cat /etc/passwd", "a;rm -rf /", "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/", "\\..\\..\\windows",
    "a\r\nX-Injected: 1", "a%0d%0aX-Injected:%201", "a\nSet-Cookie: x=1",
    "<script>alert(1)</script>", "{{7*7}}", "%00", "a\u0000b",
    "\u202e\u2066", "Ｘ" * 300, "x" * 5000,
]
BYTE_PAYLOADS = [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\x82",
                 b"\x81\x7f", b"\xff\xfe", b"a\x00b"]


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def sane(r, httpd_404=False):
    """No 500, no injected header; a 4xx is our JSON error (or, with
    httpd_404, httpd's own 404 for an encoded slash, AllowEncodedSlashes
    Off, a NUL, or 403 for a segment longer than a file name, before the
    module is asked)."""
    assert r.status_code < 500, (r.status_code, r.text[:300])
    for k, v in r.headers.items():
        assert "injected" not in k.lower() and "injected" not in v.lower(), \
            (k, v)
        assert "\n" not in v and "\r" not in v, (k, v)
    assert "x=1" not in r.headers.get("Set-Cookie", "")
    if httpd_404 and r.status_code in (403, 404) and \
            r.headers.get("Content-Type", "").startswith("text/html"):
        return
    if 400 <= r.status_code < 500 and r.status_code != 413:
        assert error_json(r)


def snapshot(env):
    return (env.sql("SELECT tenant_id, employee_no, role, status, "
                    "password_hash FROM users ORDER BY id"),
            env.sql("SELECT slug, name, ip_allow FROM tenants ORDER BY id"),
            env.sql("SELECT COUNT(*) FROM labels"),
            env.sql("SELECT COUNT(*) FROM checkups"))


class TestInjection:

    @pytest.fixture(scope="class", autouse=True)
    def people(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.admin = env.login("A001", ADMIN_PW)

    def test_login_fields(self, env):
        before = snapshot(env)
        for p in TEXT_PAYLOADS:
            _, r = env.post_session(p, p)
            sane(r)
            assert r.status_code in (400, 401, 423), (p, r.status_code)
            _, r = env.post_session("E001", p)
            sane(r)
            # Five wrong passwords lock E001; reset between payloads.
            env.sql("DELETE FROM login_attempts")
        assert snapshot(env) == before

    def test_raw_bodies(self, env):
        s, login = env.admin
        for raw in BYTE_PAYLOADS:
            for path, ctype in (("/api/v1/session", "application/json"),
                                ("/api/v1/users", "application/json"),
                                ("/api/v1/users/import", "text/csv"),
                                ("/api/v1/checkups", "text/csv")):
                body = b'{"employee_no":"' + raw + b'","password":"x"}' \
                    if ctype == "application/json" else \
                    b"employee_no,name\nE9" + raw + b",n" + raw + b"\n"
                r = s.post(env.url(path), data=body, timeout=10,
                           headers=dict(csrf(login),
                                        **{"Content-Type": ctype}))
                sane(r)
                assert r.status_code in (400, 401, 422), (path, raw,
                                                          r.status_code)

    def test_admin_json_fields(self, env):
        s, login = env.admin
        before = snapshot(env)
        for p in TEXT_PAYLOADS:
            r = s.post(env.url("/api/v1/users"), headers=csrf(login),
                       timeout=20, json={"employee_no": p, "name": p,
                                         "role": p, "password": p})
            sane(r)
            assert r.status_code in (400, 403, 422), (p, r.status_code)
            r = s.post(env.url("/api/v1/labels"), headers=csrf(login),
                       timeout=10, json={"name": p})
            sane(r)
            r = s.put(env.url("/api/v1/tenant/ip-allowlist"),
                      headers=csrf(login), timeout=10, json={"cidrs": [p]})
            sane(r)
            assert r.status_code in (400, 422)
            r = s.patch(env.url("/api/v1/users/E001"), headers=csrf(login),
                        timeout=10, json={"role": p, "labels": [p]})
            sane(r)
            assert r.status_code in (400, 403, 422)
        after = snapshot(env)
        assert before[0] == after[0] and before[1] == after[1]
        # Labels whose name is acceptable text may be created; nothing else.
        for (name,) in env.sql("SELECT name FROM labels"):
            assert name in TEXT_PAYLOADS

    def test_query_parameters(self, env):
        s, _ = env.admin
        # Ordinary parameters still work next to the refused ones.
        r = s.get(env.url("/api/v1/users"), params={"q": "E0"}, timeout=10)
        assert r.status_code == 200
        assert [u["employee_no"] for u in r.json()["users"]] == ["E001"]
        r = s.get(env.url("/api/v1/users?q=a%00b"), timeout=10)
        assert r.status_code == 400 and error_json(r) == "bad_request"
        for p in TEXT_PAYLOADS:
            for path, param in (("/api/v1/users", "q"),
                                ("/api/v1/users", "name"),
                                ("/api/v1/users", "label"),
                                ("/api/v1/users", "page"),
                                ("/api/v1/audit", "from"),
                                ("/api/v1/audit", "format"),
                                ("/api/v1/checkups", "employee_no"),
                                ("/api/v1/checkups/status", "to"),
                                ("/api/v1/checkups/report", "format"),
                                ("/api/v1/lifelog", "from"),
                                ("/api/v1/stress-check/answers", "campaign"),
                                ("/api/v1/stress-check/group", "label")):
                r = s.get(env.url(path), params={param: p}, timeout=20)
                sane(r)
                if r.status_code == 200 and path == "/api/v1/users":
                    # A text that is a valid prefix or name matches nobody.
                    assert r.json()["users"] == [], (param, p)
            # Raw, undecoded query strings too.
            r = s.get(env.url("/api/v1/users?q=" + p.replace(" ", "%20")
                              .replace("\r", "%0d").replace("\n", "%0a")
                              .replace("#", "%23")), timeout=20)
            sane(r)

    def test_path_segments(self, env):
        # httpd core maps every URI to the file system first and logs an
        # over-long or traversing one at error level before refusing it.
        env.expect_errors(r"AH00127: Cannot map", r"AH10244: invalid URI")
        s, login = env.admin
        before = snapshot(env)
        for p in TEXT_PAYLOADS:
            seg = urllib.parse.quote(p, safe="")
            for method, path in (("GET", "/api/v1/users/%s"),
                                 ("DELETE", "/api/v1/users/%s"),
                                 ("POST", "/api/v1/users/%s/unlock"),
                                 ("GET", "/api/v1/people/%s"),
                                 ("POST",
                                  "/api/v1/stress-check/campaigns/%s/close"),
                                 ("POST",
                                  "/api/v1/lifelog/flags/%s/reverse")):
                r = s.request(method, env.url(path % seg), timeout=20,
                              headers=csrf(login))
                try:
                    sane(r, httpd_404=len(seg) > 255 or any(
                        x in seg for x in ("%2F", "%5C", "%00")))
                except AssertionError as e:
                    raise AssertionError((method, path % seg, str(e)[:80]))
                assert r.status_code in (400, 403, 404, 405, 415), (
                    method, path, p, r.status_code)
        # Encoded slashes and dot segments never leave the document root
        # (httpd folds /api/v1/%2e%2e/%2e%2e/ to / and serves the index).
        for raw in ("/api/v1/../../etc/passwd", "/api/v1/%2e%2e/%2e%2e/",
                    "/api/v1/users/..%2f..%2fetc%2fpasswd",
                    "/%2e%2e/%2e%2e/etc/passwd"):
            r = requests.get(env.url(raw), headers={"Host": "acme.test"},
                             timeout=10)
            assert r.status_code in (200, 400, 403, 404), (raw,
                                                           r.status_code)
            assert "root:" not in r.text
        assert snapshot(env) == before

    def test_csv_cells(self, env):
        s, login = env.admin
        before = snapshot(env)
        for p in TEXT_PAYLOADS:
            cell = '"' + p.replace('"', '""') + '"'
            for path, text in (
                    ("/api/v1/users/import",
                     "employee_no,name,role\n%s,%s,%s\n" % (cell, cell,
                                                             cell)),
                    ("/api/v1/checkups",
                     "社員番号,受診日,体重,尿糖,医師の意見\n"
                     "E001,%s,%s,%s,ok\n" % (cell, cell, cell))):
                r = s.post(env.url(path), data=text.encode("utf-8"),
                           timeout=30,
                           headers=dict(csrf(login),
                                        **{"Content-Type": "text/csv"}))
                sane(r)
                assert r.status_code in (400, 413, 422), (path, p,
                                                          r.status_code)
        assert snapshot(env) == before

    def test_headers_and_cookies(self, env):
        s, login = env.admin
        for p in TEXT_PAYLOADS:
            safe = p.replace("\r", "").replace("\n", "").replace("\x00", "")
            try:
                safe.encode("latin-1")
            except UnicodeEncodeError:
                safe = urllib.parse.quote(safe)
            for headers in ({"Cookie": "ailes=" + safe},
                            {"X-CSRF-Token": safe, "Cookie":
                             "ailes=" + s.cookies.get("ailes", "")},
                            {"Origin": "http://" + safe},
                            {"X-Forwarded-For": safe},
                            {"Accept-Language": safe}):
                h = {"Host": "acme.test", "Content-Type": "application/json"}
                h.update(headers)
                r = requests.post(env.url("/api/v1/labels"), headers=h,
                                  data=json.dumps({"name": "x-header"}),
                                  timeout=10)
                sane(r)
                assert r.status_code in (400, 401, 403), (headers,
                                                          r.status_code)
        assert env.sql("SELECT COUNT(*) FROM labels WHERE name = "
                       "'x-header'") == [["0"]]
