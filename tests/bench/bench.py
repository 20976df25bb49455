#!/usr/bin/python3
"""mod_ailes benchmarks: one private httpd (event MPM, fixed processes),
runs interleaved side by side, medians of several runs, ratios; writes
BENCHMARKS.md. Not a test: numbers are recorded, not asserted (`--smoke`
only proves the benchmark still runs).

    /usr/bin/python3 tests/bench/bench.py            # full: ~3 minutes
    /usr/bin/python3 tests/bench/bench.py --smoke    # CI: seconds

Measured:
  1. a 1 KiB static file unprotected; the same behind AuthType ailes with a
     valid session (shmcb cache hit; no database query); behind
     mod_auth_basic + bcrypt (htpasswd -B, cost 10) re-verified on every
     request, as stock Apache does;
  2. GET /api/v1/me (session + vault read);
  3. POST /api/v1/session (a login) against the raw bcrypt verify rate of
     the same cost on the same machine.
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import ailes_env  # noqa: E402

PW = "Bench-Passw0rd-1"

EXTRA = """
StartServers 2
ServerLimit 2
ThreadsPerChild 32
MaxRequestWorkers 64
MinSpareThreads 64
MaxSpareThreads 64
MaxConnectionsPerChild 0
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
<Location /protected>
    AuthType ailes
    Require ailes-role employee
</Location>
LoadModule request_module /usr/lib/apache2/modules/mod_request.so
LoadModule session_module /usr/lib/apache2/modules/mod_session.so
LoadModule session_cookie_module /usr/lib/apache2/modules/mod_session_cookie.so
LoadModule session_crypto_module /usr/lib/apache2/modules/mod_session_crypto.so
LoadModule auth_form_module /usr/lib/apache2/modules/mod_auth_form.so
LoadModule authn_dbd_module /usr/lib/apache2/modules/mod_authn_dbd.so
# Apache's stock form login: the session cookie (encrypted) carries the
# user and password, which mod_auth_form checks against the database
# (bcrypt) on every request. A virtual host of its own with its own
# read-only SQLite file, so mod_ailes's writes never make it wait.
<VirtualHost 127.0.0.1:@PORT@>
    ServerName stock.test
    DBDriver sqlite3
    DBDParams "@DIR@/stock.db"
    DocumentRoot "@DIR@/htdocs"
    <Location /form>
        AuthType form
        AuthName bench
        AuthFormProvider dbd
        AuthDBDUserPWQuery "SELECT password FROM stock_authn WHERE name = %s"
        Session On
        SessionCookieName stock path=/
        SessionCryptoPassphrase bench-only-secret
        Require valid-user
    </Location>
    <Location /dologin>
        SetHandler form-login-handler
        AuthType form
        AuthName bench
        AuthFormProvider dbd
        AuthDBDUserPWQuery "SELECT password FROM stock_authn WHERE name = %s"
        AuthFormLoginSuccessLocation /form/f.txt
        Session On
        SessionCookieName stock path=/
        SessionCryptoPassphrase bench-only-secret
    </Location>
</VirtualHost>
<Location /basic>
    AuthType Basic
    AuthName bench
    AuthBasicProvider file
    AuthUserFile "@DIR@/htpasswd"
    Require valid-user
</Location>
"""

# Sixteen users in turn: one user logging in from 8 connections at once
# would (rightly) run into the lockout, which counts attempts before the
# password check.
LOGIN_LUA = """
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"employee_no":"L%%02d","password":"%s"}',
                             n %% 16)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Host"] = "acme.test"}, body)
end
""" % PW

BCRYPT_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <apr_general.h>
#include <apr_md5.h>
#include <apr_time.h>
int main(int argc, char **argv)
{
    char hash[64];
    unsigned char salt[16] = "0123456789abcdef";
    int cost = atoi(argv[1]), n = 0;
    double secs = atof(argv[2]);
    apr_time_t t0;
    apr_initialize();
    apr_bcrypt_encode("%s", cost, salt, 16, hash, sizeof(hash));
    t0 = apr_time_now();
    while ((apr_time_now() - t0) / 1e6 < secs) {
        if (apr_password_validate("%s", hash) != APR_SUCCESS) return 1;
        n++;
    }
    printf("%%f\n", n / ((apr_time_now() - t0) / 1e6));
    return 0;
}
""" % (PW, PW)


