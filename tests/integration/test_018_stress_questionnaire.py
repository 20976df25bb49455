"""Stress check: the 57-item questionnaire (MHLW wording, English
alongside) for anyone logged in, examinees included."""

import pytest

PW = "Employee-Passw0rd"


class TestQuestionnaire:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "X001", "examinee", "受検 者", PW)

    def test_questionnaire(self, env):
        s, _ = env.login("X001", PW)
        r = s.get(env.url("/api/v1/stress-check/questionnaire"), timeout=10)
        assert r.status_code == 200, r.text
        q = r.json()
        assert q["questionnaire"] == "BJSQ-57" and q["items"] == 57
        areas = {a["area"]: a for a in q["areas"]}
        assert [len(areas[k]["items"]) for k in "ABCD"] == [17, 29, 9, 2]
        nos = [i["no"] for k in "ABCD" for i in areas[k]["items"]]
        assert nos == list(range(1, 58))
        a1 = areas["A"]["items"][0]
        assert a1["code"] == "A1" and a1["ja"] == \
            "非常にたくさんの仕事をしなければならない" and a1["en"]
        assert [c["ja"] for c in areas["B"]["choices"]] == [
            "ほとんどなかった", "ときどきあった", "しばしばあった",
            "ほとんどいつもあった"]
        assert [c["code"] for c in areas["C"]["choices"]] == [1, 2, 3, 4]
        c7 = areas["C"]["items"][6]
        assert c7["code"] == "C7" and c7["ja"] == "上司"
        assert "相談" in c7["question_ja"]

    def test_needs_a_session(self, env):
        r = env.session().get(env.url("/api/v1/stress-check/questionnaire"),
                              timeout=10)
        assert r.status_code == 401


STAFF_PW = "Staff-Passw0rd-2025"
ADMIN_PW = "Admin-Passw0rd-2025"


def today_jst(days=0):
    import time
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + days * 86400))


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


