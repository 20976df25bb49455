#!/usr/bin/python3
"""wapiti (Debian's package) against a private httpd serving the pages
(htdocs/) and the API with the recommended static headers, on SQLite.
Exits 1 when wapiti reports anything above informational (a
vulnerability or an anomaly), 2 when it could not run.

    /usr/bin/python3 tests/security/wapiti_scan.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))

import ailes_env  # noqa: E402

# The TLS virtual host's headers: the static pages' and HSTS.
STATIC_HEADERS = ailes_env.STATIC_HEADERS + (
    'Header always set Strict-Transport-Security "max-age=31536000; '
    'includeSubDomains"\n')


# Findings we answer differently from wapiti 3.0.4, with the reason.
ACCEPTED = {
    ("HTTP Secure Headers", "X-XSS-Protection is not set"):
        "we send X-XSS-Protection: 0 as OWASP advises; wapiti wants 1, "
        "which turns on an XSS auditor browsers removed and whose blocking "
        "mode could be abused in old ones",
}


def main():
    backend = ailes_env.SqliteBackend()
    env = ailes_env.AilesEnv(backend, name="wapiti", extra_conf=STATIC_HEADERS)
    env.setup()
    shutil.rmtree(env.path("htdocs"))
    shutil.copytree(os.path.join(TOP, "htdocs"), env.path("htdocs"))
    os.chmod(env.dir, 0o755)
    env.start()
    out = tempfile.mkdtemp(prefix="wapiti-")
    try:
        env.add_tenant("acme", "Acme Corp")
        base = "http://127.0.0.1:%d/" % env.port
        report = os.path.join(out, "report.json")
        r = subprocess.run(
            ["wapiti", "-u", base, "--scope", "folder", "-f", "json",
             "-o", report, "--flush-session", "--max-scan-time", "300",
             "-m", "all", "--color", "-v", "1"],
            capture_output=True, text=True, timeout=900)
        if not os.path.exists(report):
            print(r.stdout[-3000:], r.stderr[-3000:])
            return 2
        with open(report) as f:
            data = json.load(f)
    finally:
        env.cleanup()
        backend.close()
    found = []
    for section in ("vulnerabilities", "anomalies"):
        for kind, items in data.get(section, {}).items():
            for item in items:
                found.append((section, kind, item.get("path"),
                              item.get("info")))
    infos = sum(len(v) for v in data.get("infos", {}).values()) \
        if isinstance(data.get("infos"), dict) else 0
    accepted = [f for f in found if (f[1], f[3]) in ACCEPTED]
    found = [f for f in found if (f[1], f[3]) not in ACCEPTED]
    for f in accepted:
        print("accepted: %s %s: %s" % (f[1], f[3], ACCEPTED[(f[1], f[3])]))
    for f in found:
        print("%s: %s %s %s" % f)
    print("wapiti: %d findings above informational, %d informational; "
          "crawled %s" % (len(found), infos,
                          data.get("infos", {}).get("target", base)
                          if isinstance(data.get("infos"), dict) else base))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
