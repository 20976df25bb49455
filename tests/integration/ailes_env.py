"""Integration test harness for mod_ailes.

Starts what the tests need and nothing else: a private PostgreSQL cluster
(once per session, for the pgsql backend) and a private Debian httpd with
mod_ailes loaded from the build tree (once per test class).  Everything lives
in temp dirs; nothing under /etc/apache2 is read except the module binaries.

It never touches the system's services, ports or pid files: every server
gets a free loopback port and its own runtime dir.
"""

import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests
import requests.adapters

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.abspath(os.environ.get("AILES_BUILD_DIR", REPO))
MODULE = os.path.join(BUILD, "mod_ailes", ".libs", "mod_ailes.so")
CLI = os.path.join(BUILD, "mod_ailes", "cli", "ailesctl")

APACHE = "/usr/sbin/apache2"
# For a module built with --enable-sanitizers: the ASan runtime to preload
# into httpd (scripts/test.sh sets it). Reports land in DIR/sanitizer.PID
# and fail the test that was running.
SANITIZER_PRELOAD = os.environ.get("AILES_HTTPD_PRELOAD", "")
APACHE_MODULES = "/usr/lib/apache2/modules"
PG_BIN = "/usr/lib/postgresql/15/bin"

IS_ROOT = os.geteuid() == 0
RUN_USER = "www-data"           # httpd children run as this when we are root

# Severities that fail a test, as httpd writes them: "[error]", "[dbd:error]".
# A child killed by a signal is logged at notice level: flag it too.
ERROR_LINE = re.compile(r"\[(?:[\w.-]*:)?(?:error|crit|alert|emerg)\]"
                        r"|exit signal")


class SourceAdapter(requests.adapters.HTTPAdapter):
    """Connections from a chosen local address (any of 127.0.0.0/8 works
    on Linux without set-up)."""

    def __init__(self, source, **kw):
        self.source = source
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kw)


def httpd_environ(report_prefix):
    """Environment for running /usr/sbin/apache2: with SANITIZER_PRELOAD,
    the ASan runtime comes first and reports go to report_prefix.PID."""
    penv = dict(os.environ)
    if SANITIZER_PRELOAD:
        penv["LD_PRELOAD"] = SANITIZER_PRELOAD
        # httpd frees by destroying pools at exit: leak checks are noise.
        penv["ASAN_OPTIONS"] = "detect_leaks=0:log_path=" + report_prefix
        penv["UBSAN_OPTIONS"] = "print_stacktrace=1:log_path=" + report_prefix
    return penv


def totp_code(secret_b32, offset_steps=0):
    """The TOTP code of now (+ offset_steps x 30 s), computed independently
    of the module by oathtool (Debian package oathtool)."""
    when = "now %+d seconds" % (30 * offset_steps)
    r = subprocess.run(["oathtool", "--totp", "-b", "-N", when, secret_b32],
                       capture_output=True, text=True, check=True,
                       timeout=10)
    return r.stdout.strip()


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def check_build():
    """Return an error message when the build artefacts are missing."""
    missing = [p for p in (MODULE, CLI) if not os.path.exists(p)]
    if missing:
        return ("mod_ailes build artefacts missing (%s): run make first "
                "(or set AILES_BUILD_DIR)" % ", ".join(missing))
    return None


def chown_run_user(path):
    if IS_ROOT:
        pw = pwd.getpwnam(RUN_USER)
        os.chown(path, pw.pw_uid, pw.pw_gid)


# ---------------------------------------------------------------- backends

