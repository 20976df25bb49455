#!/usr/bin/python3
"""Backup and restore time on SQLite for the RTO of 1 hour (issue 10).
Not a test: prints numbers, asserts nothing but success.

    /usr/bin/python3 tests/bench/restore.py [--tenants 20] [--users 1000]
        [--audit 200] [--build DIR]

Generates a tenant-realistic dataset straight into migrated SQLite files
(tenants, users with bcrypt-sized hashes, audit rows per user, one sealed-
size name per user in the vault: random bytes of the real sizes, since only
the size matters to a copy), then times `ailesctl backup`,
`backup --verify` and `restore` (median of 3 runs each).
"""

import argparse
import base64
import os
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

CONF = """DBDriver sqlite3
DBDParams {d}/ailes.db
AilesVaultDB sqlite3 {d}/vault.db
AilesVaultKeyFile {d}/vault.key
AilesBackupKeyFile {d}/backup.key
"""


def key(path):
    with open(path, "wb") as f:
        f.write(secrets.token_bytes(32))
    os.chmod(path, 0o400)


def generate(d, tenants, users, audit):
    main = sqlite3.connect(os.path.join(d, "ailes.db"))
    vault = sqlite3.connect(os.path.join(d, "vault.db"))
    now = int(time.time())
    uid = 0
    for t in range(1, tenants + 1):
        main.execute("INSERT INTO tenants (id, slug, name, created_at) "
                     "VALUES (?, ?, ?, ?)", (t, "t%d" % t, "Tenant %d" % t,
                                             now))
        rows, arows, vrows = [], [], []
        for u in range(users):
            uid += 1
            rows.append((uid, t, "E%06d" % u, "employee",
                         "$2b$12$" + secrets.token_urlsafe(40)[:53], now,
                         now))
            vrows.append((t, uid, "name", secrets.token_hex(8),
                          base64.b64encode(secrets.token_bytes(12)).decode(),
                          base64.b64encode(secrets.token_bytes(28)).decode(),
                          now, secrets.token_hex(32)))
            for a in range(audit):
                arows.append((t, (now - a * 3600) * 1000000, "E%06d" % u,
                              "session.created", "E%06d" % u, "192.0.2.10",
                              "ok", secrets.token_hex(8)))
        main.executemany("INSERT INTO users (id, tenant_id, employee_no, "
                         "role, password_hash, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        main.executemany("INSERT INTO audit (tenant_id, at_us, actor, "
                         "action, target, client_ip, outcome, request_id) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arows)
        vault.executemany("INSERT INTO vault_fields (tenant_id, user_id, "
                          "field, key_id, nonce, ciphertext, updated_at, "
                          "bidx) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", vrows)
        main.commit()
        vault.commit()
    main.close()
    vault.close()


def timed(argv):
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(argv[3:]), r.stderr))
    return dt, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tenants", type=int, default=20)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--audit", type=int, default=200)
    ap.add_argument("--build", default=os.environ.get("AILES_BUILD_DIR",
                                                      REPO))
    a = ap.parse_args()
    cli = os.path.join(a.build, "mod_ailes", "cli", "ailesctl")
    d = tempfile.mkdtemp(prefix="ailes-bench-restore-")
    try:
        key(os.path.join(d, "vault.key"))
        key(os.path.join(d, "backup.key"))
        conf = os.path.join(d, "ailes.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(d=d))
        subprocess.run([cli, "-f", conf, "migrate"], check=True,
                       capture_output=True)
        generate(d, a.tenants, a.users, a.audit)
        size = sum(os.path.getsize(os.path.join(d, n))
                   for n in ("ailes.db", "vault.db"))
        bdir = os.path.join(d, "backups")
        backup, verify, restore = [], [], []
        for _ in range(3):
            dt, _out = timed([cli, "-f", conf, "backup", "--dir", bdir])
            backup.append(dt)
            f = sorted(os.listdir(bdir))[-1]
            path = os.path.join(bdir, f)
            verify.append(timed([cli, "-f", conf, "backup", "--verify",
                                 path])[0])
            restore.append(timed([cli, "-f", conf, "restore", path])[0])
            time.sleep(1.0)         # one backup name per second
        print("dataset: %d tenants x %d users, %d audit rows per user; "
              "databases %.1f MiB, backup file %.1f MiB"
              % (a.tenants, a.users, a.audit, size / 2**20,
                 os.path.getsize(path) / 2**20))
        for name, xs in (("backup", backup), ("verify", verify),
                         ("restore", restore)):
            print("%-8s median %.2f s (runs: %s)"
                  % (name, statistics.median(xs),
                     ", ".join("%.2f" % x for x in xs)))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
