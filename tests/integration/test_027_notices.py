"""In-app notices (お知らせ): published by operators with `ailesctl notice`,
read by every logged-in user through GET /v1/notices. A notice for one
tenant is invisible to another (404 when marking it read), only notices
inside their window show, read state is per user, incident notices carry
what happened, cause, interim response and dated updates, and every bad
CLI input is refused with one line and changes nothing."""

import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"


def jst(offset_minutes=0):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(
        time.time() + 9 * 3600 + offset_minutes * 60))


def add(env, *args):
    r = env.ctl("notice", "add", *args)
    assert r.returncode == 0, r.stderr
    return int(r.stdout.split()[1])


def notices(client):
    r = client[0].get(client[2].url("/api/v1/notices"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def titles(client):
    return [n["title"] for n in notices(client)["notices"]]


def mark_read(client, nid, csrf=True):
    s, login, env = client
    h = {"X-CSRF-Token": login["csrf_token"]} if csrf else {}
    return s.post(env.url("/api/v1/notices/%s/read" % nid), headers=h,
                  timeout=10)


def count_notices(env):
    return int(env.sql("SELECT COUNT(*) FROM notices")[0][0])


@pytest.fixture(scope="class")
def users(env):
    env.add_tenant("acme", "Acme Corp")
    env.add_tenant("globex", "Globex")
    env.add_user("acme", "E001", "employee", "山田 太郎", PW)
    env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
    env.add_user("globex", "G001", "employee", "Globex Employee", PW)
    out = {}
    for no, host in (("E001", "acme.test"), ("E002", "acme.test"),
                     ("G001", "globex.test")):
        s, login = env.login(no, PW, host=host)
        out[no] = (s, login, env)
    return out


class TestNotices:

    def test_needs_a_session(self, env, users):
        r = env.session().get(env.url("/api/v1/notices"), timeout=10)
        assert r.status_code == 401

    def test_targeted_notice_invisible_to_other_tenant(self, env, users):
        nid = add(env, "--severity", "maintenance", "--tenants", "acme",
                  "--title", "acme だけの保守",
                  "--body", "2時から6時まで停止します。\n対象: 全機能")
        assert "acme だけの保守" in titles(users["E001"])
        assert "acme だけの保守" not in titles(users["G001"])
        r = mark_read(users["G001"], nid)
        assert r.status_code == 404 and error_json(r) == "not_found"
        body = [n for n in notices(users["E001"])["notices"]
                if n["id"] == nid][0]
        assert body["severity"] == "maintenance"
        assert body["body"] == "2時から6時まで停止します。\n対象: 全機能"
        assert body["read"] is False and body["until"] is None
        assert body["from"].endswith("+09:00")

    def test_notice_for_all_and_lists(self, env, users):
        add(env, "--severity", "info", "--tenants", "all", "--title",
            "全社向けのお知らせ", "--body", "新機能を追加しました。")
        both = add(env, "--severity", "info", "--tenants", "acme,globex",
                   "--title", "二社向け", "--body", "x")
        for no in ("E001", "E002", "G001"):
            assert "全社向けのお知らせ" in titles(users[no])
            assert "二社向け" in titles(users[no])
        assert mark_read(users["G001"], both).status_code == 204
        r = env.ctl("notice", "list")
        assert r.returncode == 0
        line = [l for l in r.stdout.splitlines()
                if l.startswith("%d\t" % both)][0]
        assert "\tacme,globex\t" in line and line.endswith("二社向け")

    def test_time_window(self, env, users):
        later = add(env, "--severity", "maintenance", "--tenants", "acme",
                    "--title", "来週の保守", "--body", "予告",
                    "--from", jst(60 * 24 * 7))
        ending = add(env, "--severity", "info", "--tenants", "acme",
                     "--title", "まもなく終了", "--body", "x",
                     "--until", jst(60))
        t = titles(users["E001"])
        assert "来週の保守" not in t and "まもなく終了" in t
        assert mark_read(users["E001"], later).status_code == 404
        # the window closes (as if an hour had passed)
        env.sql("UPDATE notices SET ends_at = %d WHERE id = %d"
                % (int(time.time()) - 1, ending))
        assert "まもなく終了" not in titles(users["E001"])
        assert mark_read(users["E001"], ending).status_code == 404
        # and opens
        env.sql("UPDATE notices SET starts_at = %d WHERE id = %d"
                % (int(time.time()) - 1, later))
        assert "来週の保守" in titles(users["E001"])

    def test_newest_first(self, env, users):
        a = add(env, "--severity", "info", "--tenants", "acme", "--title",
                "古い", "--body", "x", "--from", jst(-120))
        b = add(env, "--severity", "info", "--tenants", "acme", "--title",
                "新しい", "--body", "x", "--from", jst(-60))
        ids = [n["id"] for n in notices(users["E001"])["notices"]]
        assert ids.index(b) < ids.index(a)
        starts = [n["from"] for n in notices(users["E001"])["notices"]]
        assert starts == sorted(starts, reverse=True)

    def test_read_state_is_per_user(self, env, users):
        nid = add(env, "--severity", "info", "--tenants", "acme", "--title",
                  "既読テスト", "--body", "x")
        unread = notices(users["E001"])["unread"]
        assert mark_read(users["E001"], nid, csrf=False).status_code == 403
        assert mark_read(users["E001"], nid).status_code == 204
        assert mark_read(users["E001"], nid).status_code == 204  # again
        mine = {n["id"]: n["read"] for n in
                notices(users["E001"])["notices"]}
        theirs = {n["id"]: n["read"] for n in
                  notices(users["E002"])["notices"]}
        assert mine[nid] is True and theirs[nid] is False
        assert notices(users["E001"])["unread"] == unread - 1
        for bad in ("0", "x", "99999999", "-1", "1.5"):
            r = mark_read(users["E001"], bad)
            assert r.status_code == 404, bad

    def test_incident_fields_and_updates(self, env, users):
        nid = add(env, "--severity", "incident", "--tenants", "acme",
                  "--title", "ログイン障害", "--body", "ログインできない状態",
                  "--what", "10時からログインに失敗", "--cause", "調査中")
        r = env.ctl("notice", "update", str(nid), "--body", "第2報: 復旧作業中",
                    "--response", "予備系に切り替え")
        assert r.returncode == 0, r.stderr
        r = env.ctl("notice", "update", str(nid), "--body", "第3報: 復旧",
                    "--cause", "証明書の期限切れ", "--until", jst(60 * 24))
        assert r.returncode == 0, r.stderr
        n = [n for n in notices(users["E001"])["notices"]
             if n["id"] == nid][0]
        assert n["what"] == "10時からログインに失敗"
        assert n["cause"] == "証明書の期限切れ"
        assert n["response"] == "予備系に切り替え"
        assert [u["body"] for u in n["updates"]] == ["第2報: 復旧作業中",
                                                   "第3報: 復旧"]
        assert all(u["at"].endswith("+09:00") for u in n["updates"])
        assert n["until"] is not None
        assert nid not in [x["id"] for x in
                           notices(users["G001"])["notices"]]

    def test_cli_bad_input_one_line_nothing_changed(self, env, users):
        ok = ["--severity", "info", "--tenants", "acme", "--title", "t",
              "--body", "b"]

        def with_(**kw):
            a = list(ok)
            for k, v in kw.items():
                k = "--" + k
                if k in a:
                    i = a.index(k)
                    if v is None:
                        del a[i:i + 2]
                    else:
                        a[i + 1] = v
                else:
                    a += [k, v]
            return a

        bad = [
            with_(severity="urgent"),
            with_(severity=None),
            with_(tenants="nosuch"),
            with_(tenants="acme,nosuch"),
            with_(tenants="Acme"),
            with_(tenants="acme,,globex"),
            with_(tenants="all,acme"),
            with_(tenants=None),
            with_(title=""),
            with_(title="a\r\nBcc: evil@example.com"),
            with_(title="a\nb"),
            with_(title="x" * 201),
            with_(title="\x1b[31m"),
            with_(body="a\r\nb"),
            with_(body="   "),
            with_(body="x" * 10001),
            with_(body=None),
            with_(**{"from": "2026-01-01"}),
            with_(**{"from": "2026-02-30T10:00"}),
            with_(until="2026-01-01T25:00"),
            with_(until=jst(-60)),
            with_(**{"from": jst(120), "until": jst(60)}),
            with_(what="x"),                      # not an incident
            with_(severity="incident"),           # no --what
            ok + ["--bogus", "x"],
            ok + ["--title", "again"],
            ok + ["--until"],
        ]
        before = count_notices(env)
        for args in bad:
            r = env.ctl("notice", "add", *args)
            assert r.returncode != 0, args
            err = r.stderr.strip()
            assert err.startswith("ailesctl: ") and "\n" not in err, \
                (args, r.stderr)
        # update: no such notice, bad id, bad body, cause on a non-incident
        nid = add(env, *ok)
        before = count_notices(env)
        for args in (["999999", "--body", "x"], ["abc", "--body", "x"],
                     [str(nid)], [str(nid), "--body", "a\rb"],
                     [str(nid), "--body", "x", "--cause", "y"],
                     [str(nid), "--body", "x", "--until", "tomorrow"],
                     [str(nid), "--body", "x", "--severity", "info"]):
            r = env.ctl("notice", "update", *args)
            assert r.returncode != 0, args
            err = r.stderr.strip()
            assert err.startswith("ailesctl: ") and "\n" not in err, \
                (args, r.stderr)
        assert count_notices(env) == before
        assert env.sql("SELECT COUNT(*) FROM notice_updates WHERE "
                       "notice_id = %d" % nid) == [["0"]]
        # titles of 200 characters (not bytes) are fine
        add(env, *with_(title="あ" * 200))
