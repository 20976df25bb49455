"""Restarts keep what the database holds: sessions survive a graceful
restart (which wipes shmcb) and a full restart; a lockout survives a
restart."""

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
WRONG = "Wrong-Passw0rd-1"


class TestRestarts:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)

    def test_graceful_keeps_sessions(self, env):
        s, _ = env.login("E001", PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        env.graceful()
        r = s.get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text

    def test_full_restart_keeps_sessions_and_locks(self, env):
        s, _ = env.login("E001", PW)
        for _ in range(5):
            env.post_session("E002", WRONG)
        env.restart()
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        _, r = env.post_session("E002", PW)
        assert r.status_code == 423 and error_json(r) == "locked"