class SqliteBackend:
    """SQLite: nothing to start; each env has its own files in its dir."""

    name = "sqlite3"

    def prepare(self, env):
        """Settings for one env: DBD driver/params and the vault line."""
        env.dbd_driver = "sqlite3"
        env.dbd_params = os.path.join(env.dir, "ailes.db")
        env.vault_db = "sqlite3 %s" % os.path.join(env.dir, "vault.db")

    def db_bytes(self, env, which):
        """Raw bytes of the main ('ailes') or 'vault' store, WAL included."""
        base = env.dbd_params if which == "ailes" else \
            os.path.join(env.dir, "vault.db")
        data = b""
        for path in (base, base + "-wal", base + "-journal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data += f.read()
        return data

    def dump(self, env, which):
        """Logical dump (schema + rows) used to compare states."""
        import sqlite3
        path = env.dbd_params if which == "ailes" else \
            os.path.join(env.dir, "vault.db")
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            return "\n".join(con.iterdump())
        finally:
            con.close()

    def sql(self, env, statement, db="ailes"):
        """Run one statement on the main (or vault) database; rows as lists
        of str."""
        import sqlite3
        path = env.dbd_params.strip('"') if db == "ailes" else \
            os.path.join(os.path.dirname(env.dbd_params.strip('"')),
                         "vault.db")
        con = sqlite3.connect(path, timeout=10)
        try:
            rows = con.execute(statement).fetchall()
            con.commit()
            return [[None if v is None else str(v) for v in row]
                    for row in rows]
        finally:
            con.close()

    def log_size(self):
        return 0

    def statements_since(self, offset):
        return None         # SQLite has no statement log

    def close(self):
        pass


class PgBackend:
    """A private PostgreSQL 15 cluster on a free loopback port.

    initdb and the server run as the postgres user (PostgreSQL refuses root);
    clients (psql, pg_dump) run as us and authenticate with the password.
    """

    name = "pgsql"
    DATABASES = ("ailes", "ailes_vault")

    def __init__(self):
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.dir = tempfile.mkdtemp(prefix="ailes-pg-")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        pwfile = os.path.join(self.dir, "pwfile")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        pg = pwd.getpwnam("postgres")
        for p in (self.dir, self.sock, pwfile):
            os.chown(p, pg.pw_uid, pg.pw_gid)
        os.chmod(pwfile, 0o600)
        self._as_postgres([os.path.join(PG_BIN, "initdb"), "-D", self.data,
                           "-A", "scram-sha-256", "--pwfile=" + pwfile,
                           "-U", "postgres", "-E", "UTF8", "--no-locale"])
        os.unlink(pwfile)
        self.running = False
        self.start()

    def _as_postgres(self, argv, check=True, env=None):
        return subprocess.run(["runuser", "-u", "postgres", "--"] + argv,
                              cwd=self.dir, capture_output=True, text=True,
                              check=check, timeout=60, env=env)

    def start(self):
        """Start the cluster and wait until it accepts connections."""
        self._as_postgres([
            os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w",
            "-l", os.path.join(self.dir, "server.log"),
            # log_statement=all: tests count the statements httpd runs.
            "-o", "-p %d -k %s -c listen_addresses=127.0.0.1 "
                  "-c log_statement=all" % (self.port, self.sock),
            "start"])
        self.running = True

    def stop(self, mode="fast"):
        """Stop the cluster; mode "immediate" is a crash (no checkpoint,
        connections dropped at once, crash recovery at the next start)."""
        self._as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                           "-m", mode, "-w", "stop"])
        self.running = False

    def _client_env(self):
        return dict(os.environ, PGPASSWORD=self.password, PGCONNECT_TIMEOUT="5")

    def psql(self, sql, dbname="postgres"):
        return subprocess.run(
            [os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", dbname, "-c", sql],
            env=self._client_env(), capture_output=True, text=True,
            check=True, timeout=60)

    def sql(self, env, statement, db="ailes"):
        """Run one statement on the main (or vault) database; rows as lists
        of str."""
        r = subprocess.run(
            [os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-F",
             "\t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres",
             "-d", "ailes" if db == "ailes" else "ailes_vault",
             "-c", statement],
            env=self._client_env(), capture_output=True, text=True,
            check=True, timeout=60)
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    def log_size(self):
        return os.path.getsize(os.path.join(self.dir, "server.log"))

    def statements_since(self, offset):
        """Statements the server logged after offset (PREPARE, EXECUTE and
        plain ones), one string each."""
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            f.seek(offset)
            return [l for l in f.read().splitlines()
                    if re.search(r"LOG:  (statement|execute [^:]*):", l)]

    def conninfo(self, dbname):
        return ("host=127.0.0.1 port=%d dbname=%s user=postgres password=%s "
                "connect_timeout=3" % (self.port, dbname, self.password))

    def prepare(self, env):
        """Give the env empty databases: each test class starts clean."""
        for db in self.DATABASES:
            self.psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)
            self.psql('CREATE DATABASE "%s"' % db)
        env.dbd_driver = "pgsql"
        env.dbd_params = '"%s"' % self.conninfo("ailes")
        env.vault_db = 'pgsql "%s"' % self.conninfo("ailes_vault")

    def dump(self, env, which):
        db = "ailes" if which == "ailes" else "ailes_vault"
        r = subprocess.run(
            [os.path.join(PG_BIN, "pg_dump"), "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres", "--no-owner", db],
            env=self._client_env(), capture_output=True, text=True,
            check=True, timeout=60)
        # pg_dump 15.14+ writes a random \restrict key per run: drop it.
        return "\n".join(l for l in r.stdout.splitlines()
                         if not l.startswith(("\\restrict", "\\unrestrict")))

    def db_bytes(self, env, which):
        # pg_dump text: names would show as UTF-8 text, or hex for bytea.
        return self.dump(env, which).encode("utf-8")

    def close(self):
        if self.running:
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PgStandby(PgBackend):
    """A streaming replica of a running PgBackend: `pg_basebackup -R` (as
    the postgres user, through a replication slot) on a port of its own,
    then started as a hot standby. promote() makes it a primary."""

    def __init__(self, primary, slot="standby1"):
        self.port = free_port()
        self.password = primary.password
        self.dir = tempfile.mkdtemp(prefix="ailes-pg-standby-")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        pg = pwd.getpwnam("postgres")
        for p in (self.dir, self.sock):
            os.chown(p, pg.pw_uid, pg.pw_gid)
        self.running = False
        # -R writes standby.signal and primary_conninfo (with the password
        # it connected with) into postgresql.auto.conf; -C -S makes the slot
        # that keeps the primary's WAL until the standby has it.
        self._as_postgres([os.path.join(PG_BIN, "pg_basebackup"),
                           "-h", "127.0.0.1", "-p", str(primary.port),
                           "-U", "postgres", "-D", self.data, "-R",
                           "-X", "stream", "-C", "-S", slot,
                           "--checkpoint=fast"],
                          env=primary._client_env())
        self.start()

    def promote(self):
        """pg_ctl promote: end recovery, accept writes (waits for it)."""
        self._as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                           "-w", "promote"])


