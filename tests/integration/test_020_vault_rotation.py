"""Vault key rotation under a live server: a new key seals, the old one
still opens until `ailesctl vault rotate-key` has re-sealed every name and
TOTP secret; afterwards the old key can go."""

import os
import secrets

import pytest

from ailes_env import totp_code

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"


def key_ids(env):
    return {k for (k,) in env.sql("SELECT DISTINCT key_id FROM "
                                  "vault_fields", db="vault")}


def write_key(path, data):
    if os.path.exists(path):
        os.chmod(path, 0o600)
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class TestRotation:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        for i in range(5):
            env.add_user("acme", "E%03d" % i, "employee", "社員 %d" % i, PW)
        env.login("A001", ADMIN_PW)                 # TOTP secret sealed

    def test_rotate_live(self, env):
        old_ids = key_ids(env)
        assert len(old_ids) == 1
        with open(env.key_file, "rb") as f:
            old = f.read()
        write_key(env.path("vault-old.key"), old)
        write_key(env.key_file, secrets.token_bytes(32))
        env.restart(extra_conf='AilesVaultOldKeyFile "@DIR@/vault-old.key"\n')
        # Before the rotation: old rows open through the ring, new writes
        # use the new key.
        a, al = env.login("A001", ADMIN_PW)
        assert a.get(env.url("/api/v1/me"), timeout=10).json()["name"] == \
            "人事 一郎"
        r = a.patch(env.url("/api/v1/users/E004"), timeout=10,
                    headers={"X-CSRF-Token": al["csrf_token"]},
                    json={"name": "社員 四"})
        assert r.status_code == 200
        assert len(key_ids(env)) == 2
        r = env.ctl("vault", "rotate-key", "--batch", "2")
        assert r.returncode == 0, r.stderr
        assert "re-sealed" in r.stdout and "every value is sealed" in r.stdout
        new_ids = key_ids(env)
        assert len(new_ids) == 1 and not (new_ids & old_ids)
        prefix = env.sql("SELECT substr(totp_secret, 1, 16) FROM users WHERE "
                         "employee_no = 'A001'")
        assert prefix == [[next(iter(new_ids))]]
        # Without the old key, everything still opens.
        env.restart(extra_conf="")
        s, _ = env.login("E002", PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).json()["name"] == \
            "社員 2"
        a, _ = env.login("A001", ADMIN_PW)          # TOTP with re-sealed key
        users = a.get(env.url("/api/v1/users?per_page=10"),
                      timeout=10).json()["users"]
        assert {u["employee_no"]: u["name"] for u in users}["E004"] == \
            "社員 四"
        # A second run has nothing to do.
        r = env.ctl("vault", "rotate-key")
        assert r.returncode == 0 and "re-sealed" not in r.stdout

    def test_rotation_needs_the_old_key(self, env):
        write_key(env.key_file, secrets.token_bytes(32))
        r = env.ctl("vault", "rotate-key")
        assert r.returncode != 0
        assert "not configured" in r.stderr

    def test_bad_input(self, env):
        r = env.ctl("vault", "rotate-key", "--batch", "0")
        assert r.returncode != 0
