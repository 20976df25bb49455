"""Backups (issue 10): `ailesctl backup` makes one encrypted file of both
databases while httpd serves, `backup --verify` proves it restores,
`restore` brings both databases back; a tampered, truncated or foreign
file, or a wrong key, is refused with one line and nothing changed;
rotation keeps 7 daily and 1 monthly generation."""

import datetime
import glob
import os
import re
import secrets
import shutil
import threading

import pytest

import ailes_env

PW = "Employee-Passw0rd"
JST = datetime.timezone(datetime.timedelta(hours=9))


def write_key(path, data):
    if os.path.exists(path):
        os.chmod(path, 0o600)
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def without_audit(dump):
    """A dump without the audit rows (backup and restore add their own
    events) and the audit id sequence; everything else stays."""
    out, in_copy = [], False
    for line in dump.splitlines():
        if in_copy:
            in_copy = line != "\\."
            continue
        if line.startswith("COPY public.audit "):
            in_copy = True
            continue
        if line.startswith('INSERT INTO "audit"') \
                or "'public.audit_id_seq'" in line \
                or line.startswith("INSERT INTO \"sqlite_sequence\" "
                                   "VALUES('audit'"):
            continue
        out.append(line)
    return "\n".join(out)


def state(env):
    return (without_audit(env.backend.dump(env, "ailes")),
            env.backend.dump(env, "vault"))


def full_state(env):
    return (env.backend.dump(env, "ailes"), env.backend.dump(env, "vault"))


def backups(d):
    return sorted(glob.glob(os.path.join(d, "ailes-backup-*.aib")))