def make_backend(name):
    return SqliteBackend() if name == "sqlite3" else PgBackend()


class RedisServer:
    """A private redis-server on a free loopback port, nothing persisted."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not port_answers(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


# --------------------------------------------------------------- httpd conf

# Placeholders @NAME@ are filled in by AilesEnv.write_conf().
CONF_TEMPLATE = """\
# Private httpd for one mod_ailes test class; generated, do not edit.
ServerRoot "@DIR@"
ServerName 127.0.0.1
DefaultRuntimeDir "@DIR@/run"
PidFile "@DIR@/run/httpd.pid"
Mutex file:@DIR@/run default
Listen 127.0.0.1:@PORT@
ErrorLog "@DIR@/error.log"
LogLevel warn ailes:debug
LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Host}i\\"" ailes_test
CustomLog "@DIR@/access.log" ailes_test
@USER@
@MODULES@
# Small and fixed; the spare-thread limits must fit MaxRequestWorkers or
# mpm_event logs AH10159 at error level.
StartServers 1
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
MinSpareThreads 4
MaxSpareThreads 16
TypesConfig /etc/mime.types
DirectoryIndex index.html
Timeout 30

@AILES_MODULE@
DBDriver @DBD_DRIVER@
DBDParams @DBD_PARAMS@
AilesVaultDB @VAULT_DB@
AilesVaultKeyFile "@DIR@/vault.key"
AilesVaultIndexKeyFile "@DIR@/index.key"
AilesBcryptCost @BCRYPT_COST@
AilesCookieSecure Off

