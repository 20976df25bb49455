"""Health checkup results: CSV upload keyed by employee number (UTF-8 and
CP932 from Excel), all or nothing with a row-and-column report, the same
file twice is a no-op; reads by the person, by health staff in scope, and
the employer's restricted view; the 労基署 report counts."""

import datetime
import glob
import json
import os
import secrets
import threading
import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
STAFF_PW = "Staff-Passw0rd-2025"
ADMIN_PW = "Admin-Passw0rd-2025"

HEADER = ("社員番号,受診日,健診種別,性別,身長cm,体重kg,収縮期血圧,拡張期血圧,"
          "LDL,HDL,尿糖,尿蛋白,総合判定,就業区分,医師の意見\n")
GOOD = HEADER + (
    "E001,2026-04-10,定期,男,170,65,128,82,140,55,−,−,B,通常,\n"
    "E002,2026-04-10,定期,女,158,50,112,70,100,70,−,+,C,制限,要再検査\n"
    "E003,2026/4/11,定期,男,175,80,142,92,119,38,±,−,D,通常,\n")


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def count(env, table="checkups"):
    return int(env.sql("SELECT COUNT(*) FROM %s" % table)[0][0])


class Client:
    def __init__(self, env, no, pw, host="acme.test"):
        self.env = env
        self.s, self.login = env.login(no, pw, host=host)

    def upload(self, data, ctype="text/csv; charset=utf-8", token=True):
        headers = {"Content-Type": ctype}
        if token:
            headers.update(csrf(self.login))
        if isinstance(data, str):
            data = data.encode("utf-8")
        return self.s.post(self.env.url("/api/v1/checkups"), data=data,
                           headers=headers, timeout=60)

    def get(self, path, **params):
        return self.s.get(self.env.url("/api/v1" + path), params=params,
                          timeout=10)


