#!/usr/bin/python3
"""Backup and restore time for the RTO of 1 hour (issue 10), on SQLite or
PostgreSQL. Not a test: prints numbers, asserts nothing but success.

    /usr/bin/python3 tests/bench/restore.py [--backend sqlite3|pgsql]
        [--tenants 100] [--users 1000] [--audit 20] [--lifelog 30]
        [--checkups 3] [--runs 3] [--build DIR]

Generates a tenant-realistic dataset straight into migrated databases
(SQLite: executemany into the files; PostgreSQL: COPY through psql into a
private cluster started as the integration tests start theirs): per user
a users row with a bcrypt-sized hash, a sealed-size name in the vault,
`--audit` audit rows, `--checkups` yearly health checkups (16 items of
JSON), `--lifelog` life-log entries (a month of steps) and one answered
stress-check sheet (57 answers, scores) of the tenant's campaign. Values
are random bytes or plausible constants of the real sizes: only the size
matters to a copy. Then it times `ailesctl backup`, `backup --verify` and
`restore` (median of --runs runs each) and prints a markdown block for
the restore section of BENCHMARKS.md.
"""

import argparse
import base64
import csv
import io
import json
import os
import platform
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import ailes_env  # noqa: E402

KEYS = """AilesVaultKeyFile {d}/vault.key
AilesBackupKeyFile {d}/backup.key
"""
SQLITE_CONF = """DBDriver sqlite3
DBDParams {d}/ailes.db
AilesVaultDB sqlite3 {d}/vault.db
"""
PG_CONF = """DBDriver pgsql
DBDParams "{main}"
AilesVaultDB pgsql "{vault}"
"""

ITEMS = json.dumps({"height": "170.2", "weight": "65.3", "bmi": "22.5",
                    "waist": "80.1", "sbp": "120", "dbp": "78",
                    "hb": "14.2", "ast": "22", "alt": "25", "ggt": "30",
                    "tg": "110", "hdl": "55", "ldl": "120", "fbs": "92",
                    "hba1c": "5.4", "urine_sugar": "-"})


def key(path):
    with open(path, "wb") as f:
        f.write(secrets.token_bytes(32))
    os.chmod(path, 0o400)


def tables(tenants, users, audit, lifelog, checkups):
    """Yield (database, table, columns, rows) one tenant at a time; ids are
    given explicitly so that rows can refer to each other."""
    now = int(time.time())
    today = (now + 9 * 3600) // 86400
    uid = 0
    for t in range(1, tenants + 1):
        yield ("main", "tenants", ("id", "slug", "name", "created_at"),
               [(t, "t%d" % t, "Tenant %d" % t, now)])
        yield ("main", "checkup_files",
               ("id", "tenant_id", "sha256", "rows_count", "uploaded_by",
                "uploaded_at"),
               [(t * 10 + y, t, secrets.token_hex(32), users, "A001", now)
                for y in range(checkups)])
        yield ("main", "sc_campaigns",
               ("id", "tenant_id", "name", "starts_on", "ends_on", "method",
                "thr_b", "thr_ac", "thr_b_ac", "status", "purge_after",
                "created_at"),
               [(t, t, "2025年度", "2025-10-01", "2025-10-31", 1, 77, 76, 63,
                 "closed", now + 5 * 365 * 86400, now)])
        urows, vrows, arows, crows, lrows, srows = [], [], [], [], [], []
        for u in range(users):
            uid += 1
            no = "E%06d" % u
            urows.append((uid, t, no, "employee",
                          "$2b$12$" + secrets.token_urlsafe(40)[:53], now,
                          now))
            vrows.append((t, uid, "name", secrets.token_hex(8),
                          base64.b64encode(secrets.token_bytes(12)).decode(),
                          base64.b64encode(secrets.token_bytes(28)).decode(),
                          now, secrets.token_hex(32)))
            for a in range(audit):
                arows.append((t, (now - a * 3600) * 1000000, no,
                              "session.created", no, "192.0.2.10", "ok",
                              secrets.token_hex(8)))
            for y in range(checkups):
                crows.append((t, uid, "%d-05-%02d" % (2025 - y, 1 + u % 28),
                              "regular", "A", "通常勤務", ITEMS, t * 10 + y,
                              now))
            for d in range(lifelog):
                lrows.append((t, uid, today - d, "steps", 4000 + d * 37,
                              None, "manual", 1, now, now))
            srows.append((t, t, uid, "M", "".join(
                str(1 + (u + i) % 4) for i in range(57)), now, 70, 60, 20,
                0, json.dumps([3, 2, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2,
                               3, 2, 3, 2]), now))
        yield ("main", "users", ("id", "tenant_id", "employee_no", "role",
                                 "password_hash", "created_at",
                                 "updated_at"), urows)
        yield ("vault", "vault_fields",
               ("tenant_id", "user_id", "field", "key_id", "nonce",
                "ciphertext", "updated_at", "bidx"), vrows)
        yield ("main", "audit", ("tenant_id", "at_us", "actor", "action",
                                 "target", "client_ip", "outcome",
                                 "request_id"), arows)
        yield ("main", "checkups", ("tenant_id", "user_id", "exam_date",
                                    "kind", "judgement", "work_class",
                                    "items", "file_id", "created_at"), crows)
        yield ("main", "lifelog_entries",
               ("tenant_id", "user_id", "day", "kind", "value", "value2",
                "source", "rev", "created_at", "updated_at"), lrows)
        yield ("main", "sc_responses",
               ("tenant_id", "campaign_id", "user_id", "sex", "answers",
                "submitted_at", "score_a", "score_b", "score_c",
                "high_stress", "points", "updated_at"), srows)