DocumentRoot "@DIR@/htdocs"
<Directory />
    Require all denied
</Directory>
<Directory "@DIR@/htdocs">
    Require all granted
</Directory>
@EXTRA_CONF@
@VHOSTS@
"""

# Default vhost layout: the first vhost has no tenant (unknown Host lands
# there), acme.test and globex.test are one tenant each.
DEFAULT_VHOSTS = """\
<VirtualHost 127.0.0.1:@PORT@>
    ServerName default.invalid
    <Location /api>
        SetHandler ailes-api
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@PORT@>
    ServerName acme.test
    AilesTenant acme
    <Location /api>
        SetHandler ailes-api
    </Location>
    <Location /admin>
        AuthType ailes
        Require ailes-role tenant_admin
        AuthzSendForbiddenOnFailure On
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@PORT@>
    ServerName globex.test
    AilesTenant globex
    <Location /api>
        SetHandler ailes-api
    </Location>
</VirtualHost>
"""

# Modules from Debian's build; unixd and log_config are compiled in there,
# so a name whose .so is absent is simply skipped.
STOCK_MODULES = [
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("authn_core_module", "mod_authn_core.so"),
    ("mime_module", "mod_mime.so"),
    ("dir_module", "mod_dir.so"),
    ("unixd_module", "mod_unixd.so"),
    ("headers_module", "mod_headers.so"),
    ("log_config_module", "mod_log_config.so"),
    ("remoteip_module", "mod_remoteip.so"),
    ("socache_shmcb_module", "mod_socache_shmcb.so"),
    ("socache_redis_module", "mod_socache_redis.so"),
    ("dbd_module", "mod_dbd.so"),
]

INDEX_HTML = "<!doctype html><title>ailes test</title><p>ailes-public-index\n"
ADMIN_HTML = "<!doctype html><title>ailes admin</title><p>ailes-admin-index\n"


# ------------------------------------------------------------------ the env

# The static pages' headers, as conf/ailes.conf recommends (the TLS
# virtual host adds HSTS).
STATIC_HEADERS = """\
AddDefaultCharset utf-8
Header always set Content-Security-Policy "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
Header always set X-Frame-Options DENY
Header always set X-Content-Type-Options nosniff
Header always set Referrer-Policy no-referrer
Header always set X-XSS-Protection 0
"""


class AilesEnv:
    """One private httpd with mod_ailes, its databases and its logs.

    Lifecycle (driven by the class-scoped `env` fixture): setup() makes the
    dir, key and conf and migrates; start(); the tests; stop(); cleanup().
    A test class customises it through the fixture (see conftest.py):
    `extra_conf` goes into the server config, `vhosts` replaces the default
    layout, and a hook may change settings (dbd_params, run_migrate) first.
    """

    def __init__(self, backend, name="ailes", extra_conf="", vhosts=None,
                 with_module=True, twin_of=None):
        self.backend = backend
        self.name = name
        self.extra_conf = extra_conf
        self.vhosts = DEFAULT_VHOSTS if vhosts is None else vhosts
        self.with_module = with_module    # False only to test the harness
        self.run_migrate = True
        self.bcrypt_cost = 4              # fast tests; a class may raise it
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="ailes-%s-" % name)
        self.conf = os.path.join(self.dir, "httpd.conf")
        self.error_log = os.path.join(self.dir, "error.log")
        self.key_file = os.path.join(self.dir, "vault.key")
        self.proc = None
        self.cleanups = []                # callables run by cleanup()
        self.totp = {}                    # (host, employee_no) -> secret
        self.recovery = {}                # (host, employee_no) -> codes
        # Error patterns allowed for the whole env (startup) and per test.
        self.class_expected = []
        self.test_expected = []
        self.dbd_driver = self.dbd_params = self.vault_db = None
        # A twin is a second httpd node on the same databases and key.
        self.twin_of = twin_of
        if twin_of:
            self.dbd_driver = twin_of.dbd_driver
            self.dbd_params = twin_of.dbd_params
            self.vault_db = twin_of.vault_db
            self.bcrypt_cost = twin_of.bcrypt_cost
            self.run_migrate = False
        else:
            backend.prepare(self)

    # -- files

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def setup(self):
        """Create dirs, key, htdocs and conf, then migrate the databases."""
        chown_run_user(self.dir)          # children write SQLite files here
        os.mkdir(self.path("run"))
        os.makedirs(self.path("htdocs", "admin"))
        with open(self.path("htdocs", "index.html"), "w") as f:
            f.write(INDEX_HTML)
        with open(self.path("htdocs", "admin", "index.html"), "w") as f:
            f.write(ADMIN_HTML)
        # 32 random bytes, read by the root parent only (like /etc/ailes).
        fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     0o400)
        if self.twin_of:
            with open(self.twin_of.key_file, "rb") as f:
                key = f.read()
        else:
            key = secrets.token_bytes(32)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        os.chmod(self.key_file, 0o400)
        index_key = self.path("index.key")
        if self.twin_of:
            shutil.copyfile(self.twin_of.path("index.key"), index_key)
        else:
            with open(index_key, "wb") as f:
                f.write(secrets.token_bytes(32))
        os.chmod(index_key, 0o400)
        self.write_conf()
        if self.run_migrate and self.with_module:
            r = self.ctl("migrate")
            if r.returncode != 0:
                raise RuntimeError("ailesctl migrate failed (rc %d): %s%s"
                                   % (r.returncode, r.stdout, r.stderr))

    def write_conf(self):
        modules = []
        for mod, so in STOCK_MODULES:
            so_path = os.path.join(APACHE_MODULES, so)
            if os.path.exists(so_path):
                modules.append("LoadModule %s %s" % (mod, so_path))
        user = "User %s\nGroup %s" % (RUN_USER, RUN_USER) if IS_ROOT else ""
        subst = {
            "USER": user,
            "MODULES": "\n".join(modules),
            "AILES_MODULE": "LoadModule ailes_module %s" % MODULE,
            "DBD_DRIVER": self.dbd_driver,
            "DBD_PARAMS": self.dbd_params,
            "VAULT_DB": self.vault_db,
            "EXTRA_CONF": self.extra_conf,
            "BCRYPT_COST": str(self.bcrypt_cost),
            "VHOSTS": self.vhosts,
        }
        text = CONF_TEMPLATE
        if not self.with_module:
            # Harness self-test: drop every line that needs mod_ailes.
            text = "\n".join(l for l in text.splitlines()
                             if not re.match(r"(@AILES_MODULE@|Ailes|DBD)", l))
            text = text.replace(" ailes:debug", "")
        for key, value in subst.items():
            text = text.replace("@%s@" % key, value)
        # Placeholders inside extra_conf / vhosts are filled last.
        text = text.replace("@DIR@", self.dir).replace("@PORT@", str(self.port))
        with open(self.conf, "w") as f:
            f.write(text)

    def fix_ownership(self):
        """SQLite files written by root-run ailesctl must stay writable by
        the httpd children."""
        if not IS_ROOT:
            return
        for entry in os.listdir(self.dir):
            if re.match(r"(ailes|vault)\.db", entry):
                chown_run_user(self.path(entry))

    # -- httpd process

    def start(self, timeout=15):
        """Start httpd in the foreground (it forks its children) and wait
        until the port answers; raise with the error log if it does not."""
        self.log_mark_start = self.log_size()
        penv = httpd_environ(self.path("sanitizer"))
        self.proc = subprocess.Popen(
            [APACHE, "-f", self.conf, "-DFOREGROUND"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, env=penv)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace")
                self.proc = None
                raise RuntimeError("httpd exited at startup:\n%s\n%s"
                                   % (out, self.log_tail()))
            if port_answers(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("httpd did not answer on port %d within %ds:\n%s"
                           % (self.port, timeout, self.log_tail()))

    def stop(self, timeout=10):
        """SIGTERM, wait, then SIGKILL the whole process group."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
        # Children may outlive the parent for a moment; wait for the port.
        deadline = time.monotonic() + 5
        while port_answers(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self, extra_conf=None, vhosts=None):
        """Stop, rewrite the conf with new extra_conf/vhosts, start."""
        self.stop()
        if extra_conf is not None:
            self.extra_conf = extra_conf
        if vhosts is not None:
            self.vhosts = vhosts
        self.write_conf()
        self.start()

    def own_pg_cluster(self):
        """Moves this env to a PostgreSQL cluster of its own (closed with
        the env), for tests that stop, crash or promote it: the session's
        shared cluster must survive them. Call from env_setup."""
        pg = PgBackend()
        self.cleanups.append(pg.close)
        pg.prepare(self)
        self.backend = pg
        return pg

    def graceful(self, timeout=15):
        """apachectl graceful: SIGUSR1 to the parent (which rereads the
        conf); wait until it says it resumed, plus a moment for the new
        children."""
        with open(self.path("run", "httpd.pid")) as f:
            pid = int(f.read())
        before = self.log_size()
        os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("resuming normal operations" in l
                   for l in self.log_lines_since(before)):
                time.sleep(0.5)
                return
            time.sleep(0.1)
        raise RuntimeError("httpd did not finish a graceful restart in %ds"
                           % timeout)

    def cleanup(self):
        self.stop()
        for fn in reversed(self.cleanups):
            fn()
        if os.environ.get("AILES_KEEP"):      # keep logs/conf for debugging
            print("\nkept %s" % self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- error log

    def log_size(self):
        try:
            return os.path.getsize(self.error_log)
        except OSError:
            return 0

    def log_tail(self, n=30):
        try:
            with open(self.error_log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no error log)"

    def log_lines_since(self, offset):
        try:
            with open(self.error_log, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return []

    def expect_errors(self, *patterns):
        """Declare error-log lines this test provokes on purpose."""
        self.test_expected.extend(re.compile(p) for p in patterns)

    def expect_startup_errors(self, *patterns):
        """Declare error-log lines allowed for the env's whole life."""
        self.class_expected.extend(re.compile(p) for p in patterns)

    def unexpected_errors(self, offset):
        """Error-level lines after offset that no declared pattern allows."""
        allowed = self.class_expected + self.test_expected
        return [l for l in self.log_lines_since(offset)
                if ERROR_LINE.search(l)
                and not any(p.search(l) for p in allowed)] \
            + self.sanitizer_reports()

    def sanitizer_reports(self):
        """ASan/UBSan reports written since the last call (each reported
        once)."""
        out = []
        for f in sorted(glob.glob(self.path("sanitizer.*"))):
            if f.endswith(".seen"):
                continue
            with open(f, errors="replace") as fh:
                text = fh.read()
            os.rename(f, f + ".seen")
            out.append("sanitizer report %s:\n%s" % (f, text[:6000]))
        return out

    # -- database

    def sql(self, statement, db="ailes"):
        """Run one SQL statement on the main database, or the vault with
        db="vault" (test set-up and inspection only); returns rows as lists
        of strings."""
        return self.backend.sql(self, statement, db)

    # -- CLI

    def ctl(self, *args, input=None):
        """Run ailesctl against this env's conf; the caller asserts."""
        r = subprocess.run([CLI, "-f", self.conf] + list(args), input=input,
                           capture_output=True, text=True, timeout=60)
        self.fix_ownership()
        return r

    def add_tenant(self, slug, name):
        r = self.ctl("tenant", "add", slug, name)
        assert r.returncode == 0, "tenant add %s: rc %d: %s" % (
            slug, r.returncode, r.stderr)
        return r

    def add_user(self, tenant, employee_no, role, name, password):
        r = self.ctl("user", "add", "--tenant", tenant,
                     "--employee-no", employee_no, "--role", role,
                     "--name", name, input=password + "\n")
        assert r.returncode == 0, "user add %s/%s: rc %d: %s" % (
            tenant, employee_no, r.returncode, r.stderr)
        return r

    # -- HTTP

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def session(self, host="acme.test", cookie=None, source=None):
        """A requests.Session aimed at one vhost (by Host header).

        With cookie=VALUE the session sends exactly `Cookie: ailes=VALUE`
        (an explicit header wins over the cookie jar). With source="127.0.0.2"
        its connections come from that loopback address."""
        s = requests.Session()
        if source:
            adapter = SourceAdapter(source)
            s.mount("http://", adapter)
        s.headers["Host"] = host
        if cookie is not None:
            s.headers["Cookie"] = "ailes=%s" % cookie
        return s

    def post_session(self, employee_no, password, host="acme.test", s=None,
                     source=None):
        """POST /api/v1/session; returns (session, raw response)."""
        s = s or self.session(host, source=source)
        r = s.post(self.url("/api/v1/session"), timeout=10,
                   json={"employee_no": employee_no, "password": password})
        return s, r

    def login(self, employee_no, password, host="acme.test", source=None):
        """Log in all the way and return (session with the cookie, json with
        the csrf_token). Roles that must have TOTP are enrolled on their
        first login (the secret is remembered in self.totp, the recovery
        codes in self.recovery); later logins give a code from oathtool."""
        s, r = self.post_session(employee_no, password, host, source=source)
        assert r.status_code == 200, "login %s@%s: %d %s" % (
            employee_no, host, r.status_code, r.text)
        body = r.json()
        if body["mfa"] == "enroll":
            body = self.enroll_totp(s, body, employee_no, host)
        elif body["mfa"] == "required":
            body = self.totp_step(s, body, employee_no, host)
        return s, body

    def enroll_totp(self, s, login, employee_no, host="acme.test"):
        """POST /v1/me/totp and confirm it with oathtool's code."""
        h = {"X-CSRF-Token": login["csrf_token"]}
        r = s.post(self.url("/api/v1/me/totp"), headers=h, timeout=10)
        assert r.status_code == 200, r.text
        secret = r.json()["secret"]
        r = s.post(self.url("/api/v1/me/totp/confirm"), headers=h,
                   json={"code": totp_code(secret)}, timeout=10)
        assert r.status_code == 200, r.text
        self.totp[(host, employee_no)] = secret
        self.recovery[(host, employee_no)] = r.json()["recovery_codes"]
        return {"mfa": "none", "csrf_token": r.json()["csrf_token"]}

    def totp_step(self, s, login, employee_no, host="acme.test"):
        """The second login step with the remembered secret. Tests log in
        the same user many times within one 30-second step, so the replay
        guard (last accepted step) is reset first; replay has its own
        tests, which do not use this."""
        secret = self.totp[(host, employee_no)]
        self.sql("UPDATE users SET totp_last_step = 0 WHERE employee_no = "
                 "'%s' AND tenant_id = (SELECT id FROM tenants WHERE slug = "
                 "'%s')" % (employee_no, host.split(".")[0]))
        r = s.post(self.url("/api/v1/session/totp"), timeout=10,
                   headers={"X-CSRF-Token": login["csrf_token"]},
                   json={"code": totp_code(secret)})
        assert r.status_code == 200, r.text
        return r.json()

    def wait_for_status(self, path, status, host="acme.test", timeout=10):
        """Poll GET path until it answers status; return the last response
        (or the last exception text) so the caller can assert on it."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                last = self.session(host).get(self.url(path), timeout=5)
                if last.status_code == status:
                    return last
            except requests.RequestException as e:
                last = e
            if time.monotonic() >= deadline:
                return last
            time.sleep(0.25)


def error_json(r):
    """The error code of an API error response, asserting its shape."""
    assert r.headers.get("Content-Type", "").startswith("application/json"), \
        "not JSON: %s %r" % (r.headers.get("Content-Type"), r.text[:200])
    body = r.json()
    assert isinstance(body.get("error"), dict), body
    return body["error"].get("code")
