"""Notification mail: account locked, password changed, TOTP enrolled or
reset, and vulnerability/incident notices to the tenant admins. Requests
only queue a row that names the user (the address stays sealed in the
vault); `ailesctl mail flush` sends it through AilesMailRelay to a local
SMTP sink (Debian's python3-aiosmtpd) exactly once. CR/LF or address
syntax in names, subjects and titles never adds a header or a recipient;
a relay that is down leaves the mail queued, retried with backoff and
given up after 5 attempts, and login does not wait for it."""

import email
import email.header
import email.policy
import email.utils
import time

import pytest

from aiosmtpd.controller import Controller

from ailes_env import free_port

ADMIN_PW = "Admin-Passw0rd-2025"
NEW_PW = "First-Passw0rd-1"
PW2 = "Second-Passw0rd-2"
SMTP_PORT = free_port()
EVIL_NAME = '山田 "花子" <evil@example.com>, bob@example.com'


class Sink:
    """An SMTP server on loopback that keeps every message."""

    def __init__(self, port):
        self.port = port
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1",
                                     port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, addr):
        return [m for m in self.messages if addr in m[1]]


@pytest.fixture(scope="module")
def sink():
    s = Sink(SMTP_PORT)
    s.start()
    yield s
    s.stop()


def queue(env, where="1 = 1"):
    return env.sql("SELECT kind, status, attempts, user_id FROM mail_queue "
                   "WHERE %s ORDER BY id" % where)


def uid(env, no):
    return env.sql("SELECT id FROM users WHERE employee_no = '%s'"
                   % no)[0][0]


def flush(env):
    return env.ctl("mail", "flush")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def decoded(value):
    return str(email.header.make_header(email.header.decode_header(value)))


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def activate(env, no, code):
    r = env.session().post(env.url("/api/v1/activation"), timeout=10,
                           json={"employee_no": no, "activation_code": code,
                                 "new_password": NEW_PW})
    assert r.status_code == 204, r.text


CSV = ("employee_no,name,role,email\n"
       "A002,人事 二郎,tenant_admin,a002@example.com\n"
       "E001,\"%s\",employee,e001@example.com\n"
       "E002,佐藤 花子,employee,\n"
       "E003,鈴木 一郎,employee,\"victim@example.com>,evil@example.com\"\n"
       "E004,高橋 三郎,employee,e004@example.com\n"
       % EVIL_NAME.replace('"', '""'))


@pytest.fixture(scope="class")
def people(env, sink):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)
    s, login = env.login("A001", ADMIN_PW)
    r = s.post(env.url("/api/v1/users/import"), data=CSV.encode(),
               headers=dict(csrf(login),
                            **{"Content-Type": "text/csv; charset=utf-8"}),
               timeout=60)
    assert r.status_code == 200, r.text
    for c in r.json()["activation_codes"]:
        activate(env, c["employee_no"], c["activation_code"])
    return {"admin": (s, login)}


