"""The WAF of conf/ailes-waf.conf: ModSecurity 2 with the OWASP Core Rule
Set (Debian's libapache2-mod-security2 and modsecurity-crs) at paranoia
level 1 in front of mod_ailes.

1. No false positives: the normal flows of every role (logins with TOTP,
   user administration and CSV imports in UTF-8 and CP932, labels,
   grants, the IP allow-list, the audit log and its CSV export, checkups,
   life log and points, notices, the stress check from campaign to group
   analysis, password change, logout) run once without the WAF (tenant
   acme) and once through it (tenant globex): every request gets the
   same status, and ModSecurity's audit log and the error log record no
   rule match.
2. Classic attacks (SQL injection in a query parameter and in a JSON
   field, <script> in a JSON field, ../../etc/passwd, a shell command)
   get 403 from CRS before mod_ailes sees them: without the WAF the module
   answers each one itself and writes an audit row; through it the answer
   is httpd's HTML 403 and the module's audit table has no row for the
   request (rows carry mod_unique_id's UNIQUE_ID, the id ModSecurity logs
   for the request it blocked).
3. The WAF's logs never hold a password, a session cookie, a CSRF token or
   a TOTP code.
"""

import json
import os
import re
import time
import urllib.parse

import pytest
import requests

from ailes_env import ERROR_LINE, chown_run_user, totp_code

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WAF_FILE = os.path.join(TOP, "conf", "ailes-waf.conf")
WAF_CONF = """\
Define AILES_WAF_AUDIT_LOG @DIR@/modsec_audit.log
Define AILES_WAF_DATA_DIR @DIR@/modsec
Include %s
""" % WAF_FILE

ADMIN_PW = "Admin-Passw0rd-2025"
STAFF_PW = "Staff-Passw0rd-2025"
PW = "Employee-Passw0rd"
# What a password manager makes: quotes, dashes, brackets, semicolons.
CREATED_PW = "q8'X--;\"<a>Zr OR 1=1"
CHANGED_PW = "N3w'Pass -- word\"<x>; DROP"

SALES = ["E%02d" % i for i in range(1, 11)]       # 10 people in 営業部
STAFF = [("A001", "tenant_admin", "人事 一郎", ADMIN_PW),
         ("H001", "health_staff", "保健 師", STAFF_PW),
         ("S001", "sc_staff", "実施 事務", STAFF_PW),
         ("I001", "sc_implementer", "実施 者", STAFF_PW),
         ("X001", "examinee", "受検 者", PW)]
NAMES = {"E01": "山田 太郎", "E02": "佐藤 花子", "E03": "髙橋 ①子",
         "E04": "O'Brien Mary-Jane"}

IMPORT_UTF8 = ("employee_no,name,role,labels,email\n"
               "M001,伊藤 三郎,employee,営業部;東京 本社,ito@example.com\n"
               "M002,\"渡辺, 美咲\",health_staff,営業部,\n"
               "M003,D'Angelo Luca,examinee,,\n")
IMPORT_BOM = ("\ufeff社員番号,氏名,権限,ラベル\r\n"
              "Ｍ１０１,中村 次郎,従業員,営業部；東京 本社\r\n")
IMPORT_CP932 = ("社員番号,氏名,権限\r\n"
                "M201,渡辺 髙橋,従業員\r\n"
                "M202,山本 ①子,従業員\r\n")
CHECKUP_HEADER = ("社員番号,受診日,健診種別,性別,身長cm,体重kg,収縮期血圧,"
                  "拡張期血圧,LDL,HDL,尿糖,尿蛋白,総合判定,就業区分,"
                  "医師の意見\n")
CHECKUPS = CHECKUP_HEADER + (
    "E01,2025-04-10,定期,男,170,65,128,82,140,55,−,−,B,通常,\n"
    "E02,2025-04-10,定期,女,158,50,112,70,100,70,−,+,C,制限,要再検査\n"
    "E03,2025/4/11,定期,男,175,80,142,92,119,38,±,−,D,通常,\n")
CHECKUPS_CP932 = ("社員番号,氏名,受診日,健診種別,収縮期血圧,拡張期血圧,尿蛋白\r\n"
                  "Ｅ０４,佐藤 花子,２０２５／５／２０,雇入,１１８,７６,－\r\n")