def wrk(url, seconds, headers=(), script=None, threads=2, conns=32):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
           "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True,
                         timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "requests": int(total.group(1)) if total else 0, "non2xx": int(errors.group(1)) if errors else 0,
            "socket": sock.group(1) if sock else "",
            "p50": p50.group(1) if p50 else "?",
            "p99": p99.group(1) if p99 else "?"}


def bcrypt_rate(cost, seconds):
    """Raw bcrypt verifies per second on one core: apr_password_validate
    in a loop, the very function the module calls."""
    d = tempfile.mkdtemp()
    src, exe = os.path.join(d, "b.c"), os.path.join(d, "b")
    with open(src, "w") as f:
        f.write(BCRYPT_C)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "apr-1",
                            "apr-util-1"], capture_output=True, text=True,
                           check=True).stdout.split()
    subprocess.run(["gcc", "-O2", src, "-o", exe] + flags, check=True,
                   capture_output=True)
    out = subprocess.run([exe, str(cost), str(seconds)], capture_output=True,
                         text=True, check=True).stdout
    return float(out)


def children_status(env, field):
    """A memory field of /proc/PID/status (kB) for each httpd child, by
    pid: VmHWM is the peak resident size, VmRSS the current one."""
    out = {}
    parent = open(env.path("run", "httpd.pid")).read().strip()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/status" % pid) as f:
                st = dict(l.split(":", 1) for l in f if ":" in l)
        except OSError:
            continue
        if st.get("PPid", "").strip() == parent:
            out[pid] = int(st[field].split()[0])
    return out


def configtest_vhosts(env, n):
    """apache2 -t on the env's conf plus n tenant virtual hosts: seconds
    and the peak RSS (kB) of that process."""
    base = open(env.conf).read()
    vhosts = "".join(
        "<VirtualHost 127.0.0.1:%d>\n    ServerName t%04d.test\n"
        "    AilesTenant t%04d\n    <Location /api>\n        SetHandler "
        "ailes-api\n    </Location>\n</VirtualHost>\n" % (env.port, i, i)
        for i in range(n))
    path = env.path("vhosts-%d.conf" % n)
    with open(path, "w") as f:
        f.write(base + vhosts)
    # A fresh interpreter waits for apache2 alone, so its children's peak
    # RSS is apache2's.
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.monotonic()\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "print(r.returncode, time.monotonic() - t,\n"
             "      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", probe, ailes_env.APACHE, "-t",
                        "-f", path], capture_output=True, text=True,
                       timeout=600, env=ailes_env.httpd_environ(
                           env.path("sanitizer")))
    rc, secs, rss = r.stdout.split()
    assert rc == "0", r.stdout + r.stderr
    return float(secs), int(rss)