class TestMail:
    EXTRA_CONF = ("AilesMailRelay smtp://127.0.0.1:%d\n"
                  "AilesMailFrom ailes@example.com\n" % SMTP_PORT)

    def test_password_changed_mailed_once(self, env, sink, people):
        flush(env)
        sink.messages.clear()
        s, login = env.login("E001", NEW_PW)
        r = s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                   json={"current_password": NEW_PW, "new_password": PW2},
                   timeout=10)
        assert r.status_code == 204, r.text
        rows = queue(env, "user_id = %s AND status = 'queued'"
                     % uid(env, "E001"))
        assert [r[0] for r in rows] == ["password_changed"]
        # the queue never holds the address
        dump = env.sql("SELECT subject || body FROM mail_queue")
        assert not any("e001@example.com" in r[0] for r in dump)
        r = flush(env)
        assert r.returncode == 0, r.stderr
        assert len(sink.messages) == 1
        mail_from, rcpts, raw = sink.messages[0]
        assert mail_from == "ailes@example.com"
        assert rcpts == ["e001@example.com"]
        m = parse(raw)
        assert "パスワードが変更されました" in str(m["Subject"])
        assert m["Date"] and m["Message-ID"]
        assert m.get_content_type() == "text/plain"
        assert m.get_content_charset().lower() == "utf-8"
        assert "E001" in m.get_content()
        # the name with quotes, brackets and a comma stays one display name
        raw_to = m.get_all("To", [])
        assert len(raw_to) == 1
        addrs = email.utils.getaddresses(
            [str(email.message_from_bytes(raw)["To"])])
        assert [a for _, a in addrs] == ["e001@example.com"]
        assert decoded(email.message_from_bytes(raw)["To"]).startswith(
            EVIL_NAME)
        for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
            assert len(line) <= 76, line
            assert not line.lower().startswith(b"bcc")
        # exactly once
        assert flush(env).returncode == 0
        assert len(sink.messages) == 1
        assert queue(env, "user_id = %s" % uid(env, "E001"))[-1][1] == "sent"

    def test_account_locked(self, env, sink, people):
        flush(env)
        sink.messages.clear()
        for _ in range(5):
            assert env.post_session("E004", "wrong-Passw0rd")[1] \
                .status_code == 401
        assert env.post_session("E004", NEW_PW)[1].status_code == 423
        assert [r[0] for r in queue(env, "user_id = %s"
                                    % uid(env, "E004"))] == \
            ["account_locked"]
        assert flush(env).returncode == 0
        got = sink.to("e004@example.com")
        assert len(got) == 1
        assert "ロック" in str(parse(got[0][2])["Subject"])

    def test_totp_enrolled_and_reset(self, env, sink, people):
        flush(env)
        sink.messages.clear()
        # A002 enrols at its first login...
        env.login("A002", NEW_PW)
        kinds = [r[0] for r in queue(env, "user_id = %s" % uid(env, "A002"))]
        assert "totp_enrolled" in kinds
        s, login = people["admin"]
        r = s.post(env.url("/api/v1/users/A002/reset-totp"),
                   headers=csrf(login), timeout=10)
        assert r.status_code == 204, r.text
        assert flush(env).returncode == 0
        subjects = [str(parse(m[2])["Subject"])
                    for m in sink.to("a002@example.com")]
        assert len(subjects) == 2
        assert "設定されました" in subjects[0] and "リセット" in subjects[1]
        # the CLI reset queues it too
        env.login("A002", NEW_PW)
        flush(env)
        sink.messages.clear()
        r = env.ctl("user", "reset-totp", "--tenant", "acme",
                    "--employee-no", "A002")
        assert r.returncode == 0, r.stderr
        assert flush(env).returncode == 0
        assert len(sink.to("a002@example.com")) == 1

    def test_user_without_address_or_with_a_bad_one(self, env, sink,
                                                    people):
        flush(env)
        sink.messages.clear()
        for no in ("E002", "E003"):
            s, login = env.login(no, NEW_PW)
            r = s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                       json={"current_password": NEW_PW,
                             "new_password": PW2}, timeout=10)
            assert r.status_code == 204
        r = flush(env)
        assert r.returncode != 0       # E003's mail failed
        assert sink.messages == []
        assert queue(env, "user_id = %s" % uid(env, "E002"))[-1][1] == \
            "no_address"
        assert queue(env, "user_id = %s" % uid(env, "E003"))[-1][1] == \
            "failed"

    def test_incident_notice_mails_tenant_admins(self, env, sink, people):
        flush(env)
        sink.messages.clear()
        r = env.ctl("notice", "add", "--severity", "incident", "--tenants",
                    "acme", "--title", "障害\r\nBcc: evil@example.com",
                    "--body", "x", "--what", "y")
        assert r.returncode != 0
        assert queue(env, "kind = 'notice'") == []
        title = ("【障害】一部のお客様でログインできない事象が発生しています"
                 "（2026年1月10日 10:00 頃から）")
        r = env.ctl("notice", "add", "--severity", "incident", "--tenants",
                    "acme", "--title", title, "--body", "調査中です。",
                    "--what", "ログインの失敗", "--cause", "調査中")
        assert r.returncode == 0, r.stderr
        assert "2 mail(s) queued" in r.stdout      # A001 and A002
        r = env.ctl("notice", "add", "--severity", "info", "--tenants",
                    "all", "--title", "info は送らない", "--body", "x")
        assert "0 mail(s) queued" in r.stdout
        flush(env)
        got = sink.to("a002@example.com")
        assert len(got) == 1 and len(sink.messages) == 1   # A001: none
        raw = got[0][2]
        m = parse(raw)
        assert str(m["Subject"]) == "【Ailes】[障害・インシデント] " + title
        assert "ログインの失敗" in m.get_content()
        head = raw.split(b"\r\n\r\n")[0]
        assert head.count(b"=?UTF-8?B?") >= 3
        for line in head.split(b"\r\n"):
            assert len(line) <= 76, line
        # globex's admin got nothing
        assert queue(env, "kind = 'notice' AND tenant_id = (SELECT id FROM "
                     "tenants WHERE slug = 'globex')") == []

    def test_relay_down_keeps_mail_and_login_works(self, env, sink, people):
        flush(env)
        sink.messages.clear()
        sink.stop()
        try:
            s, login = env.login("E001", PW2)
            t0 = time.monotonic()
            r = s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                       json={"current_password": PW2,
                             "new_password": NEW_PW}, timeout=10)
            assert r.status_code == 204
            r = flush(env)
            assert r.returncode != 0
            assert r.stderr.strip().count("\n") == 0
            row = env.sql("SELECT id, status, attempts, next_at FROM "
                          "mail_queue WHERE user_id = %s ORDER BY id DESC "
                          "LIMIT 1" % uid(env, "E001"))[0]
            assert row[1] == "queued" and row[2] == "1"
            assert int(row[3]) > time.time() + 30      # backoff
            # login does not wait for the relay
            t0 = time.monotonic()
            env.login("E001", NEW_PW)
            assert time.monotonic() - t0 < 5
            # not due yet: a second flush leaves it alone
            flush(env)
            assert env.sql("SELECT attempts FROM mail_queue WHERE id = %s"
                           % row[0]) == [["1"]]
        finally:
            sink.start()
        env.sql("UPDATE mail_queue SET next_at = 0 WHERE id = %s" % row[0])
        assert flush(env).returncode == 0
        assert len(sink.to("e001@example.com")) == 1
        assert env.sql("SELECT status, attempts FROM mail_queue WHERE id = "
                       "%s" % row[0]) == [["sent", "2"]]
        flush(env)
        assert len(sink.to("e001@example.com")) == 1

    def test_given_up_after_five_attempts(self, env, sink, people):
        flush(env)
        sink.stop()
        try:
            s, login = env.login("E001", NEW_PW)
            s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                   json={"current_password": NEW_PW, "new_password": PW2},
                   timeout=10)
            rid = env.sql("SELECT MAX(id) FROM mail_queue")[0][0]
            env.sql("UPDATE mail_queue SET attempts = 4 WHERE id = %s" % rid)
            assert flush(env).returncode != 0
            assert env.sql("SELECT status, attempts FROM mail_queue WHERE "
                           "id = %s" % rid) == [["failed", "5"]]
        finally:
            sink.start()


