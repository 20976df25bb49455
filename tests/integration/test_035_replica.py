"""PostgreSQL primary + streaming replica, and a failover to the replica
(docs/postgresql-replica.md).

httpd sends every query to the primary; the replica is a hot standby. The
test starts a private primary and a standby made with `pg_basebackup -R`,
writes through the API (logins, users with names in the vault, life-log
entries, failed logins), checks that the standby streams and has replayed
all of it, then crashes the primary, promotes the standby, points
DBDParams and AilesVaultDB at it and restarts httpd gracefully: sessions,
rows, names and lockouts must all be there, and writes must work again.

pgsql only: SQLite has no replication.
"""

import time

import pytest

from ailes_env import PgStandby, error_json

ADMIN_PW = "Admin-Passw0rd-2025"
PW = "Employee-Passw0rd-1"
WRONG = "Wrong-Passw0rd-1"
KINDS = (("steps", 8000), ("sleep", 7.5))


def day(offset=0):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600
                                                 + offset * 86400))


def csrf(login):
    return {"X-CSRF-Token": login["csrf_token"]}


def rows(db, env, sql, which="ailes"):
    """Rows of sql on one cluster (primary or standby)."""
    return db.sql(env, sql, which)


# What must be identical on the primary and, after replay, on the standby.
SNAPSHOT = [
    ("ailes", "SELECT employee_no, role FROM users ORDER BY employee_no"),
    ("ailes", "SELECT u.employee_no, l.day, l.kind, l.value, l.rev FROM lifelog_entries "
              "l JOIN users u ON u.id = l.user_id ORDER BY 1, 2, 3"),
    ("ailes", "SELECT u.employee_no, a.failures, a.locked_until IS NOT NULL "
              "FROM login_attempts a JOIN users u ON u.tenant_id = "
              "a.tenant_id AND u.employee_no = a.employee_no ORDER BY 1"),
    ("ailes", "SELECT COUNT(*) FROM sessions"),
    ("ailes", "SELECT COUNT(*), MAX(id) FROM audit"),
    ("ailes_vault", "SELECT tenant_id, user_id, field, ciphertext FROM "
                    "vault_fields ORDER BY 1, 2, 3"),
]


def snapshot(db, env):
    return [rows(db, env, sql, which) for which, sql in SNAPSHOT]


def wait_replayed(primary, standby, env, timeout=30):
    """Wait until the standby has replayed everything the primary wrote so
    far; return the LSN waited for."""
    lsn = rows(primary, env, "SELECT pg_current_wal_lsn()", "ailes")[0][0]
    deadline = time.monotonic() + timeout
    while True:
        done = rows(standby, env, "SELECT pg_last_wal_replay_lsn() >= '%s'"
                    "::pg_lsn" % lsn, "ailes")[0][0]
        if done == "t":
            return lsn
        assert time.monotonic() < deadline, \
            "standby did not replay up to %s in %ds" % (lsn, timeout)
        time.sleep(0.2)


