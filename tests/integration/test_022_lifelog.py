"""Life log and points: own entries per kind and day, plausible ranges,
the backdate window, next-day confirmation into an append-only ledger,
tenant rules and caps, fraud flags and their reversal by a tenant admin.

The clock: points for a day are confirmed when the JST day is past both
the entry's day and its last change. Tests do not move httpd's clock;
they age an entry's updated_at in the database, as other tests age
stress-check rows (test_019)."""

import time

import pytest

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"


def day(offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + offset * 86400))


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def uid(env, tenant, no):
    return env.sql("SELECT u.id FROM users u JOIN tenants t ON t.id = "
                   "u.tenant_id WHERE t.slug = '%s' AND u.employee_no = "
                   "'%s'" % (tenant, no))[0][0]


def age(env, user_id, days=2):
    """As if the entries had been made `days` days earlier."""
    env.sql("UPDATE lifelog_entries SET updated_at = updated_at - %d "
            "WHERE user_id = %s" % (days * 86400, user_id))


def count(env, table, where="1 = 1"):
    return int(env.sql("SELECT COUNT(*) FROM %s WHERE %s"
                       % (table, where))[0][0])


def audit_actions(env, prefix):
    return [r[0] for r in env.sql("SELECT action FROM audit WHERE action "
                                  "LIKE '%s%%' ORDER BY id" % prefix)]


class Client:
    def __init__(self, env, no, pw, host="acme.test"):
        self.env = env
        self.s, login = env.login(no, pw, host=host)
        self.h = csrf(login)

    def get(self, path):
        return self.s.get(self.env.url("/api" + path), timeout=10)

    def post(self, path, body, headers=True):
        return self.s.post(self.env.url("/api" + path), json=body,
                           headers=self.h if headers else {}, timeout=10)

    def put(self, path, body):
        return self.s.put(self.env.url("/api" + path), json=body,
                          headers=self.h, timeout=10)

    def log(self, date, kind, value, source=None):
        body = {"date": date, "kind": kind, "value": value}
        if source:
            body["source"] = source
        return self.post("/v1/lifelog", body)


