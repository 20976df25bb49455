"""Restarts keep what the database holds: sessions survive a graceful
restart (which wipes shmcb) and a full restart; a lockout survives a
restart."""

import os
import signal
import time

import pytest

from ailes_env import error_json

PW = "Employee-Passw0rd"
WRONG = "Wrong-Passw0rd-1"


def graceful(env):
    """apachectl graceful: SIGUSR1 to the parent; wait for new children."""
    with open(env.path("run", "httpd.pid")) as f:
        pid = int(f.read())
    before = env.log_size()
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with open(env.error_log, errors="replace") as f:
            f.seek(before)
            if "resuming normal operations" in f.read():
                break
        time.sleep(0.1)
    else:
        pytest.fail("httpd did not finish a graceful restart in 15 s")
    time.sleep(0.5)


class TestRestarts:

    @pytest.fixture(scope="class", autouse=True)
    def users(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)

    def test_graceful_keeps_sessions(self, env):
        s, _ = env.login("E001", PW)
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        graceful(env)
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