@pytest.fixture(scope="class")
def people(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
    env.add_user("acme", "H001", "health_staff", "保健 師", STAFF_PW)
    env.add_user("acme", "S001", "sc_staff", "実施 事務", STAFF_PW)
    env.add_user("acme", "X001", "examinee", "受検 者", PW)
    for no, name in (("E001", "山田 太郎"), ("E002", "佐藤 花子"),
                     ("E003", "高橋 次郎")):
        env.add_user("acme", no, "employee", name, PW)
    env.add_user("globex", "G001", "tenant_admin", "Globex Admin", ADMIN_PW)
    env.add_user("globex", "E001", "employee", "Globex Emp", PW)
    admin = Client(env, "A001", ADMIN_PW)
    for name in ("営業部", "経理部"):
        assert admin.s.post(env.url("/api/v1/labels"), json={"name": name},
                            headers=csrf(admin.login),
                            timeout=10).status_code == 201
    for no, labels in (("E001", ["営業部"]), ("E002", ["経理部"]),
                       ("E003", ["営業部"])):
        assert admin.s.patch(env.url("/api/v1/users/" + no),
                             headers=csrf(admin.login),
                             json={"labels": labels},
                             timeout=10).status_code == 200
    assert admin.s.put(env.url("/api/v1/users/H001/grants"),
                       headers=csrf(admin.login), json={"labels": ["営業部"]},
                       timeout=10).status_code == 200
    return {"admin": admin}


class TestUpload:

    def test_upload_then_same_file_is_a_no_op(self, env, people):
        admin = people["admin"]
        r = admin.upload(GOOD)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["imported"] == 3 and body["already_imported"] is False
        assert body["encoding"] == "utf-8"
        assert count(env) == 3 and count(env, "checkup_files") == 1
        assert env.sql("SELECT actor, action FROM audit WHERE action = "
                       "'checkups.imported'") == [["A001/tenant_admin",
                                                   "checkups.imported"]]
        again = admin.upload(GOOD)
        assert again.status_code == 200
        assert again.json()["already_imported"] is True
        assert again.json()["imported"] == 0
        assert again.json()["sha256"] == body["sha256"]
        assert count(env) == 3 and count(env, "checkup_files") == 1

    def test_bad_cell_in_row_500_leaves_nothing(self, env, people):
        before = count(env)
        lines = [HEADER.strip()]
        for i in range(1, 1000):
            # E001 gets many yearly rows: distinct dates.
            lines.append("E001,%04d-%02d-%02d,定期,男,170,65,120,80,100,60,"
                         "−,−,A,通常," % (2001 + i // 300, 1 + (i // 28) % 12,
                                           1 + i % 28))
        lines[500] = lines[500].replace(",120,80,", ",120,800,")
        r = people["admin"].upload("\n".join(lines) + "\n")
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert err["code"] == "import_invalid"
        assert err["details"] == [{"line": 501, "column": "拡張期血圧",
                                   "message": "must be from 30 to 200 mmHg"}]
        assert count(env) == before
        assert count(env, "checkup_files") == 1

    def test_every_problem_reported_with_line_and_column(self, env, people):
        before = count(env)
        text = ("社員番号,受診日,身長,血液型\n"
                "E001,2026-05-01,170,A\n")
        r = people["admin"].upload(text)
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 1, "column": "血液型", "message": "unknown column"}]
        text = ("社員番号,受診日,尿糖,総合判定\n"
                "E001,2026-05-01,5+,A\n"
                "NOBODY,2026-05-01,−,A\n"
                "E002,2099-01-01,−,F\n")
        r = people["admin"].upload(text)
        assert r.status_code == 422
        details = r.json()["error"]["details"]
        # One pass reports every problem: bad cells and unknown people.
        assert {(d["line"], d["column"]) for d in details} == {
            (2, "尿糖"), (3, "社員番号"), (4, "受診日"), (4, "総合判定")}
        r = people["admin"].upload("社員番号,受診日\nNOBODY,2026-05-01\n"
                                   "E001,2026-05-01\n")
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 2, "column": "社員番号",
             "message": "no employee 'NOBODY'"}]
        assert count(env) == before

    def test_duplicate_against_database_rejects_whole_file(self, env, people):
        before = count(env)
        text = ("社員番号,受診日,健診種別\n"
                "E002,2026-06-01,雇入\n"          # new
                "E001,2026-04-10,定期\n")         # already recorded
        r = people["admin"].upload(text)
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 3, "column": None,
             "message": "this employee already has a result of that date "
                        "and kind"}]
        assert count(env) == before
        assert count(env, "checkup_files") == 1

    def test_duplicate_within_the_file(self, env, people):
        before = count(env)
        text = ("社員番号,受診日,健診種別\n"
                "E003,2026-03-01,定期\n"
                "E002,2026-03-01,定期\n"
                "E003,2026/3/1,定期健康診断\n")    # line 2 again
        r = people["admin"].upload(text)
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 4, "column": None,
             "message": "the same employee, date and kind as an earlier "
                        "line"}]
        assert count(env) == before

    def test_one_encoding_per_file(self, env, people):
        before = count(env)
        text = ("社員番号,受診日,医師の意見\n".encode("utf-8")
                + "E003,2026-03-02,経過観察\n".encode("utf-8")
                + "E002,2026-03-02,要精密検査\n".encode("cp932"))
        r = people["admin"].upload(text)
        assert r.status_code == 422
        message = r.json()["error"]["details"][0]["message"]
        assert message.startswith("line 3: not UTF-8, though line 1 was"), \
            message
        assert count(env) == before

    def test_cp932_from_excel_with_fullwidth_digits(self, env, people):
        text = ("社員番号,受診日,健診種別,収縮期血圧,拡張期血圧,尿蛋白\r\n"
                "Ｅ００３,２０２６／５／２０,雇入,１１８,７６,－\r\n")
        r = people["admin"].upload(text.encode("cp932"),
                                   ctype="text/csv")
        assert r.status_code == 200, r.text
        assert r.json()["encoding"] == "cp932"
        rows = env.sql("SELECT c.exam_date, c.kind, c.items FROM checkups c "
                       "JOIN users u ON u.id = c.user_id WHERE "
                       "u.employee_no = 'E003' AND c.kind = 'hiring'")
        assert rows == [["2026-05-20", "hiring",
                         '{"diastolic_bp":76,"systolic_bp":118,'
                         '"urine_protein":"-"}']]

    def test_names_in_the_file_never_reach_the_main_database(self, env,
                                                             people):
        text = ("社員番号,氏名,フリガナ,受診日,健診種別,体重\r\n"
                "E002,佐藤 花子,サトウ ハナコ,2026/5/21,雇入,50\r\n")
        r = people["admin"].upload(text.encode("cp932"), ctype="text/csv")
        assert r.status_code == 200, r.text
        data = env.backend.db_bytes(env, "ailes")
        assert b"E002" in data
        for name in ("佐藤 花子", "佐藤", "サトウ ハナコ", "ハナコ",
                     "山田 太郎", "山田", "高橋"):
            for form in (name.encode("utf-8"), name.encode("cp932"),
                         name.encode("utf-8").hex().encode(),
                         json.dumps(name)[1:-1].encode()):
                assert form not in data, (name, form)

    def test_unreadable_bodies(self, env, people):
        admin = people["admin"]
        r = admin.upload(b"\x00\x01\x02garbage\xff\xfe")
        assert r.status_code == 422
        assert error_json(r) == "import_invalid"
        r = admin.upload(b"")
        assert r.status_code == 422
        r = admin.upload("社員番号,受診日\n")
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["message"] == \
            "the file has no rows"
        r = admin.upload('{"a":1}', ctype="application/json")
        assert r.status_code == 415

    def test_wrong_role_and_csrf(self, env, people):
        before = count(env)
        text = "社員番号,受診日\nE001,2026-07-01\n"
        for no, pw in (("E001", PW), ("S001", STAFF_PW), ("X001", PW)):
            c = Client(env, no, pw)
            r = c.upload(text)
            assert r.status_code == 403, (no, r.text)
            assert error_json(r) == "forbidden"
        r = people["admin"].upload(text, token=False)
        assert r.status_code == 403
        assert error_json(r) == "csrf"
        anon = env.session()
        r = anon.post(env.url("/api/v1/checkups"), data=text.encode(),
                      headers={"Content-Type": "text/csv"}, timeout=10)
        assert r.status_code == 401
        assert count(env) == before

    def test_other_tenant_cannot_touch_acme_people(self, env, people):
        g = Client(env, "G001", ADMIN_PW, host="globex.test")
        # globex has its own E001; E002 exists only in acme.
        r = g.upload("社員番号,受診日\nE002,2026-07-01\n")
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["message"] == \
            "no employee 'E002'"
        r = g.get("/checkups", employee_no="E002")
        assert r.status_code == 404
        r = g.get("/checkups", employee_no="E001")
        assert r.status_code == 200
        assert r.json()["checkups"] == []   # globex's E001, not acme's

    def test_health_staff_uploads_only_in_scope(self, env, people):
        h = Client(env, "H001", STAFF_PW)
        before = count(env)
        r = h.upload("社員番号,受診日\nE001,2026-08-01\nE002,2026-08-01\n")
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 3, "column": "社員番号",
             "message": "no employee 'E002' in your scope"}]
        assert count(env) == before
        r = h.upload("社員番号,受診日\nE001,2026-08-01\n")
        assert r.status_code == 200, r.text
        assert count(env) == before + 1