def today(offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + offset * 86400))


def label(method, url):
    """METHOD /path?names: numbers in the path (campaign and notice ids
    differ between tenants) become {id}; query values are dropped."""
    u = urllib.parse.urlsplit(url)
    path = "/".join("{id}" if seg.isdigit() else seg
                    for seg in u.path.split("/"))
    names = sorted({k for k, _ in urllib.parse.parse_qsl(
        u.query, keep_blank_values=True)})
    return "%s %s%s" % (method, path, "?" + "&".join(names) if names else "")


class RecordingSession(requests.Session):
    """A requests.Session that records (label, status) of every request,
    those made by the harness' login helpers included."""

    def __init__(self, calls, host):
        super().__init__()
        self.calls = calls
        self.headers["Host"] = host

    def request(self, method, url, *args, **kw):
        kw.setdefault("timeout", 60)
        r = super().request(method, url, *args, **kw)
        self.calls.append((label(method, url), r.status_code))
        return r


class World:
    """One run of the normal flows on one tenant."""

    def __init__(self, env, host):
        self.env = env
        self.host = host
        self.calls = []

    def session(self):
        return RecordingSession(self.calls, self.host)

    def login(self, no, pw):
        """Log in like a browser: password, then TOTP (enrolment on the
        first login of roles that must have it)."""
        env = self.env
        s, r = env.post_session(no, pw, self.host, s=self.session())
        expect(r, 200)
        body = r.json()
        if body["mfa"] == "enroll":
            body = env.enroll_totp(s, body, no, self.host)
        elif body["mfa"] == "required":
            body = env.totp_step(s, body, no, self.host)
        s.headers["X-CSRF-Token"] = body["csrf_token"]
        return s

    def url(self, path):
        return self.env.url("/api/v1" + path)


def expect(r, *codes):
    assert r.status_code in codes, "%s %s: %d (wanted %s) %s" % (
        r.request.method, r.request.url, r.status_code, codes, r.text[:300])
    return r