class TestStressCheck:

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "S001", "sc_implementer", "実施 者", STAFF_PW)
        env.add_user("acme", "H001", "health_staff", "保健 師", STAFF_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
        env.add_user("acme", "X001", "examinee", "受検 者", PW)
        env.add_user("globex", "G001", "employee", "Globex Emp", PW)
        a, al = env.login("A001", ADMIN_PW)
        h = csrf(al)
        a.post(env.url("/api/v1/labels"), json={"name": "営業部"}, headers=h,
               timeout=10)
        for no in ("E001", "E002"):
            a.patch(env.url("/api/v1/users/" + no), headers=h, timeout=10,
                    json={"labels": ["営業部"]})
        assert a.put(env.url("/api/v1/users/S001/grants"), headers=h,
                     timeout=10, json={"labels": ["営業部"]}) \
            .status_code == 200
        s, sl = env.login("S001", STAFF_PW)
        r = s.post(env.url("/api/v1/stress-check/campaigns"), headers=csrf(sl),
                   timeout=10, json={"name": "2026年度", "method": 2,
                                     "starts_on": today_jst(-1),
                                     "ends_on": today_jst(30)})
        assert r.status_code == 201, r.text
        env.campaign = r.json()["id"]

    def put(self, env, who, answers, submit, sex="male"):
        s, login = env.login(who, PW)
        return s, login, s.put(env.url("/api/v1/stress-check/answers"),
                               headers=csrf(login), timeout=10,
                               json={"campaign": env.campaign, "sex": sex,
                                     "answers": answers, "submit": submit})

    def test_save_resume_submit_all_fours(self, env):
        partial = [4] * 30 + [None] * 27
        s, login, r = self.put(env, "E001", partial, False)
        assert r.status_code == 204, r.text
        got = s.get(env.url("/api/v1/stress-check/answers?campaign=%d"
                            % env.campaign), timeout=10).json()
        assert got["answers"] == partial and got["submitted"] is False
        r = s.put(env.url("/api/v1/stress-check/answers"), headers=csrf(login),
                  timeout=10, json={"campaign": env.campaign, "sex": "male",
                                    "answers": partial, "submit": True})
        assert r.status_code == 422 and r.json()["error"]["code"] == \
            "incomplete"
        # Consent before the result is refused.
        r = s.post(env.url("/api/v1/stress-check/consent"), headers=csrf(login),
                   timeout=10, json={"campaign": env.campaign})
        assert r.status_code == 409
        _, _, r = self.put(env, "E001", [4] * 57, True)
        assert r.status_code == 200, r.text
        res = r.json()
        # All fours, male table: A 28, B 10, C 3 -> high stress (B <= 12).
        assert (res["a"], res["b"], res["c"], res["high_stress"]) == \
            (28, 10, 3, True)
        assert len(res["scales"]) == 19 and res["consented"] is False

    def test_result_visible_to_examinee_and_staff_in_scope_only(self, env):
        _, _, r = self.put(env, "E002", [1] * 57, True, sex="female")
        assert r.status_code == 200
        assert r.json()["high_stress"] is False
        st, _ = env.login("S001", STAFF_PW)
        r = st.get(env.url("/api/v1/stress-check/results?campaign=%d"
                           % env.campaign), timeout=10)
        assert r.status_code == 200
        assert [x["employee_no"] for x in r.json()["results"]] == ["E001",
                                                                   "E002"]
        # The employer side: nothing before consent.
        for who, pw in (("A001", ADMIN_PW), ("H001", STAFF_PW)):
            s, _ = env.login(who, pw)
            r = s.get(env.url("/api/v1/stress-check/results?campaign=%d"
                              % env.campaign), timeout=10)
            assert r.status_code == 200 and r.json()["results"] == []
        s, _ = env.login("E002", PW)
        assert s.get(env.url("/api/v1/stress-check/results?campaign=%d"
                             % env.campaign), timeout=10).status_code == 403

    def test_interview_request_counts_as_consent(self, env):
        s, login = env.login("E001", PW)
        r = s.post(env.url("/api/v1/stress-check/interview"),
                   headers=csrf(login), timeout=10,
                   json={"campaign": env.campaign})
        assert r.status_code == 204, r.text
        me = s.get(env.url("/api/v1/stress-check/result?campaign=%d"
                           % env.campaign), timeout=10).json()
        assert me["interview_requested"] is True and me["consented"] is True
        a, _ = env.login("A001", ADMIN_PW)
        r = a.get(env.url("/api/v1/stress-check/results?campaign=%d"
                          % env.campaign), timeout=10)
        assert [x["employee_no"] for x in r.json()["results"]] == ["E001"]
        rows = env.sql("SELECT actor FROM audit WHERE action = "
                       "'stress.results_read'")
        assert ["A001/tenant_admin"] in rows and ["S001/sc_implementer"] in rows

    def test_bad_input_and_other_tenant(self, env):
        for body in ({"campaign": env.campaign, "answers": [5] * 57},
                     {"campaign": env.campaign, "answers": [1] * 56},
                     {"campaign": env.campaign, "answers": [1] * 57,
                      "sex": "other"},
                     {"campaign": "x", "answers": [1] * 57}):
            s, login = env.login("X001", PW)
            r = s.put(env.url("/api/v1/stress-check/answers"),
                      headers=csrf(login), json=body, timeout=10)
            assert r.status_code == 400, (body, r.text)
        g, gl = env.login("G001", PW, host="globex.test")
        r = g.get(env.url("/api/v1/stress-check/result?campaign=%d"
                          % env.campaign), timeout=10)
        assert r.status_code == 404
        e, el = env.login("E001", PW)
        r = e.post(env.url("/api/v1/stress-check/campaigns"), headers=csrf(el),
                   timeout=10, json={"name": "x", "starts_on": today_jst(),
                                     "ends_on": today_jst()})
        assert r.status_code == 403

    def test_closed_campaign_takes_no_answers(self, env):
        st, sl = env.login("S001", STAFF_PW)
        r = st.post(env.url("/api/v1/stress-check/campaigns/%d/close"
                            % env.campaign), headers=csrf(sl), timeout=10)
        assert r.status_code == 204
        _, _, r = self.put(env, "X001", [2] * 57, True)
        assert r.status_code == 409
        s, _ = env.login("X001", PW)
        assert s.get(env.url("/api/v1/stress-check/campaigns"),
                     timeout=10).json()["campaigns"] == []