class TestNoRelay:
    """Without AilesMailRelay nothing is queued."""

    def test_nothing_queued(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "山田 太郎", NEW_PW)
        s, login = env.login("E001", NEW_PW)
        r = s.post(env.url("/api/v1/me/password"), headers=csrf(login),
                   json={"current_password": NEW_PW, "new_password": PW2},
                   timeout=10)
        assert r.status_code == 204
        for _ in range(6):
            env.post_session("E001", "wrong-Passw0rd")
        env.add_user("acme", "A001", "tenant_admin", "人事", ADMIN_PW)
        env.ctl("notice", "add", "--severity", "vulnerability", "--tenants",
                "all", "--title", "脆弱性", "--body", "x")
        assert env.sql("SELECT COUNT(*) FROM mail_queue") == [["0"]]
        r = env.ctl("mail", "flush")
        assert r.returncode != 0 and "AilesMailRelay" in r.stderr


class TestMailConfigtest:
    """Bad mail directives stop configtest with a message naming them."""

    def _configtest(self, env, extra):
        import subprocess
        import ailes_env
        with open(env.conf) as f:
            text = f.read() + extra
        path = env.path("configtest.conf")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([ailes_env.APACHE, "-t", "-f", path],
                           capture_output=True, text=True, timeout=60,
                           env=ailes_env.httpd_environ(env.path("sanitizer")))
        return r.returncode, r.stdout + r.stderr

    def test_bad_mail_directives(self, env):
        rc, out = self._configtest(env, "AilesMailRelay smtp://127.0.0.1:25\n"
                                        "AilesMailFrom ailes@example.com\n")
        assert rc == 0, out
        for extra, word in (("AilesMailRelay http://x\n", "AilesMailRelay"),
                            ("AilesMailRelay smtp://h:99999\n",
                             "AilesMailRelay"),
                            ("AilesMailFrom 'a b@example.com'\n",
                             "AilesMailFrom"),
                            ("AilesMailRelay smtp://127.0.0.1:25\n",
                             "AilesMailFrom is required")):
            rc, out = self._configtest(env, extra)
            assert rc != 0 and word in out, (extra, out)