def run_normal_flows(env, host):
    """Every role's everyday requests; returns the recorded calls. Each
    step asserts the status the module gives it, so a WAF block fails
    right where it happens."""
    w = World(env, host)
    u = w.url

    anon = w.session()
    expect(anon.get(env.url("/")), 200)
    expect(anon.get(u("/health")), 200)
    # A load balancer's health check names the node by address.
    expect(anon.get(u("/health"), headers={"Host": "10.0.0.5"}), 200)
    expect(anon.get(u("/me")), 401)

    # --- tenant admin -------------------------------------------------------
    a = w.login("A001", ADMIN_PW)
    expect(a.get(u("/me")), 200)
    for name in ("営業部", "東京 本社", "R&D (研究開発)"):
        expect(a.post(u("/labels"), json={"name": name}), 201)
    expect(a.get(u("/labels")), 200)
    for no in SALES:
        expect(a.patch(u("/users/" + no), json={"labels": ["営業部"]}), 200)
    for no in ("H001", "S001", "I001"):
        expect(a.put(u("/users/%s/grants" % no), json={"labels": ["営業部"]}),
               200)
    expect(a.post(u("/users"), json={
        "employee_no": "N001", "name": "新規 花子", "role": "employee",
        "labels": ["営業部", "東京 本社"], "password": CREATED_PW}), 201)
    expect(a.post(u("/users"), json={
        "employee_no": "N002", "name": "O'Connor Seán-Patrick",
        "role": "employee", "labels": ["R&D (研究開発)"],
        "password": CREATED_PW}), 201)
    expect(a.patch(u("/users/N001"), json={"name": "新規 花子 (旧姓: 田中)",
                                            "role": "health_staff"}), 200)
    expect(a.get(u("/users")), 200)
    expect(a.get(u("/users"), params={"q": "E0"}), 200)
    expect(a.get(u("/users"), params={"q": "N001"}), 200)
    r = expect(a.get(u("/users"), params={"name": "山田 太郎"}), 200)
    assert [x["employee_no"] for x in r.json()["users"]] == ["E01"], r.text
    expect(a.get(u("/users"), params={"name": "O'Brien Mary-Jane"}), 200)
    expect(a.get(u("/users"), params={"label": "営業部", "page": "1",
                                      "per_page": "20"}), 200)
    expect(a.get(u("/users/E01")), 200)
    expect(a.post(u("/users/E05/unlock")), 204)
    expect(a.post(u("/users/N002/activation")), 200, 201)
    expect(a.delete(u("/users/N002")), 204)

    # CSV imports: UTF-8, UTF-8 with BOM and Japanese headers, CP932
    # labelled as Shift_JIS, CP932 sent as a browser sends a file.
    r = expect(a.post(u("/users/import"), data=IMPORT_UTF8.encode(),
                      headers={"Content-Type": "text/csv; charset=utf-8"}),
               200)
    codes = {c["employee_no"]: c["activation_code"]
             for c in r.json()["activation_codes"]}
    expect(a.post(u("/users/import"), data=IMPORT_BOM.encode(),
                  headers={"Content-Type": "text/csv"}), 200)
    expect(a.post(u("/users/import"), data=IMPORT_CP932.encode("cp932"),
                  headers={"Content-Type": "text/csv; charset=shift_jis"}),
           200)
    expect(a.post(u("/users/import"), data=IMPORT_UTF8.encode(),
                  headers={"Content-Type": "text/csv; charset=utf-8"}), 200)

    # IP allow-list: read, narrow, widen again.
    expect(a.get(u("/tenant/ip-allowlist")), 200)
    expect(a.put(u("/tenant/ip-allowlist"),
                 json={"cidrs": ["127.0.0.0/8", "2001:db8::/32"]}), 200)
    expect(a.get(u("/tenant/ip-allowlist")), 200)
    expect(a.put(u("/tenant/ip-allowlist"), json={"cidrs": []}), 200)

    # Checkups: upload (UTF-8, then CP932 with full-width digits and a
    # name column), the same file again, reads, status, report.
    for data, ctype in ((CHECKUPS.encode(), "text/csv; charset=utf-8"),
                        (CHECKUPS.encode(), "text/csv; charset=utf-8"),
                        (CHECKUPS_CP932.encode("cp932"), "text/csv")):
        expect(a.post(u("/checkups"), data=data,
                      headers={"Content-Type": ctype}), 200)
    expect(a.get(u("/checkups"), params={"employee_no": "E01"}), 200)
    period = {"from": "2025-04-01", "to": "2025-05-31"}
    expect(a.get(u("/checkups/status"), params=period), 200)
    expect(a.get(u("/checkups/report"), params=period), 200)
    expect(a.get(u("/checkups/report"), params=dict(period, format="csv")),
           200)

    # Points rules round trip, fraud flags.
    rules = expect(a.get(u("/points/rules")), 200).json()
    expect(a.put(u("/points/rules"), json={"rules": rules["rules"],
                                           "caps": rules["caps"]}), 200)
    expect(a.get(u("/lifelog/flags")), 200)

    # --- an imported user activates the account ------------------------------
    expect(w.session().post(u("/activation"), json={
        "employee_no": "M001", "activation_code": codes["M001"],
        "new_password": CHANGED_PW}), 204)
    m = w.login("M001", CHANGED_PW)
    expect(m.get(u("/me")), 200)

    # --- stress-check staff open a campaign ------------------------------------
    sc = w.login("S001", STAFF_PW)
    r = expect(sc.post(u("/stress-check/campaigns"), json={
        "name": "2026年度 ストレスチェック（第1回）", "method": 2,
        "starts_on": today(-1), "ends_on": today(30)}), 201)
    campaign = r.json()["id"]
    expect(sc.get(u("/stress-check/campaigns")), 200)

    # --- employees ----------------------------------------------------------
    notices = None
    for i, no in enumerate(SALES):
        e = w.login(no, PW)
        expect(e.get(u("/me")), 200)
        expect(e.get(u("/stress-check/campaigns")), 200)
        expect(e.get(u("/stress-check/questionnaire")), 200)
        expect(e.put(u("/stress-check/answers"), json={
            "campaign": campaign, "sex": "female" if i % 2 else "male",
            "answers": [1 + i % 4] * 30 + [None] * 27, "submit": False}),
            204)
        expect(e.get(u("/stress-check/answers"),
                     params={"campaign": campaign}), 200)
        expect(e.put(u("/stress-check/answers"), json={
            "campaign": campaign, "sex": "female" if i % 2 else "male",
            "answers": [1 + (i + k) % 4 for k in range(57)],
            "submit": True}), 200)
        expect(e.get(u("/stress-check/result"),
                     params={"campaign": campaign}), 200)
        notices = expect(e.get(u("/notices")), 200).json()["notices"]
        if i < 3:
            for kind, value in (("steps", 8200), ("sleep", 7.5),
                                ("weight", 65.4),
                                ("blood_pressure",
                                 {"systolic": 120, "diastolic": 80}),
                                ("exercise", 30), ("alcohol_free", True),
                                ("no_smoking", False)):
                expect(e.post(u("/lifelog"), json={
                    "date": today(), "kind": kind, "value": value}), 201)
            expect(e.post(u("/lifelog"), json={
                "date": today(-1), "kind": "steps", "value": 10400,
                "source": "device"}), 201)
            expect(e.get(u("/lifelog"), params={"from": today(-7),
                                                "to": today()}), 200)
            expect(e.get(u("/points")), 200)
            expect(e.get(u("/checkups")), 200)
            for n in notices:
                expect(e.post(u("/notices/%d/read" % n["id"])), 204)
        if i == 0:
            expect(e.post(u("/stress-check/consent"),
                          json={"campaign": campaign}), 204)
        if i == 1:
            expect(e.post(u("/stress-check/interview"),
                          json={"campaign": campaign}), 204)
    assert notices, "the notice made by ailesctl is missing"

    # The examinee (stress-check-only contract).
    x = w.login("X001", PW)
    expect(x.get(u("/stress-check/questionnaire")), 200)
    expect(x.put(u("/stress-check/answers"), json={
        "campaign": campaign, "sex": "male", "answers": [2] * 57,
        "submit": True}), 200)
    expect(x.get(u("/stress-check/result"), params={"campaign": campaign}),
           200)

    # --- staff read in their scope -------------------------------------------
    h = w.login("H001", STAFF_PW)
    expect(h.get(u("/people")), 200)
    expect(h.get(u("/people/E01")), 200)
    expect(h.get(u("/checkups"), params={"employee_no": "E02"}), 200)
    expect(h.get(u("/checkups/report"), params=period), 200)
    expect(h.get(u("/stress-check/results"), params={"campaign": campaign}),
           200)
    im = w.login("I001", STAFF_PW)
    expect(im.get(u("/people")), 200)
    expect(im.get(u("/stress-check/results"),
                  params={"campaign": campaign}), 200)
    r = expect(im.get(u("/stress-check/group"),
                      params={"campaign": campaign, "label": "営業部"}), 200)
    assert r.json()["examinees"] == 10, r.text
    expect(a.get(u("/stress-check/results"), params={"campaign": campaign}),
           200)
    expect(a.get(u("/stress-check/group"),
                 params={"campaign": campaign, "label": "営業部"}), 200)
    expect(sc.post(u("/stress-check/campaigns/%d/close" % campaign)), 200,
           204)
    expect(a.post(u("/users/H001/reset-totp")), 204)

    # --- audit log and its export, from a second login (TOTP step) -----------
    a = w.login("A001", ADMIN_PW)
    expect(a.get(u("/audit")), 200)
    expect(a.get(u("/audit"), params={"from": today(), "to": today()}), 200)
    r = expect(a.get(u("/audit"), params={"format": "csv"}), 200)
    assert r.headers["Content-Type"].startswith("text/csv")

    # --- password change, logout ----------------------------------------------
    e = w.login("E01", PW)
    expect(e.post(u("/me/password"), json={"current_password": PW,
                                           "new_password": CHANGED_PW}), 204)
    e = w.login("E01", CHANGED_PW)
    expect(e.delete(u("/session")), 204)
    expect(e.get(u("/me")), 401)
    expect(a.delete(u("/session")), 204)
    return w.calls


