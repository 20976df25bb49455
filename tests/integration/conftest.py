"""pytest fixtures for the mod_ailes integration tests.

Run after `make`, as root (for the pgsql backend and User www-data):
    cd /work/main && /usr/bin/python3 -m pytest -q tests/integration
AILES_BUILD_DIR=DIR tests another build tree; AILES_KEEP=1 keeps each env's
dir (httpd.conf, error.log, SQLite files) for a look afterwards.

- `backend` (session): "sqlite3" or "pgsql"; every test runs on both.
- `env` (class): one private httpd + fresh databases per test class.
  A class customises it with optional attributes:
      EXTRA_CONF = "..."        # server-config lines (@DIR@, @PORT@ filled)
      VHOSTS = "..."            # replaces ailes_env.DEFAULT_VHOSTS
      @staticmethod
      def env_setup(env): ...   # runs before conf is written / migrate
- `_error_log_guard` (autouse): a test fails when the error log gained
  [error]/[crit]/[alert]/[emerg] lines it did not declare with
  env.expect_errors(regex).
"""

import time

import pytest

import ailes_env

BACKENDS = ["sqlite3", "pgsql"]


def pytest_sessionstart(session):
    # One clear message instead of an error per test class.
    problem = ailes_env.check_build()
    if problem and not session.config.option.collectonly:
        pytest.exit(problem, returncode=1)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    if request.param == "pgsql" and not ailes_env.IS_ROOT:
        pytest.skip("pgsql backend needs root (initdb/pg_ctl run as the "
                    "postgres user via runuser)")
    be = ailes_env.make_backend(request.param)
    yield be
    be.close()


@pytest.fixture(scope="class")
def env(request, backend):
    problem = ailes_env.check_build()
    if problem:
        pytest.fail(problem, pytrace=False)
    cls = request.cls
    e = ailes_env.AilesEnv(
        backend,
        name=cls.__name__ if cls else request.module.__name__,
        extra_conf=getattr(cls, "EXTRA_CONF", ""),
        vhosts=getattr(cls, "VHOSTS", None))
    try:
        hook = getattr(cls, "env_setup", None)
        if hook:
            hook(e)
        e.setup()
        e.start()
        # Startup must be clean too (unless the class allowed it).
        bad = e.unexpected_errors(e.log_mark_start)
        if bad:
            pytest.fail("httpd startup logged errors:\n" + "\n".join(bad),
                        pytrace=False)
        yield e
    finally:
        e.cleanup()


@pytest.fixture(autouse=True)
def _error_log_guard(request):
    """Record the error-log offset before the test; checked after it."""
    if "env" not in request.fixturenames:
        yield
        return
    e = request.getfixturevalue("env")
    e.test_expected = []
    request.node._ailes_log = (e, e.log_size())
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a passed test into a failed one when it left unexpected error
    lines in the log (a teardown error would show as ERROR, not FAILED)."""
    outcome = yield
    rep = outcome.get_result()
    mark = getattr(item, "_ailes_log", None)
    if call.when != "call" or mark is None or not rep.passed:
        return
    e, offset = mark
    time.sleep(0.1)         # lines written after the response was sent
    bad = e.unexpected_errors(offset)
    if bad:
        rep.outcome = "failed"
        rep.longrepr = ("unexpected lines in %s (declare them with "
                        "env.expect_errors(regex)):\n%s"
                        % (e.error_log, "\n".join(bad)))
