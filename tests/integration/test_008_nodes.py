"""Two httpd nodes on one database and one redis session cache: a session
works on both, logout and lockout hold across them, and losing redis only
costs speed."""

import pytest

import ailes_env
from ailes_env import error_json

PW = "Employee-Passw0rd"
WRONG = "Wrong-Passw0rd-1"


class TestTwoNodes:

    @staticmethod
    def env_setup(env):
        env.redis = ailes_env.RedisServer()
        env.cleanups.append(env.redis.stop)
        env.extra_conf += ("AilesSessionCache redis:127.0.0.1:%d\n"
                           % env.redis.port)

    @pytest.fixture(scope="class")
    def node_b(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        env.add_user("acme", "E002", "employee", "佐藤 花子", PW)
        b = ailes_env.AilesEnv(env.backend, name="node-b",
                               extra_conf=env.extra_conf, twin_of=env)
        try:
            b.setup()
            b.start()
            yield b
        finally:
            b.cleanup()

    def test_login_on_a_use_on_b(self, env, node_b):
        s, _ = env.login("E001", PW)
        cookie = s.cookies.get("ailes")
        r = node_b.session(cookie=cookie).get(node_b.url("/api/v1/me"),
                                               timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["name"] == "山田 太郎"

    def test_logout_on_b_ends_the_session_on_a(self, env, node_b):
        s, login = env.login("E001", PW)
        cookie = s.cookies.get("ailes")
        # Both nodes have seen (and cached) the session.
        assert s.get(env.url("/api/v1/me"), timeout=10).status_code == 200
        b = node_b.session(cookie=cookie)
        assert b.get(node_b.url("/api/v1/me"), timeout=10).status_code == 200
        r = b.delete(node_b.url("/api/v1/session"), timeout=10,
                     headers={"X-CSRF-Token": login["csrf_token"]})
        assert r.status_code == 204, r.text
        r = env.session(cookie=cookie).get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401

    def test_lockout_counts_across_nodes(self, env, node_b):
        for _ in range(3):
            assert env.post_session("E002", WRONG)[1].status_code == 401
        for _ in range(2):
            assert node_b.post_session("E002", WRONG)[1].status_code == 401
        _, r = env.post_session("E002", PW)
        assert r.status_code == 423
        _, r = node_b.post_session("E002", PW)
        assert r.status_code == 423
        assert error_json(r) == "locked"

    def test_redis_down_falls_back_to_the_database(self, env, node_b):
        env.sql("DELETE FROM login_attempts")
        s, login = env.login("E001", PW)
        cookie = s.cookies.get("ailes")
        env.redis.stop()
        # mod_socache_redis reports each failed call (AH03478/AH03479).
        lost = r"\[socache_redis:(error|crit)\].*AH0347[89]: scache_rd"
        env.expect_errors(lost)
        node_b.expect_errors(lost)
        r = env.session(cookie=cookie).get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 200, r.text
        b = node_b.session(cookie=cookie)
        assert b.get(node_b.url("/api/v1/me"), timeout=10).status_code == 200
        r = b.delete(node_b.url("/api/v1/session"), timeout=10,
                     headers={"X-CSRF-Token": login["csrf_token"]})
        assert r.status_code == 204
        r = env.session(cookie=cookie).get(env.url("/api/v1/me"), timeout=10)
        assert r.status_code == 401

    def test_node_b_log_is_clean(self, env, node_b):
        node_b.test_expected = []
        node_b.expect_errors(r"\[socache_redis:(error|crit)\].*AH0347[89]: "
                             r"scache_rd")
        assert node_b.unexpected_errors(0) == []