# --------------------------------------------------------------- attacks

class Attack:
    """A classic attack; `who` sends it with a session (None: anonymous).
    Without the WAF, mod_ailes answers it with JSON and writes an audit
    row; the WAF must block it, naming one of `rules`."""

    def __init__(self, name, who, method, path, rules, **kw):
        self.name, self.who, self.method, self.path = name, who, method, path
        self.rules, self.kw = rules, kw


ATTACKS = [
    Attack("sqli-query", "H001", "GET", "/people", {"942100"},
           params={"q": "' OR 1=1--"}),
    Attack("sqli-json-login", None, "POST", "/session", {"942100"},
           json={"employee_no": "1' OR '1'='1'--",
                 "password": "Secret-Passw0rd-Zq7"}),
    Attack("xss-json-field", "A001", "POST", "/users", {"941100", "941110"},
           json={"employee_no": "XSS1", "role": "employee",
                 "name": "<script>alert(document.cookie)</script>",
                 "password": "Xss-Passw0rd-2025"}),
    Attack("path-traversal", "H001", "GET", "/people",
           {"930100", "930110", "930120"},
           params={"label": "../../../../etc/passwd"}),
    Attack("os-command", "H001", "GET", "/people", {"932100", "932105",
                                                    "932110", "932115",
                                                    "932150", "932160"},
           params={"q": ";cat /etc/passwd"}),
]