def proc_cpu(pid):
    """User + system CPU seconds of one process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_phase(args, seconds, runs, lite, lite_admin_cookie, lite_me_cookie):
    """The JSON API on PostgreSQL, interleaved with the same requests on
    the SQLite httpd (lite): GET /v1/me and a 50-row user page, each
    tenant with the same users. Returns {name: {backend: [wrk results]}}
    and how many users the PostgreSQL tenant has."""
    backend = ailes_env.PgBackend()
    env = ailes_env.AilesEnv(backend, name="bench-pg", extra_conf=EXTRA)
    env.bcrypt_cost = 10
    env.setup()
    env.start()
    try:
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "ベンチ 太郎", PW)
        env.add_user("acme", "A001", "tenant_admin", "人事", PW + "-admin")
        a, al = env.login("A001", PW + "-admin")
        n = 1000 if args.smoke else 10000
        for prefix, count in (("B", n), ("C", 9 * n)):
            csv = "employee_no,name\n" + "".join(
                "%s%05d,社員 %s%05d\n" % (prefix, i, prefix, i)
                for i in range(count))
            r = a.post(env.url("/api/v1/users/import"), data=csv.encode(),
                       headers={"Content-Type": "text/csv",
                                "X-CSRF-Token": al["csrf_token"]},
                       timeout=900)
            assert r.status_code == 200, r.text[:300]
        e, _ = env.login("E001", PW)
        host = "Host: acme.test"
        me_cookie = "Cookie: ailes=%s" % e.cookies.get("ailes")
        admin_cookie = "Cookie: ailes=%s" % a.cookies.get("ailes")
        out = {}
        for _ in range(runs):                       # interleaved
            for name, path, pgc, litec in (
                    ("GET /api/v1/me", "/api/v1/me", me_cookie,
                     lite_me_cookie),
                    ("GET /api/v1/users?per_page=50",
                     "/api/v1/users?per_page=50", admin_cookie,
                     lite_admin_cookie)):
                row = out.setdefault(name, {"sqlite3": [], "pgsql": []})
                row["sqlite3"].append(wrk(lite.url(path), seconds,
                                          [host, litec]))
                row["pgsql"].append(wrk(env.url(path), seconds,
                                        [host, pgc]))
        users = int(env.sql("SELECT COUNT(*) FROM users")[0][0])
        return out, users
    finally:
        env.cleanup()
        backend.close()


# Sections of BENCHMARKS.md that other scripts write (tests/bench/
# restore.py): kept as they are when this script rewrites the file.
KEPT_SECTIONS = ("## Backup and restore",)


def kept_sections(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    out, keep = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = line.startswith(KEPT_SECTIONS)
        if keep:
            out.append(line)
    return ("\n" + "\n".join(out) + "\n") if out else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..",
                                                  "BENCHMARKS.md"))
    args = ap.parse_args()
    seconds, runs = (1, 1) if args.smoke else (8, 3)

    backend = ailes_env.SqliteBackend()
    env = ailes_env.AilesEnv(backend, name="bench", extra_conf=EXTRA)
    env.bcrypt_cost = 10
    env.setup()
    with open(env.path("htdocs", "f.txt"), "w") as f:
        f.write("x" * 1023 + "\n")
    for d in ("protected", "basic", "form"):
        os.makedirs(env.path("htdocs", d), exist_ok=True)
        with open(env.path("htdocs", d, "f.txt"), "w") as f:
            f.write("x" * 1023 + "\n")
    subprocess.run(["htpasswd", "-cbB", "-C", "10", env.path("htpasswd"),
                    "bench", PW], check=True, capture_output=True)
    stock_hash = open(env.path("htpasswd")).read().strip().split(":", 1)[1]
    import sqlite3
    con = sqlite3.connect(env.path("stock.db"))
    con.execute("CREATE TABLE stock_authn (name TEXT PRIMARY KEY, "
                "password TEXT)")
    con.execute("INSERT INTO stock_authn VALUES ('bench', ?)", (stock_hash,))
    con.commit()
    con.close()
    env.start()
    try:
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "E001", "employee", "ベンチ 太郎", PW)
        for i in range(16):
            env.add_user("acme", "L%02d" % i, "employee", "ログイン %d" % i,
                         PW)
        s, _ = env.login("E001", PW)
        cookie = "Cookie: ailes=%s" % s.cookies.get("ailes")
        host = "Host: acme.test"
        base = env.url("")
        lua = env.path("login.lua")
        with open(lua, "w") as f:
            f.write(LOGIN_LUA)
        stock = __import__("requests").Session()
        r = stock.post(base + "/dologin", allow_redirects=False, timeout=10,
                       headers={"Host": "stock.test"},
                       data={"httpd_username": "bench",
                             "httpd_password": PW})
        assert stock.cookies.get("stock"), (r.status_code, r.headers)
        stock_cookie = "Cookie: stock=%s" % stock.cookies.get("stock")
        cases = [
            ("static, unprotected", base + "/f.txt", [host]),
            ("static, stock form login (mod_auth_form + mod_session_crypto "
             "+ mod_authn_dbd, bcrypt cost 10)", base + "/form/f.txt",
             ["Host: stock.test", stock_cookie]),
            ("static, AuthType ailes (cached session)",
             base + "/protected/f.txt", [host, cookie]),
            ("static, Basic + bcrypt cost 10 every request",
             base + "/basic/f.txt",
             [host, "Authorization: Basic " + __import__("base64")
              .b64encode(("bench:" + PW).encode()).decode()]),
            ("GET /api/v1/me (session, vault read)", base + "/api/v1/me",
             [host, cookie]),
        ]
        results = {name: [] for name, _, _ in cases}
        for _ in range(runs):                       # interleaved
            for name, url, headers in cases:
                results[name].append(wrk(url, seconds, headers))
                # The bcrypt cases leave requests in flight (p99 near 2 s)
                # that would still burn CPU in the next case's run.
                time.sleep(1 if args.smoke else 3)
        login = [wrk(base + "/api/v1/session", seconds, script=lua,
                     conns=8) for _ in range(runs)]
        # Bulk: 10,000 users by CSV (activation codes, no bcrypt per row).
        env.add_user("acme", "A001", "tenant_admin", "人事", PW + "-admin")
        a, al = env.login("A001", PW + "-admin")
        rows = 1000 if args.smoke else 10000
        csv = "employee_no,name\n" + "".join(
            "B%05d,社員 %05d\n" % (i, i) for i in range(rows))
        t0 = time.monotonic()
        r = a.post(env.url("/api/v1/users/import"), data=csv.encode(),
                   headers={"Content-Type": "text/csv",
                            "X-CSRF-Token": al["csrf_token"]}, timeout=600)
        import_secs = time.monotonic() - t0
        assert r.status_code == 200, r.text[:300]
        admin_cookie = "Cookie: ailes=%s" % a.cookies.get("ailes")
        page = [wrk(base + "/api/v1/users?per_page=50", seconds,
                    [host, admin_cookie]) for _ in range(runs)]
        # Bulk: health checkups, 10 yearly rows per imported user, in two
        # files: one year (10% of the rows), then nine. With a streamed
        # import the children's peak RSS must not grow with the file.
        per_user = 1 if args.smoke else 10

        def checkup_csv(years):
            ck = ["社員番号,受診日,健診種別,性別,身長,体重,収縮期血圧,"
                  "拡張期血圧,LDL,HDL,TG,HbA1c,尿糖,尿蛋白,総合判定,就業区分"]
            for i in range(rows):
                for y in years:
                    ck.append("B%05d,%d-04-%02d,定期,男,170.2,65.5,128,82,"
                              "140,55,120,5.4,−,−,B,通常"
                              % (i, 2016 + y, 1 + i % 28))
            return ("\n".join(ck) + "\n").encode()

        def checkup_post(body):
            t0 = time.monotonic()
            r = a.post(env.url("/api/v1/checkups"), data=body,
                       headers={"Content-Type": "text/csv",
                                "X-CSRF-Token": al["csrf_token"]},
                       timeout=900)
            assert r.status_code == 200, r.text[:300]
            return time.monotonic() - t0

        hwm_before = children_status(env, "VmHWM")
        small = checkup_csv(range(1))
        small_secs = checkup_post(small)
        hwm_small = children_status(env, "VmHWM")
        ck_body = checkup_csv(range(1, per_user)) if per_user > 1 else small
        checkup_secs = checkup_post(ck_body) if per_user > 1 else small_secs
        hwm_after = children_status(env, "VmHWM")
        checkup_rows = rows * max(per_user - 1, 1)
        # 100,000 users in one tenant: the prefix search.
        more = 1000 if args.smoke else 90000
        csv = "employee_no,name\n" + "".join(
            "C%05d,社員 C%05d\n" % (i, i) for i in range(more))
        t0 = time.monotonic()
        r = a.post(env.url("/api/v1/users/import"), data=csv.encode(),
                   headers={"Content-Type": "text/csv",
                            "X-CSRF-Token": al["csrf_token"]}, timeout=900)
        big_import_secs = time.monotonic() - t0
        assert r.status_code == 200, r.text[:300]
        n_users = int(env.sql("SELECT COUNT(*) FROM users")[0][0])
        search = [wrk(base + "/api/v1/users?q=C0999&per_page=50", seconds,
                      [host, admin_cookie]) for _ in range(runs)]
        # The JSON API on PostgreSQL, side by side with SQLite.
        pg_runs, pg_users = pg_phase(args, seconds, runs, env, admin_cookie,
                                     cookie)
        # Soak: a million requests with a session against one httpd.
        soak_target = 20000 if args.smoke else 1000000
        wrk(base + "/protected/f.txt", 2 if args.smoke else 5,
            [host, cookie])
        rss_warm = sum(children_status(env, "VmRSS").values())
        rate = max(results["static, AuthType ailes (cached session)"][-1]
                   ["rps"], 1000)
        soak = wrk(base + "/protected/f.txt",
                   int(soak_target / rate * 1.15) + 1, [host, cookie])
        rss_end = sum(children_status(env, "VmRSS").values())
        raw = bcrypt_rate(10, 1 if args.smoke else 5)
        raw_by_cost = {c: bcrypt_rate(c, 1 if args.smoke else 5)
                       for c in (11, 12)}
        raw_by_cost[10] = raw
        vh = 50 if args.smoke else 1000
        vh_secs, vh_rss = configtest_vhosts(env, vh)
        one_secs, one_rss = configtest_vhosts(env, 1)
        # The same cached-session case with the session cache in redis.
        redis = ailes_env.RedisServer()
        env.cleanups.append(redis.stop)
        env.restart(extra_conf=env.extra_conf + "AilesSessionCache "
                    "redis:127.0.0.1:%d\n" % redis.port)
        redis_runs = {"unprotected": [], "redis": []}
        redis_cpu = 0.0
        for _ in range(runs):
            redis_runs["unprotected"].append(wrk(base + "/f.txt", seconds,
                                                 [host]))
            cpu0 = proc_cpu(redis.proc.pid)
            redis_runs["redis"].append(wrk(base + "/protected/f.txt",
                                           seconds, [host, cookie]))
            redis_cpu += proc_cpu(redis.proc.pid) - cpu0
    finally:
        env.cleanup()
        backend.close()

    med = {n: statistics.median(r["rps"] for r in rs)
           for n, rs in results.items()}
    unprot = med["static, unprotected"]
    lines = ["# Benchmarks", "",
             "Produced by `/usr/bin/python3 tests/bench/bench.py` on %s (%d "
             "cores, %s); httpd event MPM, 2 processes x 32 threads, SQLite, "
             "shmcb session cache; wrk -t2 -c32 -d%ds, %d interleaved runs, "
             "medians. Date: %s." % (platform.node() or "?", os.cpu_count(),
                                     platform.platform(), seconds, runs,
                                     time.strftime("%Y-%m-%d")), "",
             "| setup | req/s (median) | ratio to unprotected | p50 | p99 | "
             "errors |", "|---|---|---|---|---|---|"]
    for name, rs in results.items():
        last = rs[-1]
        lines.append("| %s | %.0f | %.2f | %s | %s | %d |" % (
            name, med[name], med[name] / unprot, last["p50"], last["p99"],
            sum(r["non2xx"] for r in rs)))
    stock_name = [n for n in results if n.startswith("static, stock")][0]
    ailes_name = "static, AuthType ailes (cached session)"
    lines += ["", "AuthType ailes with a cached session against Apache's stock "
              "form login: **%.0fx**." % (med[ailes_name] / med[stock_name])]
    r_un = statistics.median(r["rps"] for r in redis_runs["unprotected"])
    r_re = statistics.median(r["rps"] for r in redis_runs["redis"])
    lines += ["", "## Session cache in redis", "",
              "The same protected file with `AilesSessionCache redis` "
              "(Debian's mod_socache_redis, a local redis-server), "
              "interleaved with the unprotected file: %.0f vs %.0f req/s, "
              "**%.2fx** (p99 %s). Every request is one GET round trip "
              "to redis (no write on a hit); redis-server itself used "
              "%.0f%% of one core during those runs, on a machine of %d "
              "cores that also runs wrk and httpd: the round trip and the "
              "CPU it takes from httpd are the limit. A per-process copy "
              "of the session would remove it, but a logout on another "
              "node would then not be honoured at once, which the spec "
              "requires; we keep the round trip." % (
                  r_re, r_un, r_re / r_un, redis_runs["redis"][-1]["p99"],
                  100 * redis_cpu / (seconds * runs), os.cpu_count())]
    lines += ["", "## JSON API: SQLite and PostgreSQL", "",
              "The same requests against two httpds, one on SQLite and one "
              "on a private PostgreSQL 15 cluster on this machine, "
              "interleaved (the PostgreSQL tenant has %d users, the "
              "SQLite one %d). Sessions come from the shmcb cache in both; /me reads "
              "the user row and opens the name from the vault, the page is "
              "one query on the main database and one on the vault." % (
                  pg_users, n_users), "",
              "| request | backend | req/s (median) | p50 | p99 |",
              "|---|---|---|---|---|"]
    for name, by in pg_runs.items():
        for b in ("sqlite3", "pgsql"):
            m = sorted(by[b], key=lambda r: r["rps"])[len(by[b]) // 2]
            lines.append("| %s | %s | %.0f | %s | %s |" % (
                name, b, m["rps"], m["p50"], m["p99"]))
    pg = sorted(page, key=lambda r: r["rps"])[len(page) // 2]
    sr = sorted(search, key=lambda r: r["rps"])[len(search) // 2]
    lines += ["", "## JSON API lists (SQLite)", "",
              "| request | req/s (median) | p50 | p99 |", "|---|---|---|---|",
              "| GET /api/v1/users?per_page=50 (names from the vault, one "
              "query) | %.0f | %s | %s |" % (pg["rps"], pg["p50"], pg["p99"]),
              "| GET /api/v1/users?q=C0999 among %d users | %.0f | %s | %s |"
              % (n_users, sr["rps"], sr["p50"], sr["p99"]), "",
              "The second import (%d users) took %.1f s." % (more,
                                                            big_import_secs)]
    lines += ["", "## Soak", "",
              "%d requests with a session to the protected file "
              "(%.0f req/s): non-2xx %d, socket errors: %s. Resident memory "
              "of the httpd children after a warm-up: %d kB; at the end: "
              "%d kB (**%+.1f%%**)." % (
                  soak["requests"], soak["rps"], soak["non2xx"],
                  soak["socket"] or "none", rss_warm, rss_end,
                  100.0 * (rss_end - rss_warm) / rss_warm)]
    lrate = statistics.median(r["rps"] for r in login)
    lines += ["", "## Login", "",
              "POST /api/v1/session (bcrypt cost 10, 16 users in turn), wrk "
              "-c8: **%.1f logins/s**. Raw bcrypt verify "
              "(apr_password_validate in a loop, one core): %.1f/s, so %.1f/s "
              "on %d cores. Login throughput / (cores x raw rate) = %.2f, "
              "i.e. overhead beyond bcrypt %.0f%% (the client, wrk, shares "
              "the cores)." % (
                  lrate, raw, raw * os.cpu_count(), os.cpu_count(),
                  lrate / (raw * os.cpu_count()),
                  100 * (1 - lrate / (raw * os.cpu_count()))), "",
              "Sizing (AilesBcryptCost): login capacity is about cores / "
              "hash time, less the few per cent above.", "",
              "| bcrypt cost | hash time | verifies/s per core | expected "
              "logins/s on %d cores (x %.2f, measured at cost 10) |" % (
                  os.cpu_count(), lrate / (raw * os.cpu_count())),
              "|---|---|---|---|"] + [
              "| %d | %.0f ms | %.1f | %.0f |" % (
                  c, 1000 / raw_by_cost[c], raw_by_cost[c],
                  raw_by_cost[c] * lrate / raw)
              for c in (10, 11, 12)] + ["",
              "## Bulk", "",
              "POST /api/v1/users/import of %d users (CSV, SQLite, names "
              "sealed into the vault, activation codes): **%.1f s**." % (
                  rows, import_secs), "",
              "POST /api/v1/checkups of %d rows (%.1f MB of CSV, 16 columns, "
              "every cell checked, one transaction, SQLite): **%.1f s** "
              "(%d rows, %.1f MB: %.1f s). The body is streamed into a "
              "sealed temporary file and read back row by row. Peak RSS "
              "of the httpd children (kB), sorted: before %s, after the "
              "small file %s, after the big one %s: **%+d kB** for %.1f MB "
              "more of CSV (what stays is the tenant's employee-number map "
              "and the pools' high-water mark, not the file)." % (
                  checkup_rows, len(ck_body) / 1e6, checkup_secs, rows,
                  len(small) / 1e6, small_secs,
                  sorted(hwm_before.values()), sorted(hwm_small.values()),
                  sorted(hwm_after.values()),
                  max(hwm_after.values()) - max(hwm_small.values()),
                  (len(ck_body) - len(small)) / 1e6),
              "",
              "## Scale", "",
              "`apache2 -t` with %d tenant virtual hosts: %.2f s, peak RSS "
              "%d kB (with 1: %.2f s, %d kB)." % (vh, vh_secs, vh_rss,
                                                  one_secs, one_rss), ""]
    if not args.smoke:
        kept = kept_sections(args.out)
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n" + kept)
    print("\n".join(lines))
    bad = [n for n, rs in results.items() if any(r["non2xx"] for r in rs)]
    if any(r["non2xx"] for r in login):
        bad.append("login (%d non-2xx)" % sum(r["non2xx"] for r in login))
    if bad:
        print("non-2xx answers in: %s" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