class SqliteTarget:
    name = "sqlite3"

    def __init__(self, d):
        self.d = d

    def conf(self):
        return SQLITE_CONF.format(d=self.d)

    def load(self, data):
        dbs = {"main": sqlite3.connect(os.path.join(self.d, "ailes.db")),
               "vault": sqlite3.connect(os.path.join(self.d, "vault.db"))}
        for db, table, cols, rows in data:
            dbs[db].executemany("INSERT INTO %s (%s) VALUES (%s)" % (
                table, ", ".join(cols), ", ".join("?" * len(cols))), rows)
            if table == "sc_responses":     # the last table of a tenant
                for c in dbs.values():
                    c.commit()
        for c in dbs.values():
            c.commit()
            c.close()

    def sql(self, statement):
        con = sqlite3.connect(os.path.join(self.d, "ailes.db"))
        con.execute(statement)
        con.commit()
        con.close()

    def size(self):
        return sum(os.path.getsize(os.path.join(self.d, n))
                   for n in ("ailes.db", "vault.db"))

    def counts(self):
        con = sqlite3.connect(os.path.join(self.d, "ailes.db"))
        try:
            return {t: con.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
                    for t in ("users", "audit", "checkups",
                              "lifelog_entries", "sc_responses")}
        finally:
            con.close()

    def close(self):
        pass


class PgTarget:
    """A private cluster (ailes_env.PgBackend, without the statement log
    the tests use: COPY and pg_restore would fill it)."""

    name = "pgsql"

    def __init__(self, d):
        self.pg = ailes_env.PgBackend()
        self.pg.stop()
        self.pg.start = self._start_quiet
        self.pg.start()
        for db in self.pg.DATABASES:
            self.pg.psql('CREATE DATABASE "%s"' % db)

    def _start_quiet(self):
        pg = self.pg
        pg._as_postgres([
            os.path.join(ailes_env.PG_BIN, "pg_ctl"), "-D", pg.data, "-w",
            "-l", os.path.join(pg.dir, "server.log"),
            "-o", "-p %d -k %s -c listen_addresses=127.0.0.1"
                  % (pg.port, pg.sock), "start"])
        pg.running = True

    def conf(self):
        return PG_CONF.format(main=self.pg.conninfo("ailes"),
                              vault=self.pg.conninfo("ailes_vault"))

    def load(self, data):
        procs = {}
        for db, table, cols, rows in data:
            buf = io.StringIO()
            w = csv.writer(buf)
            for row in rows:
                w.writerow(["\\N" if v is None else v for v in row])
            r = subprocess.run(
                [os.path.join(ailes_env.PG_BIN, "psql"), "-X", "-q",
                 "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                 "-p", str(self.pg.port), "-U", "postgres",
                 "-d", "ailes" if db == "main" else "ailes_vault",
                 "-c", "COPY %s (%s) FROM STDIN WITH (FORMAT csv, NULL "
                       "'\\N')" % (table, ", ".join(cols))],
                input=buf.getvalue(), env=self.pg._client_env(),
                capture_output=True, text=True)
            if r.returncode:
                raise SystemExit("COPY %s failed: %s" % (table, r.stderr))
        self.pg.psql("VACUUM ANALYZE", dbname="ailes")

    def sql(self, statement):
        self.pg.sql(None, statement)

    def size(self):
        return sum(int(self.pg.sql(None, "SELECT pg_database_size('%s')"
                                   % db)[0][0])
                   for db in self.pg.DATABASES)

    def counts(self):
        return {t: int(self.pg.sql(None, "SELECT COUNT(*) FROM %s" % t)[0][0])
                for t in ("users", "audit", "checkups", "lifelog_entries",
                          "sc_responses")}

    def close(self):
        self.pg.close()


