"""Group analysis (仕事のストレス判定図) per label: means of the four
scales and the health risks; a group under 10 is refused unless every
member consented; staff see only their granted labels; audited."""

import math
import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
STAFF_PW = "Staff-Passw0rd-2025"
ADMIN_PW = "Admin-Passw0rd-2025"


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def today_jst(offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + offset * 86400))


def risks(quantity, control, supervisor, coworker, sex):
    """The 判定図 risks with the national means and coefficients of sex."""
    (a, alpha, b, beta, c, gamma, d, delta) = {
        "male": (8.7, 0.076, 7.9, -0.089, 7.5, -0.097, 8.1, -0.097),
        "female": (7.9, 0.048, 7.2, -0.056, 6.6, -0.097, 8.2, -0.097)}[sex]
    return (100 * math.exp((quantity - a) * alpha + (control - b) * beta),
            100 * math.exp((supervisor - c) * gamma
                           + (coworker - d) * delta))


SALES = ["E%02d" % i for i in range(1, 11)]     # 10 people, 営業部
ACCOUNTS = ["K01", "K02", "K03"]                # 3 people, 経理部


class TestGroup:

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "S001", "sc_staff", "実施 事務", STAFF_PW)
        env.add_user("acme", "H001", "health_staff", "保健 師", STAFF_PW)
        env.add_user("globex", "G001", "tenant_admin", "G Admin", ADMIN_PW)
        for no in SALES + ACCOUNTS:
            env.add_user("acme", no, "employee", "社員 " + no, PW)
        a, al = env.login("A001", ADMIN_PW)
        for name in ("営業部", "経理部"):
            assert a.post(env.url("/api/v1/labels"), json={"name": name},
                          headers=csrf(al), timeout=10).status_code == 201
        for no in SALES:
            a.patch(env.url("/api/v1/users/" + no), headers=csrf(al),
                    timeout=10, json={"labels": ["営業部"]})
        for no in ACCOUNTS:
            a.patch(env.url("/api/v1/users/" + no), headers=csrf(al),
                    timeout=10, json={"labels": ["経理部"]})
        assert a.put(env.url("/api/v1/users/S001/grants"), headers=csrf(al),
                     timeout=10, json={"labels": ["営業部"]}) \
            .status_code == 200
        s, sl = env.login("S001", STAFF_PW)
        r = s.post(env.url("/api/v1/stress-check/campaigns"),
                   headers=csrf(sl), timeout=10,
                   json={"name": "2026年度", "method": 2,
                         "starts_on": today_jst(-1), "ends_on": today_jst(30)})
        assert r.status_code == 201, r.text
        env.campaign = r.json()["id"]
        # Nine of the ten salespeople answer 2 everywhere; in accounts two
        # men answer 2, a woman 3.
        for no in SALES[:9] + ACCOUNTS[:2]:
            self.submit(env, no)
        self.submit(env, ACCOUNTS[2], "female", 3)

    @staticmethod
    def submit(env, no, sex="male", answer=2):
        s, login = env.login(no, PW)
        r = s.put(env.url("/api/v1/stress-check/answers"), headers=csrf(login),
                  timeout=10, json={"campaign": env.campaign, "sex": sex,
                                    "answers": [answer] * 57,
                                    "submit": True})
        assert r.status_code in (200, 204), r.text
        return s, login

    def group(self, env, who, pw, label, host="acme.test", campaign=None):
        s, _ = env.login(who, pw, host=host)
        return s.get(env.url("/api/v1/stress-check/group"), timeout=10,
                     params={"campaign": campaign or env.campaign,
                             "label": label})

    def test_a_group_of_9_is_refused_then_10_served(self, env):
        r = self.group(env, "S001", STAFF_PW, "営業部")
        assert r.status_code == 422
        assert error_json(r) == "group_too_small"
        self.submit(env, SALES[9])
        r = self.group(env, "S001", STAFF_PW, "営業部")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["examinees"] == 10 and body["label"] == "営業部"
        # Every 3-item scale is 15 - 6 = 9.
        assert body["means"] == {"quantity": 9.0, "control": 9.0,
                                 "supervisor": 9.0, "coworker": 9.0}
        # Men against the men's national means.
        qc, sup = risks(9, 9, 9, 9, "male")
        assert body["health_risk"] == {"quantity_control": round(qc),
                                       "support": round(sup),
                                       "total": round(qc * sup / 100)}
        assert body["by_sex"] == {"male": {
            "examinees": 10, "means": body["means"],
            "health_risk": body["health_risk"]}}
        rows = env.sql("SELECT actor, outcome FROM audit WHERE action = "
                       "'stress.group_read'")
        assert ["S001/sc_staff", "refused"] in rows
        assert ["S001/sc_staff", "ok"] in rows

    def test_small_group_needs_everyone_consenting(self, env):
        r = self.group(env, "A001", ADMIN_PW, "経理部")
        assert r.status_code == 422
        for no in ACCOUNTS[:2]:
            s, login = env.login(no, PW)
            assert s.post(env.url("/api/v1/stress-check/consent"),
                          headers=csrf(login), timeout=10,
                          json={"campaign": env.campaign}).status_code in (
                              200, 204)
        assert self.group(env, "A001", ADMIN_PW, "経理部").status_code == 422
        s, login = env.login(ACCOUNTS[2], PW)
        s.post(env.url("/api/v1/stress-check/interview"), headers=csrf(login),
               timeout=10, json={"campaign": env.campaign})
        r = self.group(env, "A001", ADMIN_PW, "経理部")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["examinees"] == 3
        # Everyone consented: each sex is shown, the woman against the
        # women's national means; the group's risks weight both by
        # headcount.
        m_qc, m_sup = risks(9, 9, 9, 9, "male")
        f_qc, f_sup = risks(6, 6, 6, 6, "female")
        assert body["means"]["quantity"] == 8.0
        assert body["by_sex"]["male"]["examinees"] == 2
        assert body["by_sex"]["female"] == {
            "examinees": 1,
            "means": {"quantity": 6.0, "control": 6.0, "supervisor": 6.0,
                      "coworker": 6.0},
            "health_risk": {"quantity_control": round(f_qc),
                            "support": round(f_sup),
                            "total": round(f_qc * f_sup / 100)}}
        assert body["health_risk"] == {
            "quantity_control": round((2 * m_qc + f_qc) / 3),
            "support": round((2 * m_sup + f_sup) / 3),
            "total": round((2 * m_qc * m_sup + f_qc * f_sup) / 300)}

    def test_a_small_subgroup_is_not_shown_apart(self, env):
        # A woman joins the ten salesmen without consenting: the group is
        # served, but not by sex (her answers would follow from the two).
        env.add_user("acme", "E11", "employee", "社員 E11", PW)
        a, al = env.login("A001", ADMIN_PW)
        assert a.patch(env.url("/api/v1/users/E11"), headers=csrf(al),
                       timeout=10, json={"labels": ["営業部"]}) \
            .status_code == 200
        self.submit(env, "E11", "female", 3)
        r = self.group(env, "S001", STAFF_PW, "営業部")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["examinees"] == 11
        assert body["by_sex"] is None

    def test_staff_see_only_granted_labels(self, env):
        r = self.group(env, "S001", STAFF_PW, "経理部")
        assert r.status_code == 404
        r = self.group(env, "H001", STAFF_PW, "営業部")
        assert r.status_code == 404
        r = self.group(env, "S001", STAFF_PW, "存在しない")
        assert r.status_code == 404

    def test_wrong_role_tenant_and_input(self, env):
        s, _ = env.login("E01", PW)
        r = s.get(env.url("/api/v1/stress-check/group"), timeout=10,
                  params={"campaign": env.campaign, "label": "営業部"})
        assert r.status_code == 403
        r = self.group(env, "G001", ADMIN_PW, "営業部", host="globex.test")
        assert r.status_code == 404
        s, _ = env.login("A001", ADMIN_PW)
        for params in ({"campaign": env.campaign},
                       {"campaign": env.campaign, "label": "a\x01"},
                       {"campaign": "x", "label": "営業部"},
                       {"label": "営業部"}):
            r = s.get(env.url("/api/v1/stress-check/group"), params=params,
                      timeout=10)
            assert r.status_code in (400, 404), (params, r.status_code)
            assert error_json(r)