class TestLifelog:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        for no in ("E001", "E002", "E003"):
            env.add_user("acme", no, "employee", "社員 " + no, PW)
        env.add_user("acme", "X001", "examinee", "受検 者", PW)
        env.add_user("globex", "G001", "employee", "Globex Emp", PW)
        env.add_user("globex", "GA01", "tenant_admin", "Globex HR", ADMIN_PW)

    def test_create_replace_list(self, env):
        e = Client(env, "E001", PW)
        r = e.log(day(), "steps", 6000)
        assert r.status_code == 201, r.text
        j = r.json()
        assert j["replaced"] is False and j["revision"] == 1
        assert j["source"] == "manual" and j["value"] == 6000
        r = e.log(day(), "steps", 6500, source="device")
        assert r.status_code == 200, r.text
        assert r.json()["replaced"] is True and r.json()["revision"] == 2
        r = e.get("/v1/lifelog")
        assert r.status_code == 200, r.text
        entries = r.json()["entries"]
        assert [(x["date"], x["kind"], x["value"], x["source"])
                for x in entries] == [(day(), "steps", 6500, "device")]
        assert entries[0]["updated_at"].endswith("+09:00")
        assert audit_actions(env, "lifelog.") == ["lifelog.created",
                                                  "lifelog.replaced"]
        # one row per kind and day
        assert count(env, "lifelog_entries",
                     "user_id = %s" % uid(env, "acme", "E001")) == 1
        # another employee sees none of it; nor does another tenant
        assert Client(env, "E002", PW).get("/v1/lifelog").json()[
            "entries"] == []
        g = Client(env, "G001", PW, host="globex.test")
        assert g.get("/v1/lifelog").json()["entries"] == []

    def test_every_kind_and_range(self, env):
        e = Client(env, "E002", PW)
        values = {"steps": 0, "sleep": 7.5, "weight": 65.4,
                  "blood_pressure": {"systolic": 120, "diastolic": 80},
                  "exercise": 1440, "alcohol_free": True,
                  "no_smoking": False}
        for kind, v in values.items():
            r = e.log(day(-1), kind, v)
            assert r.status_code == 201, (kind, r.text)
            assert r.json()["value"] == v
        r = e.get("/v1/lifelog?from=%s&to=%s" % (day(-1), day(-1)))
        got = {x["kind"]: x["value"] for x in r.json()["entries"]}
        assert got == values
        assert e.get("/v1/lifelog?from=%s&to=%s" % (day(), day())).json()[
            "entries"] == []
        for q in ("?from=2026-02-30", "?to=x", "?from=%s&to=%s"
                  % (day(), day(-1))):
            r = e.get("/v1/lifelog" + q)
            assert r.status_code == 400 and r.json()["error"]["code"] == \
                "bad_request", q

    BAD = [
        ({"date": day(1), "kind": "steps", "value": 1}, 422, "bad_date"),
        ({"date": day(-8), "kind": "steps", "value": 1}, 422, "bad_date"),
        ({"date": day(), "kind": "steps", "value": 100001}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "steps", "value": -1}, 422, "out_of_range"),
        ({"date": day(), "kind": "sleep", "value": 24.1}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "weight", "value": 19.9}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "weight", "value": 300.1}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "exercise", "value": 1441}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "blood_pressure",
          "value": {"systolic": 80, "diastolic": 90}}, 422, "out_of_range"),
        ({"date": day(), "kind": "no_smoking", "value": 1}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "steps", "value": "8000"}, 422,
         "out_of_range"),
        ({"date": day(), "kind": "walking", "value": 1}, 422,
         "unknown_kind"),
        ({"date": day(), "kind": "steps", "value": 1, "source": "robot"},
         400, "bad_request"),
        ({"date": "2026-13-01", "kind": "steps", "value": 1}, 400,
         "bad_request"),
        ({"kind": "steps", "value": 1}, 400, "bad_request"),
    ]

    def test_bad_input_changes_nothing(self, env):
        e = Client(env, "E003", PW)
        before = count(env, "lifelog_entries")
        audits = len(audit_actions(env, "lifelog."))
        for body, status, code in self.BAD:
            r = e.post("/v1/lifelog", body)
            assert r.status_code == status, (body, r.text)
            assert r.json()["error"]["code"] == code, (body, r.text)
            assert r.json()["error"]["message"]
        r = e.s.post(env.url("/api/v1/lifelog"), data="{not json",
                     headers=dict(e.h, **{"Content-Type":
                                          "application/json"}), timeout=10)
        assert r.status_code == 400 and "code" in r.json()["error"]
        assert count(env, "lifelog_entries") == before
        assert len(audit_actions(env, "lifelog.")) == audits

    def test_backdate_edges(self, env):
        e = Client(env, "E003", PW)
        assert e.log(day(-7), "weight", 70).status_code == 201
        assert e.log(day(-8), "weight", 70).status_code == 422
        assert e.log(day(), "weight", 70).status_code == 201
        assert e.log(day(1), "weight", 70).status_code == 422
        env.sql("DELETE FROM lifelog_entries WHERE kind = 'weight' AND "
                "user_id = %s" % uid(env, "acme", "E003"))

    def test_csrf_required(self, env):
        e = Client(env, "E001", PW)
        before = count(env, "lifelog_entries")
        r = e.post("/v1/lifelog", {"date": day(), "kind": "sleep",
                                   "value": 7}, headers=False)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
        a = Client(env, "A001", ADMIN_PW)
        r = a.s.put(env.url("/api/v1/points/rules"), timeout=10,
                    json={"rules": []})
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
        assert count(env, "lifelog_entries") == before
        assert count(env, "points_rulesets") <= 1

    def test_roles(self, env):
        r = env.session().get(env.url("/api/v1/lifelog"), timeout=10)
        assert r.status_code == 401
        x = Client(env, "X001", PW)
        assert x.get("/v1/lifelog").status_code == 403
        assert x.log(day(), "steps", 1).status_code == 403
        assert x.get("/v1/points").status_code == 403
        e = Client(env, "E001", PW)
        for path in ("/v1/points/rules", "/v1/lifelog/flags"):
            r = e.get(path)
            assert r.status_code == 403, path
            assert r.json()["error"]["code"]
        assert e.put("/v1/points/rules", {"rules": []}).status_code == 403
        assert e.post("/v1/lifelog/flags/1/reverse",
                      {"reason": "x"}).status_code == 403
        # a tenant admin logs their own life too
        a = Client(env, "A001", ADMIN_PW)
        assert a.log(day(), "sleep", 6).status_code == 201
        assert a.get("/v1/points").status_code == 200

    def test_points_next_day(self, env):
        e = Client(env, "E002", PW)
        me = uid(env, "acme", "E002")
        # E002 logged seven kinds yesterday, today: nothing confirmed yet
        r = e.get("/v1/points")
        assert r.status_code == 200, r.text
        assert r.json() == {"balance": 0, "history": []}
        assert count(env, "points_ledger", "user_id = %s" % me) == 0
        assert e.log(day(), "steps", 9000).status_code == 201
        age(env, me, 1)
        r = e.get("/v1/points").json()
        # defaults: sleep 6-9 h 5, exercise >= 30 5, weight 2, blood
        # pressure 2, alcohol-free 2 (self-reported), no smoking false 0,
        # steps 0 < 8000: 0. Today's 9000 steps wait for tomorrow.
        assert r["balance"] == 16, r["history"]
        kinds = sorted((h["kind"], h["amount"]) for h in r["history"])
        assert kinds == [("alcohol_free", 2), ("blood_pressure", 2),
                         ("exercise", 5), ("sleep", 5), ("weight", 2)]
        assert all(h["type"] == "award" and h["date"] == day(-1)
                   for h in r["history"])
        assert r["balance"] == sum(h["amount"] for h in r["history"])
        # idempotent: reading again pays nothing twice
        assert e.get("/v1/points").json()["balance"] == 16
        sql_sum = env.sql("SELECT SUM(amount) FROM points_ledger WHERE "
                          "user_id = %s" % me)[0][0]
        assert int(sql_sum) == 16
        assert "points.confirmed" in audit_actions(env, "points.")
        # replacing a confirmed day: a correction row after another day
        assert e.log(day(-1), "steps", 12000).json()["replaced"] is True
        assert e.get("/v1/points").json()["balance"] == 16
        age(env, me, 1)
        r = e.get("/v1/points").json()
        assert r["balance"] == 26
        assert r["balance"] == sum(h["amount"] for h in r["history"])

    def test_flags_and_reversal(self, env):
        e = Client(env, "E003", PW)
        me = uid(env, "acme", "E003")
        for off in range(6, 1, -1):
            r = e.log(day(-off), "steps", 5000)
            assert r.status_code == 201
        # the fifth identical day in a row is flagged
        assert r.json()["flags"] == ["repeated"]
        r = e.log(day(-1), "steps", 20000)
        assert r.json()["flags"] == ["outlier"]
        age(env, me, 1)
        assert e.get("/v1/points").json()["balance"] == 10

        a = Client(env, "A001", ADMIN_PW)
        r = a.get("/v1/lifelog/flags")
        assert r.status_code == 200, r.text
        flags = {f["reason"]: f for f in r.json()["flags"]
                 if f["employee_no"] == "E003"}
        assert set(flags) == {"outlier", "repeated"}
        out = flags["outlier"]
        assert out["date"] == day(-1) and out["value"] == 20000
        assert out["reversed"] is False
        assert "lifelog.flags_listed" in audit_actions(env, "lifelog.")
        assert audit_actions(env, "lifelog.flagged") == [
            "lifelog.flagged", "lifelog.flagged"]

        # bad reversals change nothing
        rows = count(env, "points_ledger")
        path = "/v1/lifelog/flags/%d/reverse" % out["id"]
        assert a.post(path, {}).status_code == 400
        assert a.post(path, {"reason": ""}).status_code == 400
        r = a.post("/v1/lifelog/flags/999999/reverse", {"reason": "x"})
        assert r.status_code == 404 and r.json()["error"]["code"] == \
            "not_found"
        assert a.post("/v1/lifelog/flags/abc/reverse",
                      {"reason": "x"}).status_code == 404
        assert a.post(path, {"reason": "x"}, headers=False).status_code == \
            403
        # another tenant's admin cannot see or reach it
        g = Client(env, "GA01", ADMIN_PW, host="globex.test")
        assert g.get("/v1/lifelog/flags").json()["flags"] == []
        r = g.post(path, {"reason": "x"})
        assert r.status_code == 404
        assert count(env, "points_ledger") == rows

        r = a.post(path, {"reason": "歩数計の誤計測"})
        assert r.status_code == 201, r.text
        assert r.json()["amount"] == -10
        assert a.post(path, {"reason": "again"}).status_code == 409
        assert count(env, "points_ledger") == rows + 1
        p = e.get("/v1/points").json()
        assert p["balance"] == 0
        assert p["history"][0]["type"] == "reversal"
        assert p["history"][0]["reason"] == "歩数計の誤計測"
        assert p["balance"] == sum(h["amount"] for h in p["history"])
        assert audit_actions(env, "points.reversed") == ["points.reversed"]
        r = a.get("/v1/lifelog/flags?status=open").json()["flags"]
        assert [f["reason"] for f in r if f["employee_no"] == "E003"] == [
            "repeated"]
        assert a.get("/v1/lifelog/flags?status=x").status_code == 400
        # a replacement of the reversed day earns nothing any more
        e.log(day(-1), "steps", 9000)
        age(env, me, 1)
        assert e.get("/v1/points").json()["balance"] == 0
        # the ledger was only ever appended to
        assert int(env.sql("SELECT COUNT(*) FROM points_ledger WHERE "
                           "user_id = %s AND type = 'reversal'"
                           % me)[0][0]) == 1