def audit_rows(env, slug):
    return int(env.sql("SELECT COUNT(*) FROM audit a JOIN tenants t ON "
                       "t.id = a.tenant_id WHERE t.slug = '%s'" % slug)[0][0])


def send(world, attack, sessions):
    s = sessions.get(attack.who) if attack.who else world.session()
    return s.request(attack.method, world.url(attack.path), **attack.kw)


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_from(path, offset):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def audit_log_entries(path, offset, count):
    """The audit log from offset once it holds `count` complete entries
    (ModSecurity writes them after the response, in the logging phase);
    what is there after 15 s otherwise, for the caller to assert on."""
    deadline = time.monotonic() + 15
    while True:
        text = read_from(path, offset)
        if len(re.findall(r"^--\w+-Z--$", text, re.M)) >= count \
                or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


# ------------------------------------------------------------------ tests

@pytest.fixture(scope="class")
def runs(env):
    """Both runs of the normal flows, and the attacks without the WAF."""
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    for slug in ("acme", "globex"):
        for no, role, name, pw in STAFF:
            env.add_user(slug, no, role, name, pw)
        for no in SALES:
            env.add_user(slug, no, "employee", NAMES.get(no, "社員 " + no),
                         PW)
    r = env.ctl("notice", "add", "--severity", "maintenance", "--tenants",
                "all", "--title", "メンテナンスのお知らせ <重要>",
                "--body", "2時〜6時に停止します。\n対象: 全機能 (API & 画面)")
    assert r.returncode == 0, r.stderr

    out = {}
    env.restart(extra_conf="")                 # no WAF
    out["plain"] = run_normal_flows(env, "acme.test")
    plain = World(env, "acme.test")
    sessions = {no: plain.login(no, pw) for no, pw in (("A001", ADMIN_PW),
                                                       ("H001", STAFF_PW))}
    out["plain_attacks"] = {}
    for attack in ATTACKS:
        before = audit_rows(env, "acme")
        r = send(plain, attack, sessions)
        out["plain_attacks"][attack.name] = (r, audit_rows(env, "acme")
                                             - before)
    out["plain_errors"] = env.unexpected_errors(0)

    env.restart(extra_conf=WAF_CONF)
    out["waf_log"] = env.path("modsec_audit.log")
    out["error_mark"] = env.log_size()
    out["audit_mark"] = file_size(out["waf_log"])
    out["waf"] = run_normal_flows(env, "globex.test")
    time.sleep(1)           # entries are written after the response
    out["audit_after"] = file_size(out["waf_log"])
    out["waf_errors"] = env.log_lines_since(out["error_mark"])
    return out


# What ModSecurity writes to the error log for a request it blocks.
BLOCKED = (r"\[security2:error\].*ModSecurity: (Access denied with code 403 "
           r"\(phase [12]\)|Warning\. Operator GE matched \d+ at "
           r"TX:inbound_anomaly_score)")