class TestTargetLabels:

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "S001", "sc_staff", "実施 事務", STAFF_PW)
        env.add_user("acme", "E01", "employee", "営業 一郎", PW)
        env.add_user("acme", "K01", "employee", "経理 一郎", PW)
        a, al = env.login("A001", ADMIN_PW)
        for name in ("営業部", "経理部"):
            a.post(env.url("/api/v1/labels"), json={"name": name},
                   headers=csrf(al), timeout=10)
        a.patch(env.url("/api/v1/users/E01"), headers=csrf(al), timeout=10,
                json={"labels": ["営業部"]})
        a.patch(env.url("/api/v1/users/K01"), headers=csrf(al), timeout=10,
                json={"labels": ["経理部"]})

    def create(self, env, **extra):
        s, sl = env.login("S001", STAFF_PW)
        body = {"name": "営業部のみ", "starts_on": today_jst(-1),
                "ends_on": today_jst(30)}
        body.update(extra)
        return s.post(env.url("/api/v1/stress-check/campaigns"),
                      headers=csrf(sl), timeout=10, json=body)

    def test_bad_labels_change_nothing(self, env):
        r = self.create(env, labels=["営業部", "存在しない"])
        assert r.status_code == 422 and error_json(r) == "unknown_label"
        for bad in ("営業部", [1], ["a\x01"]):
            r = self.create(env, labels=bad)
            assert r.status_code == 400, bad
        assert env.sql("SELECT COUNT(*) FROM sc_campaigns") == [["0"]]

    def test_only_targets_take_it(self, env):
        r = self.create(env, labels=["営業部"])
        assert r.status_code == 201, r.text
        assert r.json()["labels"] == ["営業部"]
        cid = r.json()["id"]
        e, el = env.login("E01", PW)
        listed = e.get(env.url("/api/v1/stress-check/campaigns"),
                       timeout=10).json()["campaigns"]
        assert [c["id"] for c in listed] == [cid]
        r = e.put(env.url("/api/v1/stress-check/answers"), headers=csrf(el),
                  timeout=10, json={"campaign": cid, "sex": "female",
                                    "answers": [3] * 57, "submit": True})
        assert r.status_code in (200, 204), r.text
        k, kl = env.login("K01", PW)
        assert k.get(env.url("/api/v1/stress-check/campaigns"),
                     timeout=10).json()["campaigns"] == []
        r = k.get(env.url("/api/v1/stress-check/answers"),
                  params={"campaign": cid}, timeout=10)
        assert r.status_code == 404
        r = k.put(env.url("/api/v1/stress-check/answers"), headers=csrf(kl),
                  timeout=10, json={"campaign": cid, "sex": "male",
                                    "answers": [3] * 57, "submit": True})
        assert r.status_code == 404
        assert env.sql("SELECT COUNT(*) FROM sc_responses") == [["1"]]
        # Closed: the one who answered still finds it for the result.
        s, sl = env.login("S001", STAFF_PW)
        assert s.post(env.url("/api/v1/stress-check/campaigns/%d/close"
                              % cid), headers=csrf(sl),
                      timeout=10).status_code in (200, 204)
        listed = e.get(env.url("/api/v1/stress-check/campaigns"),
                       timeout=10).json()["campaigns"]
        assert [c["id"] for c in listed] == [cid]
        assert e.get(env.url("/api/v1/stress-check/result"),
                     params={"campaign": cid}, timeout=10).status_code == 200

    def test_campaign_list_queries_do_not_grow(self, env):
        """Six campaigns (with and without target labels): the employee's
        list takes the same four statements as it would for one."""
        for i in range(5):
            extra = {"labels": ["経理部"]} if i % 2 else {}
            r = self.create(env, name="追加 %d" % i, **extra)
            assert r.status_code == 201, r.text
        e, _ = env.login("E01", PW)
        mark = env.backend.log_size() if env.backend.name == "pgsql" else 0
        listed = e.get(env.url("/api/v1/stress-check/campaigns"),
                       timeout=10).json()["campaigns"]
        # the closed one E01 answered, and the three open without labels
        assert sorted(c["name"] for c in listed) == sorted([
            "追加 0", "追加 2", "追加 4", "営業部のみ"])
        if env.backend.name == "pgsql":
            time.sleep(0.3)
            lines = [l for l in env.backend.statements_since(mark)
                     if "execute ailes_sc_" in l]
            assert len(lines) == 4, lines