class TestReplicaFailover:
    """One scenario in order: stream, then fail over."""

    state = {}

    @staticmethod
    def env_setup(env):
        if env.backend.name != "pgsql":
            pytest.skip("streaming replication and failover are PostgreSQL "
                        "features; SQLite has no replica")
        env.own_pg_cluster()

    @pytest.fixture(scope="class", autouse=True)
    def cluster(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "L001", "employee", "施錠 一", PW)
        env.add_user("acme", "L002", "employee", "施錠 二", PW)
        standby = PgStandby(env.backend)
        env.cleanups.append(standby.close)
        self.state["primary"] = env.backend
        self.state["standby"] = standby

    def test_writes_stream_to_the_standby(self, env):
        primary, standby = self.state["primary"], self.state["standby"]
        assert rows(primary, env, "SELECT pg_is_in_recovery()") == [["f"]]
        assert rows(standby, env, "SELECT pg_is_in_recovery()") == [["t"]]

        a, al = env.login("A001", ADMIN_PW)
        for i in range(1, 11):
            r = a.post(env.url("/api/v1/users"), headers=csrf(al), timeout=30,
                       json={"employee_no": "U%03d" % i,
                             "name": "利用者 %d" % i, "role": "employee",
                             "password": PW})
            assert r.status_code == 201, r.text
        e, el = env.login("E001", PW)
        for d in range(4):
            for kind, value in KINDS:
                r = e.post(env.url("/api/v1/lifelog"), headers=csrf(el),
                           json={"date": day(-d), "kind": kind,
                                 "value": value}, timeout=10)
                assert r.status_code == 201, r.text
        # L001 locked (5 wrong), L002 three wrong: two more would lock it.
        for no, n in (("L001", 5), ("L002", 3)):
            for _ in range(n):
                _, r = env.post_session(no, WRONG)
                assert r.status_code in (401, 423), r.text
        _, r = env.post_session("L001", PW)
        assert r.status_code == 423 and error_json(r) == "locked", r.text

        # The primary sees the standby streaming, through its slot.
        assert rows(primary, env, "SELECT state, sync_state FROM "
                    "pg_stat_replication") == [["streaming", "async"]]
        assert rows(primary, env, "SELECT slot_name, active FROM "
                    "pg_replication_slots") == [["standby1", "t"]]
        wait_replayed(primary, standby, env)
        before = snapshot(primary, env)
        assert snapshot(standby, env) == before
        # The snapshot holds what was written, not empty tables (the
        # attempt while locked counted too).
        assert len(before[0]) == 14 and len(before[1]) == 8
        assert before[2] == [["L001", "6", "t"], ["L002", "3", "f"]]
        assert len(before[5]) == 14
        # A standby refuses writes: nothing can land there by mistake.
        with pytest.raises(Exception) as ex:
            rows(standby, env, "UPDATE users SET role = role")
        assert "read-only transaction" in str(ex.value.stderr)
        r = e.get(env.url("/api/v1/points"), timeout=10)
        assert r.status_code == 200, r.text
        self.state.update(admin=(a, al), employee=(e, el), before=before,
                          points=r.json()["balance"])

    def test_failover_to_the_promoted_standby(self, env):
        primary, standby = self.state["primary"], self.state["standby"]
        assert "before" in self.state, "the streaming test did not pass"
        a, al = self.state["admin"]
        e, el = self.state["employee"]
        # Everything committed is on the standby before the crash: with
        # asynchronous replication that is what an operator checks (replay
        # LSN) before promoting; see the docs for synchronous replication.
        wait_replayed(primary, standby, env)
        primary.stop(mode="immediate")
        standby.promote()
        assert rows(standby, env, "SELECT pg_is_in_recovery()") == [["f"]]
        env.dbd_params = '"%s"' % standby.conninfo("ailes")
        env.vault_db = 'pgsql "%s"' % standby.conninfo("ailes_vault")
        env.write_conf()
        # Old children drop their pooled connections to the dead primary;
        # the new ones connect to the new primary.
        env.expect_errors(r"\[(dbd|ailes):(error|crit|alert)\]")
        env.graceful()
        env.test_expected = []      # from here on: no error lines at all
        mark = env.log_size()

        r = env.wait_for_status("/api/v1/health", 200, timeout=15)
        assert getattr(r, "status_code", None) == 200, r
        assert r.json() == {"status": "ok", "db": "ok", "vault": "ok"}
        # Every committed row, name and lockout is on the new primary.
        assert snapshot(standby, env)[:3] == self.state["before"][:3]
        assert snapshot(standby, env)[5] == self.state["before"][5]

        # Sessions made before the failover still work (the graceful
        # restart wiped shmcb: they come from the new primary's table).
        r = a.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200 and r.json()["employee_no"] == "A001", \
            r.text
        r = a.get(env.url("/api/v1/users"), params={"per_page": 50},
                  timeout=10)
        assert r.status_code == 200, r.text
        names = {u["employee_no"]: u["name"] for u in r.json()["users"]}
        assert names["U007"] == "利用者 7" and names["E001"] == "山田 太郎"
        assert len(names) == 14
        r = e.get(env.url("/api/v1/lifelog"), params={"from": day(-3),
                                                      "to": day()},
                  timeout=10)
        assert r.status_code == 200, r.text
        assert len(r.json()["entries"]) == 8
        r = e.get(env.url("/api/v1/points"), timeout=10)
        assert r.status_code == 200 and \
            r.json()["balance"] == self.state["points"], r.text

        # Lockouts survived: L001 stays locked, L002's three failures count.
        _, r = env.post_session("L001", PW)
        assert r.status_code == 423 and error_json(r) == "locked", r.text
        for _ in range(2):
            env.post_session("L002", WRONG)
        _, r = env.post_session("L002", PW)
        assert r.status_code == 423 and error_json(r) == "locked", r.text

        # New writes work, in both databases, with the old sessions.
        r = a.post(env.url("/api/v1/users"), headers=csrf(al), timeout=30,
                   json={"employee_no": "U100", "name": "新規 花子",
                         "role": "employee", "password": PW})
        assert r.status_code == 201, r.text
        assert r.json()["name"] == "新規 花子"
        r = e.post(env.url("/api/v1/lifelog"), headers=csrf(el),
                   json={"date": day(-5), "kind": "steps", "value": 4321},
                   timeout=10)
        assert r.status_code == 201, r.text
        s, _ = env.login("U100", PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        assert rows(standby, env, "SELECT COUNT(*) FROM vault_fields",
                    "ailes_vault") == [["15"]]
        assert env.unexpected_errors(mark) == []