def one_line_error(r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and len(lines) == 1, (r.returncode, r.stderr)
    return lines[0]


class TestBackup:

    EXTRA_CONF = 'AilesBackupKeyFile "@DIR@/backup.key"\n'

    @staticmethod
    def env_setup(env):
        write_key(env.path("backup.key"), secrets.token_bytes(32))

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        for i in range(5):
            env.add_user("acme", "E%03d" % i, "employee", "社員 %d" % i, PW)

    def bdir(self, env):
        return env.path("backups")

    def make_backup(self, env, d=None):
        d = d or self.bdir(env)
        before = set(backups(d))
        r = env.ctl("backup", "--dir", d)
        assert r.returncode == 0, r.stderr
        new = sorted(set(backups(d)) - before)
        assert len(new) == 1, (r.stdout, new)
        assert oct(os.stat(new[0]).st_mode & 0o777) == "0o600"
        return new[0], r

    def test_backup_change_restore(self, env):
        # Backup while the server answers requests.
        stop = threading.Event()
        answers = []

        def reader():
            s = env.session()
            while not stop.is_set():
                answers.append(s.get(env.url("/api/v1/health"),
                                     timeout=10).status_code)
        t = threading.Thread(target=reader)
        t.start()
        try:
            f, r = self.make_backup(env)
        finally:
            stop.set()
            t.join()
        assert answers and set(answers) == {200}
        assert "main database: %s" % env.backend.name in r.stdout
        saved = state(env)
        with open(f, "rb") as fh:
            raw = fh.read()
        assert raw.startswith(b"AILESBK1")
        for secret in ("社員 1".encode(), b"CREATE TABLE", b"tenants"):
            assert secret not in raw
        # Change both databases.
        env.add_user("acme", "E100", "employee", "新人 花子", PW)
        env.sql("DELETE FROM vault_fields WHERE user_id = (SELECT MIN(user_id)"
                " FROM vault_fields)", db="vault")
        env.sql("UPDATE tenants SET name = 'Changed' WHERE slug = 'acme'")
        assert state(env) != saved
        r = env.ctl("restore", f)
        assert r.returncode == 0, r.stderr
        assert "restored the main database" in r.stdout
        assert "restored the vault database" in r.stdout
        assert state(env) == saved
        # The running server reads the restored data.
        s, _ = env.login("E001", PW)
        me = s.get(env.url("/api/v1/me"), timeout=10).json()
        assert me["name"] == "社員 1"
        _, r = env.post_session("E100", PW)
        assert r.status_code == 401
        actions = [a for (a,) in env.sql(
            "SELECT action FROM audit WHERE actor = 'ailesctl' AND action "
            "LIKE 'backup.%' ORDER BY id")]
        assert actions[-1] == "backup.restored"

    def test_backup_under_writes(self, env):
        """Logins write sessions and audit rows during the backup; the file
        still verifies (each database is one consistent snapshot)."""
        stop = threading.Event()
        codes = []

        def writer():
            while not stop.is_set():
                _, r = env.post_session("E002", PW)
                codes.append(r.status_code)
        t = threading.Thread(target=writer)
        t.start()
        try:
            f, _ = self.make_backup(env)
        finally:
            stop.set()
            t.join()
        assert codes and set(codes) == {200}
        r = env.ctl("backup", "--verify", f)
        assert r.returncode == 0, r.stderr

    def test_verify_good(self, env):
        f, _ = self.make_backup(env)
        r = env.ctl("backup", "--verify", f)
        assert r.returncode == 0, r.stderr
        assert "good" in r.stdout
        if env.backend.name == "sqlite3":
            assert "integrity ok" in r.stdout
            users = int(env.sql("SELECT COUNT(*) FROM users")[0][0])
            assert re.search(r"users %d\b" % users, r.stdout), r.stdout
            assert re.search(r"vault_fields [1-9]", r.stdout), r.stdout
        else:
            assert "pg_restore --list ok" in r.stdout

    @pytest.mark.parametrize("how", ["flip-middle", "flip-header", "flip-tag",
                                     "truncate", "truncate-chunk", "append",
                                     "empty", "not-a-backup"])
    def test_damaged_refused(self, env, how):
        f, _ = self.make_backup(env)
        bad = env.path("bad.aib")
        with open(f, "rb") as fh:
            data = bytearray(fh.read())
        if how == "flip-middle":
            data[len(data) // 2] ^= 0x01
        elif how == "flip-header":
            data[30] ^= 0x80              # the salt
        elif how == "flip-tag":
            data[-1] ^= 0x01
        elif how == "truncate":
            data = data[:-100]
        elif how == "truncate-chunk":
            data = data[:56]                      # the header alone
        elif how == "append":
            data += b"\0"
        elif how == "empty":
            data = b""
        else:
            data = b"SQLite format 3\0" + bytes(100)
        with open(bad, "wb") as fh:
            fh.write(data)
        r = env.ctl("backup", "--verify", bad)
        line = one_line_error(r)
        assert "is not a good backup" in line
        want = {"truncate": "truncated", "truncate-chunk": "truncated",
                "append": "after the last", "empty": "not a mod_ailes",
                "not-a-backup": "not a mod_ailes"}.get(
                    how, "does not authenticate|impossible|truncated")
        assert re.search(want, line), line
        before = full_state(env)
        r = env.ctl("restore", bad)
        line = one_line_error(r)
        assert "restore refused, nothing changed" in line
        assert full_state(env) == before

    def test_other_installation_and_wrong_key(self, env):
        key = env.path("backup.key")
        with open(key, "rb") as fh:
            ours = fh.read()
        # A backup made by another installation (another backup key) ...
        write_key(key, secrets.token_bytes(32))
        try:
            foreign, _ = self.make_backup(env, env.path("foreign"))
        finally:
            write_key(key, ours)
        before = full_state(env)
        r = env.ctl("restore", foreign)
        line = one_line_error(r)
        assert "another installation" in line
        assert full_state(env) == before
        # ... and our own backup with the wrong key configured.
        f, _ = self.make_backup(env)
        write_key(key, secrets.token_bytes(32))
        try:
            before = full_state(env)
            r = env.ctl("restore", f)
            assert "another installation or was made with another backup " \
                "key" in one_line_error(r)
            assert full_state(env) == before
            r = env.ctl("backup", "--verify", f)
            assert r.returncode != 0
        finally:
            write_key(key, ours)

    def test_key_checks(self, env):
        conf = env.path("other.conf")
        with open(env.conf) as fh:
            text = fh.read()
        # A vault key as backup key is refused.
        with open(conf, "w") as fh:
            fh.write(text.replace(env.path("backup.key"), env.key_file))
        r = env.ctl("-f", conf, "backup", "--dir", env.path("x"))
        # env.ctl passes its own -f first; ailesctl takes the last one.
        line = one_line_error(r)
        assert "key of its own" in line
        # A readable key is refused.
        os.chmod(env.path("backup.key"), 0o644)
        try:
            r = env.ctl("backup", "--dir", env.path("x"))
            assert "chmod 0400" in one_line_error(r)
        finally:
            os.chmod(env.path("backup.key"), 0o400)
        assert not backups(env.path("x"))

    def test_rotation(self, env):
        d = env.path("rot")
        os.makedirs(d)
        today = datetime.datetime.now(JST).date()
        made = []
        for back in list(range(1, 13)) + [40, 70]:
            day = today - datetime.timedelta(days=back)
            name = "ailes-backup-%s-010000.aib" % day.strftime("%Y%m%d")
            made.append((day, name))
            open(os.path.join(d, name), "wb").close()
        # A second backup on the day before: only the newer one is daily.
        extra = "ailes-backup-%s-143000.aib" % (
            today - datetime.timedelta(days=1)).strftime("%Y%m%d")
        open(os.path.join(d, extra), "wb").close()
        open(os.path.join(d, "notes.txt"), "w").close()
        f, r = self.make_backup(env, d)
        left = sorted(os.path.basename(p) for p in backups(d))
        # 7 daily: today's new one and the 6 days before it ...
        daily = {os.path.basename(f), extra} | {
            n for day, n in made if (today - day).days in range(2, 7)}
        # ... and the first backup of this month (the monthly).
        this_month = [(day, n) for day, n in made
                      if (day.year, day.month) == (today.year, today.month)]
        monthly = min(this_month)[1] if this_month else os.path.basename(f)
        assert left == sorted(daily | {monthly}), left
        assert os.path.exists(os.path.join(d, "notes.txt"))
        deleted = re.findall(r"deleted old backup (\S+)", r.stdout)
        assert len(deleted) == 15 - len(left) + 1 and deleted
        assert "ailes-backup-%s-010000.aib" % (
            today - datetime.timedelta(days=1)).strftime("%Y%m%d") in deleted

    def test_usage(self, env):
        r = env.ctl("restore")
        assert r.returncode == 2
        r = env.ctl("restore", env.path("missing.aib"))
        assert "cannot read" in one_line_error(r)

    def test_httpd_checks_the_key(self, env):
        """configtest refuses a vault key or a readable file as backup key."""
        import subprocess
        with open(env.conf) as fh:
            text = fh.read()
        conf = env.path("configtest.conf")
        with open(conf, "w") as fh:
            fh.write(text.replace(env.path("backup.key"), env.key_file))
        r = subprocess.run([ailes_env.APACHE, "-t", "-f", conf],
                           capture_output=True, text=True, timeout=30,
                           env=ailes_env.httpd_environ(env.path("sanitizer")))
        assert r.returncode != 0 and "key of its own" in r.stdout + r.stderr
        shutil.copyfile(env.path("backup.key"), env.path("open.key"))
        os.chmod(env.path("open.key"), 0o644)
        with open(conf, "w") as fh:
            fh.write(text.replace(env.path("backup.key"),
                                  env.path("open.key")))
        r = subprocess.run([ailes_env.APACHE, "-t", "-f", conf],
                           capture_output=True, text=True, timeout=30,
                           env=ailes_env.httpd_environ(env.path("sanitizer")))
        assert r.returncode != 0 and "AilesBackupKeyFile" in r.stdout + \
            r.stderr and "chmod 0400" in r.stdout + r.stderr