class TestPointsRules:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "E001", "employee", "社員", PW)
        env.add_user("globex", "GA01", "tenant_admin", "Globex HR", ADMIN_PW)

    def test_defaults_then_replace(self, env):
        a = Client(env, "A001", ADMIN_PW)
        r = a.get("/v1/points/rules")
        assert r.status_code == 200, r.text
        d = r.json()
        assert {"kind": "steps", "min": 8000, "max": None, "points": 10} in \
            d["rules"]
        assert d["caps"] == {"day": 30, "week": 150, "month": 500}
        bad = [
            {"rules": [{"kind": "walking", "points": 1}]},
            {"rules": [{"kind": "steps", "min": 100001, "points": 1}]},
            {"rules": [{"kind": "steps", "points": 0}]},
            {"rules": [{"kind": "no_smoking", "min": True, "points": 10}]},
            {"rules": [{"kind": "sleep", "min": 9, "max": 6, "points": 1}]},
            {"rules": [], "caps": {"day": -1}},
            {"rules": "all"},
        ]
        for body in bad:
            r = a.put("/v1/points/rules", body)
            assert r.status_code == 422, (body, r.text)
            assert r.json()["error"]["code"] == "invalid_rules"
        assert a.get("/v1/points/rules").json() == d
        new = {"rules": [{"kind": "steps", "min": 5000, "max": None,
                          "points": 3},
                         {"kind": "sleep", "min": 6.5, "max": 8.5,
                          "points": 2}],
               "caps": {"day": 4, "week": None, "month": 100}}
        r = a.put("/v1/points/rules", new)
        assert r.status_code == 200, r.text
        assert r.json() == new
        assert a.get("/v1/points/rules").json() == new
        assert audit_actions(env, "points.rules") == [
            "points.rules_replaced"]
        # other tenant untouched
        g = Client(env, "GA01", ADMIN_PW, host="globex.test")
        assert g.get("/v1/points/rules").json() == d

        # the day cap applies: 3 + 2 capped at 4
        e = Client(env, "E001", PW)
        e.log(day(-1), "steps", 6000)
        e.log(day(-1), "sleep", 7)
        age(env, uid(env, "acme", "E001"), 1)
        assert e.get("/v1/points").json()["balance"] == 4