class TestWaf:
    EXTRA_CONF = WAF_CONF

    @staticmethod
    def env_setup(env):
        for path in ("/usr/lib/apache2/modules/mod_security2.so",
                     "/usr/share/modsecurity-crs/rules"):
            if not os.path.exists(path):
                raise RuntimeError("%s missing: install "
                                   "libapache2-mod-security2 modsecurity-crs "
                                   "(scripts/deps.sh)" % path)
        # ModSecurity's collections and temp files: writable by www-data.
        os.mkdir(env.path("modsec"))
        chown_run_user(env.path("modsec"))

    def test_normal_flows_same_status_with_and_without_waf(self, env, runs):
        plain, waf = runs["plain"], runs["waf"]
        assert len(plain) > 200, len(plain)
        diff = [(i, p, w) for i, (p, w) in enumerate(zip(plain, waf))
                if p != w]
        assert not diff and len(plain) == len(waf), (
            "statuses differ with the WAF (index, without, with): %s"
            % diff[:20])
        # Everything the flows cover reached the module through the WAF.
        routes = {lbl.split("?")[0] for lbl, _ in waf}
        for needed in ("POST /api/v1/session", "POST /api/v1/session/totp",
                       "POST /api/v1/me/totp/confirm",
                       "POST /api/v1/users/import", "POST /api/v1/checkups",
                       "PUT /api/v1/stress-check/answers",
                       "GET /api/v1/stress-check/group",
                       "PUT /api/v1/tenant/ip-allowlist",
                       "POST /api/v1/me/password", "DELETE /api/v1/session",
                       "GET /api/v1/audit", "POST /api/v1/lifelog",
                       "POST /api/v1/notices/{id}/read",
                       "POST /api/v1/stress-check/campaigns/{id}/close"):
            assert needed in routes, needed
        assert not runs["plain_errors"], runs["plain_errors"]

    def test_no_rule_matched_a_normal_request(self, env, runs):
        # The audit log records every request a rule matched (or a 5xx).
        assert os.path.exists(runs["waf_log"]), "ModSecurity did not start"
        added = runs["audit_after"] - runs["audit_mark"]
        assert added == 0, read_from(runs["waf_log"], runs["audit_mark"])
        modsec = [l for l in runs["waf_errors"]
                  if re.search(r"ModSecurity: (?:Warning|Access denied)", l)
                  or ERROR_LINE.search(l)]
        assert not modsec, modsec

    @pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
    def test_attack_blocked_before_the_module(self, env, runs, attack):
        env.expect_errors(r"\[security2:error\].*ModSecurity: (Access denied "
                          r"with code 403 \(phase 2\)|Warning\. Operator GE "
                          r"matched \d+ at TX:inbound_anomaly_score)")
        # Without the WAF mod_ailes answered it (JSON) and audited it.
        r, rows = runs["plain_attacks"][attack.name]
        assert r.headers["Content-Type"].startswith("application/json"), \
            (r.status_code, r.text[:200])
        assert rows >= 1, "the module did not audit %s" % attack.name
        # Through the WAF: httpd's 403 page, and not a trace in the module.
        w = World(env, "globex.test")
        sessions = {no: w.login(no, pw) for no, pw in (("A001", ADMIN_PW),
                                                       ("H001", STAFF_PW))
                    if no == attack.who}
        rows_before = audit_rows(env, "globex")
        waf_mark = file_size(runs["waf_log"])
        err_mark = env.log_size()
        r = send(w, attack, sessions)
        assert r.status_code == 403, (r.status_code, r.text[:300])
        assert r.headers["Content-Type"].startswith("text/html"), r.headers
        assert "<title>403 Forbidden</title>" in r.text
        assert '"error"' not in r.text
        assert audit_rows(env, "globex") == rows_before
        # ModSecurity's record of it: blocked in phase 2 by the anomaly
        # score, with the CRS rule that found the attack.
        text = audit_log_entries(runs["waf_log"], waf_mark, 1)
        assert "Action: Intercepted (phase 2)" in text, text[-2000:]
        found = set(re.findall(r'\[id "(\d+)"\]', text))
        assert "949110" in found and found & attack.rules, found
        # The id mod_unique_id gave the request is on no audit row, while
        # the module's rows of this run carry such ids.
        ids = re.findall(r'\[unique_id "([^"]+)"\]',
                         "\n".join(env.log_lines_since(err_mark)))
        assert ids, "no ModSecurity line in the error log"
        assert env.sql("SELECT COUNT(*) FROM audit WHERE request_id = '%s'"
                       % ids[-1]) == [["0"]]
        if attack.who:
            assert env.sql("SELECT COUNT(*) FROM audit WHERE request_id "
                           "IS NOT NULL AND action = 'login.ok' AND actor "
                           "LIKE '%s/%%'" % attack.who)[0][0] != "0"

    def test_valid_session_ids_are_never_blocked(self, env, runs):
        # A session id is 43 random base64url characters; one that starts
        # with a digit and "--" looks like SQL to libinjection (rule
        # 942100) unless the cookie is excluded. It must reach the module,
        # which answers 401 for an unknown one.
        w = World(env, "globex.test")
        for value in ("1--XUViKassfVMlZXFJIHYzIsRhHo-n6S09mn-h_uEE",
                      "0x1--ab_-cdEFghIJklMNopQRstUVwxYZ0123456789",
                      "9-or-1--_unionselectXYZ-abcdefghijklmnopqrs"):
            for cookie in ("ailes", "__Host-ailes"):
                s = w.session()
                s.headers["Cookie"] = "%s=%s" % (cookie, value)
                s.headers["X-CSRF-Token"] = value
                r = s.get(w.url("/me"))
                assert r.status_code == 401, (cookie, value, r.status_code)
                assert r.json()["error"]["code"] == "unauthenticated"

    def test_waf_logs_hold_no_secrets(self, env, runs):
        env.expect_errors(r"\[security2:error\].*ModSecurity: ")
        w = World(env, "globex.test")
        a = w.login("A001", ADMIN_PW)
        code = totp_code(env.totp[("globex.test", "A001")])
        cookie = a.cookies.get("ailes")
        token = a.headers["X-CSRF-Token"]
        assert cookie and token
        mark = file_size(runs["waf_log"])
        err_mark = env.log_size()
        # Blocked requests that carry every secret we have: the session
        # cookie, the CSRF token, a password, a TOTP code.
        for attack in ATTACKS:
            r = a.request(attack.method, w.url(attack.path), **attack.kw)
            assert r.status_code == 403, attack.name
        r = w.session().post(w.url("/session"), json={
            "employee_no": "A001' OR '1'='1'--", "password": ADMIN_PW})
        assert r.status_code == 403
        r = a.post(w.url("/me/password"), json={
            "current_password": ADMIN_PW, "new_password": CHANGED_PW,
            "x": "<script>alert(1)</script>"})
        assert r.status_code == 403
        r = w.session().post(w.url("/session/totp"), json={
            "code": code, "x": "1' OR '1'='1'--"})
        assert r.status_code == 403
        r = a.get(w.url("/users"), params={"name": "<script>山田 太郎</script>"})
        assert r.status_code == 403
        text = audit_log_entries(runs["waf_log"], mark, len(ATTACKS) + 4)
        errors = "\n".join(env.log_lines_since(err_mark))
        assert len(re.findall(r"^--\w+-A--$", text, re.M)) == \
            len(ATTACKS) + 4, text[-3000:]
        for secret in (cookie, token, ADMIN_PW, CHANGED_PW, code):
            assert secret not in text, secret
            assert secret not in errors, secret
        # The name searched for is masked in the logged request line.
        assert "GET /api/v1/users?name=****" in text
        # No body is logged, nor the module's response.
        assert "-C--" not in text and "-I--" not in text
        assert "csrf_token" not in text

    def test_body_limits(self, env, runs):
        """1 MiB for JSON everywhere (AilesMaxBody), 16 MiB for the two CSV
        uploads (AilesMaxUpload): a 2 MiB CSV reaches the module, a 2 MiB
        JSON body does not."""
        env.expect_errors(r"\[security2:error\].*ModSecurity: Request body "
                          r"\(Content-Length\) is larger than the "
                          r"configured limit \(1048576\)")
        w = World(env, "globex.test")
        a = w.login("A001", ADMIN_PW)
        rows = "".join("Z%06d,2025-04-10,定期,男,170,65,128,82,140,55,−,−,B,"
                       "通常,\n" % i for i in range(40000))
        data = (CHECKUP_HEADER + rows).encode()
        assert 2 << 20 < len(data) < 16 << 20
        r = a.post(w.url("/checkups"), data=data,
                   headers={"Content-Type": "text/csv"})
        assert r.status_code == 422, r.text[:300]
        assert r.json()["error"]["code"] == "import_invalid"   # no Z000000
        r = a.post(w.url("/users/import"), data=data,
                   headers={"Content-Type": "text/csv; charset=utf-8"})
        assert r.status_code == 422 and r.json()["error"]["code"] == \
            "import_invalid"
        big = b'{"date": "%s", "kind": "steps", "value": 1, "x": "%s"}' % (
            today().encode(), b"a" * (2 << 20))
        r = a.post(w.url("/lifelog"), data=big,
                   headers={"Content-Type": "application/json"})
        assert r.status_code == 413, r.text[:300]
        assert r.headers["Content-Type"].startswith("text/html")

    def test_exclusions_are_narrow(self, env, runs):
        """What the exclusions relax on their endpoints stays inspected
        everywhere else."""
        env.expect_errors(BLOCKED)
        w = World(env, "globex.test")
        a = w.login("A001", ADMIN_PW)
        sqli = "1' OR '1'='1'--"
        through = []
        for what, r in (
                ("password in a GET",
                 a.get(w.url("/users"), params={"password": sqli})),
                ("password on another POST",
                 a.post(w.url("/lifelog"), json={"date": today(),
                                                 "kind": "steps", "value": 1,
                                                 "password": sqli})),
                ("code on another POST",
                 a.post(w.url("/labels"), json={"name": "x", "code": sqli})),
                ("CP932 CSV elsewhere",
                 a.post(w.url("/lifelog"), data=IMPORT_CP932.encode("cp932"),
                        headers={"Content-Type":
                                 "text/csv; charset=shift_jis"})),
                ("another cookie",
                 w.session().get(w.url("/health"),
                                 headers={"Cookie": "other=" + sqli})),
                ("another header",
                 w.session().get(w.url("/health"),
                                 headers={"User-Agent": sqli})),
                ("health, attacked",
                 w.session().get(w.url("/health"), params={"q": sqli}))):
            if r.status_code != 403 or "<title>403" not in r.text:
                through.append((what, r.status_code, r.text[:100]))
        assert not through, through

    def test_csv_uploads_reach_the_module_unread(self, env, runs):
        """ModSecurity does not read the two CSV bodies (they stream through
        mod_ailes in bounded memory, and no cell can be quoted in the WAF's
        log): a cell that looks like an attack reaches the module, which
        keeps it as the text it is; the query string is still inspected."""
        env.expect_errors(BLOCKED)
        w = World(env, "globex.test")
        a = w.login("A001", ADMIN_PW)
        opinion = "要再検査' OR '1'='1'-- <script>"
        data = ("社員番号,受診日,医師の意見\nE02,%s,\"%s\"\n"
                % (today(-2), opinion)).encode()
        offset = file_size(env.path("modsec_audit.log"))
        r = a.post(w.url("/checkups"), data=data,
                   headers={"Content-Type": "text/csv"})
        assert r.status_code == 200, r.text[:300]
        assert file_size(env.path("modsec_audit.log")) == offset
        rows = env.sql("SELECT c.items FROM checkups c JOIN tenants t ON "
                       "t.id = c.tenant_id WHERE t.slug = 'globex'")
        assert any(opinion in json.loads(row[0]).get("doctor_opinion", "")
                   for row in rows), rows
        r = a.post(w.url("/checkups") + "?x=1'%20OR%20'1'='1'--", data=data,
                   headers={"Content-Type": "text/csv"})
        assert r.status_code == 403 and "<title>403" in r.text
        # Over every limit: the module's JSON 413, not ModSecurity's page,
        # since ModSecurity does not read the body.
        r = a.post(w.url("/checkups"), data=b"x" * (17 << 20),
                   headers={"Content-Type": "text/csv"})
        assert r.status_code == 413, r.text[:200]
        assert r.json()["error"]["code"] == "too_large"