def timed(argv):
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(argv[3:]), r.stderr))
    return dt, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=("sqlite3", "pgsql"),
                    default="sqlite3")
    ap.add_argument("--tenants", type=int, default=100)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--audit", type=int, default=20)
    ap.add_argument("--lifelog", type=int, default=30)
    ap.add_argument("--checkups", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build", default=os.environ.get("AILES_BUILD_DIR",
                                                      REPO))
    a = ap.parse_args()
    if a.backend == "pgsql" and os.geteuid() != 0:
        raise SystemExit("--backend pgsql needs root (the cluster runs as "
                         "the postgres user, through runuser)")
    cli = os.path.join(os.path.abspath(a.build), "mod_ailes", "cli",
                       "ailesctl")
    d = tempfile.mkdtemp(prefix="ailes-bench-restore-")
    target = None
    try:
        target = (PgTarget if a.backend == "pgsql" else SqliteTarget)(d)
        key(os.path.join(d, "vault.key"))
        key(os.path.join(d, "backup.key"))
        conf = os.path.join(d, "ailes.conf")
        with open(conf, "w") as f:
            f.write(target.conf() + KEYS.format(d=d))
        subprocess.run([cli, "-f", conf, "migrate"], check=True,
                       capture_output=True)
        t0 = time.monotonic()
        target.load(tables(a.tenants, a.users, a.audit, a.lifelog,
                           a.checkups))
        gen = time.monotonic() - t0
        size, counts = target.size(), target.counts()
        bdir = os.path.join(d, "backups")
        backup, verify, restore = [], [], []
        for _ in range(a.runs):
            dt, _out = timed([cli, "-f", conf, "backup", "--dir", bdir])
            backup.append(dt)
            f = sorted(os.listdir(bdir))[-1]
            path = os.path.join(bdir, f)
            verify.append(timed([cli, "-f", conf, "backup", "--verify",
                                 path])[0])
            # Lose a tenant's checkups: the restore must bring them back
            # (the row counts are compared at the end).
            target.sql("DELETE FROM checkups WHERE tenant_id = 1")
            restore.append(timed([cli, "-f", conf, "restore", path])[0])
            time.sleep(1.0)         # one backup name per second
        # Backup and restore audit themselves: a few audit rows more.
        after = target.counts()
        if any(after[t] != counts[t] for t in counts if t != "audit") \
                or not 0 <= after["audit"] - counts["audit"] <= 2 * a.runs:
            raise SystemExit("restore changed the row counts: %s -> %s"
                             % (counts, after))
        med = {n: statistics.median(xs) for n, xs in
               (("backup", backup), ("verify", verify),
                ("restore", restore))}
        cmd = ("/usr/bin/python3 tests/bench/restore.py --backend %s "
               "--tenants %d --users %d --audit %d --lifelog %d "
               "--checkups %d --runs %d" % (a.backend, a.tenants, a.users,
                                            a.audit, a.lifelog, a.checkups,
                                            a.runs))
        print("dataset loaded in %.0f s" % gen)
        print()
        print("### %s\n" % ("SQLite" if a.backend == "sqlite3"
                             else "PostgreSQL 15"))
        print("`%s` on %s (%d cores), %s:\n" % (
            cmd, platform.node(), os.cpu_count(),
            time.strftime("%Y-%m-%d")))
        print("%d tenants x %d users: %s rows in total (users %d, audit "
              "%d, checkups %d, life log %d, stress-check sheets %d, names "
              "in the vault %d). Databases %.0f MiB, backup file %.0f MiB.\n"
              % (a.tenants, a.users,
                 format(sum(counts.values()) + counts["users"], ","),
                 counts["users"], counts["audit"], counts["checkups"],
                 counts["lifelog_entries"], counts["sc_responses"],
                 counts["users"], size / 2**20,
                 os.path.getsize(path) / 2**20))
        print("| step | median | runs |")
        print("|---|---|---|")
        for name, xs in (("backup", backup), ("backup --verify", verify),
                         ("restore", restore)):
            print("| `ailesctl %s` | %.2f s | %s |" % (
                name, statistics.median(xs),
                ", ".join("%.2f" % x for x in xs)))
        print("\nRestore against the RTO of 1 hour: %.1f s, %.2f%% of it "
              "(decryption and checks included)." % (
                  med["restore"], 100 * med["restore"] / 3600))
    finally:
        if target:
            target.close()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