def spool_dir():
    for var in ("TMPDIR", "TMP", "TEMP"):
        if os.environ.get(var):
            return os.environ[var]
    return "/tmp"


def open_spools(pids):
    """/proc/PID/fd/N of every upload spool the processes hold open; the
    file has no name left (unlinked as soon as it was made)."""
    prefix = os.path.join(spool_dir(), "ailes-upload-")
    out = []
    for pid in pids:
        fds = "/proc/%d/fd" % pid
        try:
            names = os.listdir(fds)
        except OSError:
            continue
        for fd in names:
            try:
                target = os.readlink(os.path.join(fds, fd))
            except OSError:
                continue
            if target.startswith(prefix):
                assert target.endswith(" (deleted)"), target
                out.append(os.path.join(fds, fd))
    return out


def httpd_pids(env):
    parent = open(env.path("run", "httpd.pid")).read().strip()
    pids = [int(parent)]
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[1] == parent:
                    pids.append(int(pid))
        except (OSError, IndexError):
            continue
    return pids


class TestStreaming:
    """A big upload is read into a sealed temporary file as it arrives and
    checked row by row from there: the file never holds a cell in clear,
    has no name in the folder, and is closed when the request is over."""

    def test_big_file_sealed_spool_then_streamed(self, env, people):
        marker = "経過観察-" + secrets.token_hex(8)
        day = datetime.date(2001, 1, 1)
        lines = [HEADER.strip()]
        for i in range(20000):
            lines.append("E00%d,%s,定期,男,170,65,120,80,100,60,−,−,A,通常,%s"
                         % (1 + i % 3, day + datetime.timedelta(days=i // 3),
                            marker))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        half = len(data) // 2
        paused = threading.Event()
        resume = threading.Event()

        def body():
            yield data[:half]
            paused.set()
            resume.wait(30)
            yield data[half:]

        def upload(out):
            out.append(people["admin"].upload(body()))

        pids = httpd_pids(env)
        assert not open_spools(pids)
        named = set(glob.glob(os.path.join(spool_dir(), "ailes-upload-*")))
        out = []
        t = threading.Thread(target=upload, args=(out,))
        t.start()
        try:
            assert paused.wait(30)
            spools = []
            for _ in range(50):      # the first half reaches the spool
                spools = [f for f in open_spools(pids)
                          if os.path.getsize(f) > 64 * 1024]
                if spools:
                    break
                time.sleep(0.1)
            assert spools, "no open upload spool in %s" % spool_dir()
            assert set(glob.glob(os.path.join(
                spool_dir(), "ailes-upload-*"))) <= named
            for f in spools:
                with open(f, "rb") as fh:
                    sealed = fh.read()
                assert marker.encode("utf-8") not in sealed
                assert b"E001" not in sealed and b"AILESBK1" in sealed
        finally:
            resume.set()
            t.join(120)
        r = out[0]
        assert r.status_code == 200, r.text[:500]
        assert r.json()["imported"] == 20000
        assert not open_spools(pids)
        rows = env.sql("SELECT COUNT(*) FROM checkups WHERE items LIKE '%%%s%%'"
                       % marker)
        assert rows == [["20000"]]

    def test_error_on_the_last_row_keeps_nothing(self, env, people):
        before = count(env)
        day = datetime.date(2001, 1, 1)
        lines = [HEADER.strip()]
        for i in range(10000):
            lines.append("E00%d,%s,雇入,男,170,65,120,80,100,60,−,−,A,通常,"
                         % (1 + i % 3, day + datetime.timedelta(days=i // 3)))
        lines.append("E001,2001-01-01,雇入,男,170,65,120,80,100,60,−,−,A,"
                     "通常,")       # line 2 again, as the very last line
        r = people["admin"].upload("\n".join(lines) + "\n")
        assert r.status_code == 422
        assert r.json()["error"]["details"] == [
            {"line": 10002, "column": None,
             "message": "the same employee, date and kind as an earlier "
                        "line"}]
        assert count(env) == before


class TestRead:

    @pytest.fixture(scope="class", autouse=True)
    def uploaded(self, env, people):
        r = people["admin"].upload(GOOD)
        assert r.status_code == 200, r.text

    def test_employee_sees_own_history_with_flags(self, env, people):
        c = Client(env, "E001", PW)
        r = c.get("/checkups")
        assert r.status_code == 200
        body = r.json()
        assert body["employee_no"] == "E001" and body["view"] == "full"
        (one,) = body["checkups"]
        assert one["exam_date"] == "2026-04-10" and one["kind"] == "periodic"
        assert one["judgement"] == "B" and one["work_class"] == "normal"
        assert one["items"]["ldl"] == 140
        assert one["items"]["bmi"] == 22.5
        assert one["out_of_range"] == ["ldl"]
        # Own reads are not audited as reads of another person.
        assert env.sql("SELECT COUNT(*) FROM audit WHERE action = "
                       "'checkup.read'") == [["0"]]
        # Asking for oneself by number is the same.
        assert c.get("/checkups", employee_no="E001").json() == body

    @pytest.mark.parametrize("who", ["E002", "A001", "NOPE", "G001",
                                     "bad\x01no"])
    def test_employee_reading_another_gets_404(self, env, people, who):
        c = Client(env, "E001", PW)
        r = c.get("/checkups", employee_no=who)
        assert r.status_code == 404
        assert error_json(r) == "not_found"

    def test_health_staff_in_scope_only(self, env, people):
        h = Client(env, "H001", STAFF_PW)
        r = h.get("/checkups", employee_no="E003")
        assert r.status_code == 200
        (one,) = r.json()["checkups"]
        assert one["items"]["systolic_bp"] == 142
        # 80 kg at 175 cm is BMI 26.1: at or above 25.
        assert set(one["out_of_range"]) == {"bmi", "systolic_bp",
                                            "diastolic_bp", "hdl"}
        assert ["H001/health_staff", "E003"] in env.sql(
            "SELECT actor, target FROM audit WHERE action = 'checkup.read'")
        # E002 is in 経理部, not granted: like nobody.
        r = h.get("/checkups", employee_no="E002")
        assert r.status_code == 404

    def test_employer_view_has_no_values(self, env, people):
        r = people["admin"].get("/checkups", employee_no="E002")
        assert r.status_code == 200
        body = r.json()
        assert body["view"] == "employer"
        assert body["checkups"] == [{"exam_date": "2026-04-10",
                                     "kind": "periodic",
                                     "work_class": "restricted"}]
        assert ["A001/tenant_admin", "E002"] in env.sql(
            "SELECT actor, target FROM audit WHERE action = "
            "'checkup.status_read'")

    def test_examinee_cannot_read(self, env, people):
        c = Client(env, "X001", PW)
        assert c.get("/checkups").status_code == 403

    def test_status_list_for_admin(self, env, people):
        admin = people["admin"]
        r = admin.get("/checkups/status", **{"from": "2026-04-01",
                                             "to": "2026-04-30"})
        assert r.status_code == 200, r.text
        by_no = {p["employee_no"]: p for p in r.json()["people"]}
        assert by_no["E002"] == {"employee_no": "E002", "examined": True,
                                 "exam_date": "2026-04-10",
                                 "kind": "periodic",
                                 "work_class": "restricted"}
        assert by_no["A001"]["examined"] is False
        assert r.json()["total"] == len(by_no) == 7
        for bad in ({"from": "2026-04-31", "to": "2026-05-01"},
                    {"from": "2026-05-01"},
                    {"from": "2026-05-02", "to": "2026-05-01"},
                    {"from": "2026/05/01", "to": "2026-06-01"},
                    {"per_page": "0"}):
            r = admin.get("/checkups/status", **bad)
            assert r.status_code == 400, bad
            assert error_json(r) == "bad_request"
        h = Client(env, "H001", STAFF_PW)
        assert h.get("/checkups/status").status_code == 403

    def test_report_counts(self, env, people):
        admin = people["admin"]
        r = admin.get("/checkups/report", **{"from": "2026-04-01",
                                             "to": "2026-04-30"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["examinees"] == 3
        items = {i["key"]: i for i in body["items"]}
        assert items["blood_pressure"] == {
            "key": "blood_pressure", "name": "血圧", "examined": 3,
            "with_findings": 1}
        assert items["lipids"]["with_findings"] == 2     # E001 LDL, E003 HDL
        assert items["urine_protein"]["with_findings"] == 1   # E002 +
        assert items["urine_glucose"]["with_findings"] == 0   # E003 ±
        assert items["ecg"]["examined"] == 0
        assert body["with_any_finding"] == 3
        csv = admin.get("/checkups/report", format="csv",
                        **{"from": "2026-04-01", "to": "2026-04-30"})
        assert csv.status_code == 200
        assert csv.headers["Content-Type"].startswith("text/csv")
        lines = csv.content.decode("utf-8-sig").split("\r\n")
        assert lines[0] == "項目,実施者数,有所見者数"
        assert "受診者数,3," in lines
        assert "血圧,3,1" in lines
        assert "所見のあった者の人数,,3" in lines
        c = Client(env, "E001", PW)
        assert c.get("/checkups/report").status_code == 403
        assert admin.get("/checkups/report",
                         format="xml").status_code == 400
