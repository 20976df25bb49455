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
