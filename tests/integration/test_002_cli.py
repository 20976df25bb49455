"""ailesctl: migrate, tenant add, user add, and the name vault split."""

import json

NAME = "山田 太郎"
PASSWORD = "Yamada-Passw0rd"


def one_line_error(r):
    """Non-zero exit with exactly one non-empty line on stderr."""
    assert r.returncode != 0, "expected failure, got rc 0: %s" % r.stdout
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, "stderr must be one line: %r" % r.stderr
    return lines[0]


class TestCli:

    def test_migrate_is_idempotent(self, env):
        # The env already migrated once; a second run must change nothing.
        before = {db: env.backend.dump(env, db) for db in ("ailes", "vault")}
        assert "CREATE TABLE" in before["ailes"], "no schema after migrate"
        r = env.ctl("migrate")
        assert r.returncode == 0, r.stderr
        after = {db: env.backend.dump(env, db) for db in ("ailes", "vault")}
        assert after == before

    def test_tenant_add(self, env):
        r = env.ctl("tenant", "add", "initech", "Initech KK")
        assert r.returncode == 0, r.stderr
        assert "initech" in env.backend.dump(env, "ailes")

    def test_tenant_add_duplicate_slug(self, env):
        env.add_tenant("dupco", "Dup Co")
        one_line_error(env.ctl("tenant", "add", "dupco", "Dup Co again"))

    def test_tenant_add_bad_slug(self, env):
        one_line_error(env.ctl("tenant", "add", "Bad_Slug", "Bad"))
        assert "Bad_Slug" not in env.backend.dump(env, "ailes")

    def test_user_add(self, env):
        env.add_tenant("usrco", "User Co")
        r = env.ctl("user", "add", "--tenant", "usrco", "--employee-no", "E001",
                    "--role", "employee", "--name", NAME,
                    input=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        assert "E001" in env.backend.dump(env, "ailes")
        # The password is stored only as a bcrypt hash.
        assert PASSWORD not in env.backend.dump(env, "ailes")

    def test_user_add_unknown_role(self, env):
        env.add_tenant("roleco", "Role Co")
        one_line_error(env.ctl("user", "add", "--tenant", "roleco",
                               "--employee-no", "E002", "--role", "overlord",
                               "--name", NAME, input=PASSWORD + "\n"))

    def test_user_add_unknown_tenant(self, env):
        one_line_error(env.ctl("user", "add", "--tenant", "nosuchco",
                               "--employee-no", "E003", "--role", "employee",
                               "--name", NAME, input=PASSWORD + "\n"))

    def test_name_only_in_vault_as_ciphertext(self, env):
        env.add_tenant("vaultco", "Vault Co")
        env.add_user("vaultco", "E004", "employee", NAME, PASSWORD)
        # Forms a plaintext name could take: UTF-8, JSON \u escapes, hex.
        forms = []
        for text in (NAME, "山田"):
            raw = text.encode("utf-8")
            forms += [raw, raw.hex().encode(), raw.hex().upper().encode(),
                      json.dumps(text)[1:-1].encode()]
        for db in ("ailes", "vault"):
            data = env.backend.db_bytes(env, db)
            assert data, "could not read the %s store" % db
            for form in forms:
                assert form not in data, "%r found in %s store" % (form, db)

    def test_user_add_refuses_weak_password(self, env):
        env.add_tenant("weakco", "Weak Co")
        # 11 characters: enough for an employee, too short for an admin.
        line = one_line_error(env.ctl("user", "add", "--tenant", "weakco",
                                      "--employee-no", "A001", "--role",
                                      "tenant_admin", "--name", NAME,
                                      input="Short-Pw123\n"))
        assert "at least 12 characters" in line
        assert "Short-Pw123" not in line
        line = one_line_error(env.ctl("user", "add", "--tenant", "weakco",
                                      "--employee-no", "E001", "--role",
                                      "employee", "--name", NAME,
                                      input="alllowercase\n"))
        assert "upper-case" in line and "digit" in line
        assert env.sql("SELECT COUNT(*) FROM users u JOIN tenants t "
                       "ON t.id = u.tenant_id WHERE t.slug = 'weakco'") \
            == [["0"]]

    def test_user_unlock(self, env):
        env.add_tenant("lockco", "Lock Co")
        env.add_user("lockco", "E001", "employee", NAME, PASSWORD)
        tid = env.sql("SELECT id FROM tenants WHERE slug = 'lockco'")[0][0]
        env.sql("INSERT INTO login_attempts (tenant_id, employee_no, failures,"
                " locked_until, updated_at) VALUES (%s, 'E001', 5, "
                "253402300799, 0)" % tid)
        r = env.ctl("user", "unlock", "--tenant", "lockco",
                    "--employee-no", "E001")
        assert r.returncode == 0, r.stderr
        assert env.sql("SELECT COUNT(*) FROM login_attempts WHERE "
                       "tenant_id = %s" % tid) == [["0"]]
        assert env.sql("SELECT actor, action, target FROM audit WHERE "
                       "action = 'account.unlocked' AND tenant_id = %s"
                       % tid) == [["ailesctl", "account.unlocked", "E001"]]

    def test_user_unlock_bad_input(self, env):
        one_line_error(env.ctl("user", "unlock", "--tenant", "nosuchco",
                               "--employee-no", "E001"))
        one_line_error(env.ctl("user", "unlock", "--tenant", "lockco"))
        one_line_error(env.ctl("user", "unlock", "--tenant", "lockco",
                               "--employee-no", " E001"))
