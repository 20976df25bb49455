"""GET /api/v1/health: 200 while the databases answer, 503 when not."""

import pytest

from ailes_env import error_json


class TestHealth:

    # Health answers on every vhost, the tenant-less default one included.
    @pytest.mark.parametrize("host", ["acme.test", "globex.test",
                                      "default.invalid", "nope.test"])
    def test_health_ok(self, env, host):
        r = env.session(host).get(env.url("/api/v1/health"), timeout=10)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("application/json")
        # API.md may only be extended: extra keys (db, vault) are fine.
        assert r.json()["status"] == "ok"


def _assert_unavailable(r):
    """503 with a JSON body of either documented shape."""
    assert not isinstance(r, Exception), "no HTTP answer: %s" % r
    assert r.status_code == 503, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    body = r.json()
    if "error" in body:
        assert error_json(r)
    else:
        assert body.get("status") == "unavailable", body


class TestHealthDbDown:
    """sqlite3: the main DB sits in a directory that does not exist, so
    mod_dbd can never open it.  pgsql: the cluster is stopped during the
    test and started again; mod_dbd must reconnect."""

    @staticmethod
    def env_setup(env):
        if env.backend.name == "sqlite3":
            env.dbd_params = env.path("missing", "ailes.db")
            env.run_migrate = False      # ailesctl cannot open it either
            # mod_dbd / mod_ailes report the failed open at startup and on
            # every request.
            env.expect_startup_errors(r"\[(dbd|ailes):(error|crit|alert)\]")

    def test_health_503_when_db_down(self, env):
        env.expect_errors(r"\[(dbd|ailes):(error|crit|alert)\]")
        if env.backend.name == "sqlite3":
            r = env.session().get(env.url("/api/v1/health"), timeout=10)
            _assert_unavailable(r)
            return
        pg = env.backend
        r = env.wait_for_status("/api/v1/health", 200)
        assert getattr(r, "status_code", None) == 200, r
        pg.stop()
        try:
            # A pooled connection may serve one last request: poll a little.
            r = env.wait_for_status("/api/v1/health", 503, timeout=10)
            _assert_unavailable(r)
        finally:
            pg.start()
        r = env.wait_for_status("/api/v1/health", 200, timeout=10)
        assert getattr(r, "status_code", None) == 200, \
            "no recovery after the DB came back: %s" % getattr(r, "text", r)
        assert r.json()["status"] == "ok"
