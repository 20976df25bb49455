"""ailes-logship against a local HTTPS CloudWatch Logs stand-in on
loopback (self-signed certificate) that checks the SigV4 signature of
every PutLogEvents call with its own implementation and records the
events. The endpoint goes away mid-run and comes back: every event
arrives exactly once and in order. Also --verify, alerts and the ECS
credentials endpoint."""

import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import pytest

import ailes_env

SHIPPER = os.path.join(ailes_env.BUILD, "mod_ailes", "logship",
                       "ailes-logship")
KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def sigv4_check(method, path, headers, body, secret, region="ap-northeast-1",
                service="logs"):
    """An independent SigV4 verification (RFC-like steps from AWS docs)."""
    auth = headers.get("Authorization", "")
    assert auth.startswith("AWS4-HMAC-SHA256 Credential="), auth
    parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
    signed = parts["SignedHeaders"].split(";")
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers[h].split()))
                            for h in signed)
    canonical = "\n".join([method, path, "", canon_headers,
                           parts["SignedHeaders"],
                           hashlib.sha256(body).hexdigest()])
    amz_date = headers["X-Amz-Date"]
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for m in (amz_date[:8], region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return parts["Signature"] == want and \
        parts["Credential"].endswith(scope) and \
        {"host", "x-amz-date", "x-amz-target"} <= set(signed)


class FakeCloudWatch:
    def __init__(self, cert, key, secret=SECRET, token=None):
        self.port = ailes_env.free_port()
        self.events, self.calls, self.bad = [], 0, []
        self.cert, self.key, self.secret, self.token = cert, key, secret, token
        self.server = None

    def start(self):
        owner = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower() if k.lower() in (
                    "host", "x-amz-date", "x-amz-target", "content-type",
                    "x-amz-security-token") else k: v
                    for k, v in self.headers.items()}
                headers["X-Amz-Date"] = self.headers["X-Amz-Date"]
                headers["Authorization"] = self.headers["Authorization"]
                ok = sigv4_check("POST", self.path, headers, body,
                                 owner.secret)
                if owner.token:
                    ok = ok and self.headers.get(
                        "X-Amz-Security-Token") == owner.token
                ok = ok and self.headers["X-Amz-Target"] == \
                    "Logs_20140328.PutLogEvents"
                owner.calls += 1
                if not ok:
                    owner.bad.append(self.headers["Authorization"])
                    self.send_response(403)
                    self.end_headers()
                    return
                doc = json.loads(body)
                assert doc["logGroupName"] == "grp"
                owner.events += [e["message"] for e in doc["logEvents"]]
                out = b"{}"
                self.send_response(200)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                      H)
        self.server.allow_reuse_address = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        self.server.socket = ctx.wrap_socket(self.server.socket,
                                             server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True, timeout=60)
    return cert, key


def start_shipper(cw, cert, spool, env_extra=None, extra=()):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY_ID,
               AWS_SECRET_ACCESS_KEY=SECRET)
    env.pop("AWS_SESSION_TOKEN", None)
    if env_extra is not None:
        env = dict(os.environ, **env_extra)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(k, None)
    return subprocess.Popen(
        [SHIPPER, "--cloudwatch", "--region", "ap-northeast-1", "--group",
         "grp", "--stream", "node-1", "--endpoint",
         "https://127.0.0.1:%d/" % cw.port, "--cacert", cert, "--spool",
         spool, "--batch-seconds", "1"] + list(extra),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, env=env)


def wait_for(pred, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def lines(n, start=0):
    return "".join(json.dumps({"action": "test", "n": i}) + "\n"
                   for i in range(start, start + n)).encode()


def numbers(events):
    return [json.loads(json.loads(e)["line"])["n"] for e in events]


@pytest.mark.skipif(not os.path.exists(SHIPPER), reason="run make first")
class TestCloudWatch:

    def test_outage_loses_nothing_and_keeps_order(self, tls, tmp_path):
        cert, key = tls
        cw = FakeCloudWatch(cert, key)
        cw.start()
        spool = str(tmp_path / "spool")
        sh = start_shipper(cw, cert, spool)
        try:
            sh.stdin.write(lines(30))
            sh.stdin.flush()
            assert wait_for(lambda: len(cw.events) == 30)
            cw.stop()                                   # endpoint gone
            sh.stdin.write(lines(40, 30))
            sh.stdin.flush()
            assert wait_for(lambda: len(os.listdir(spool)) > 0)
            time.sleep(1.5)
            cw.start()                                  # and back
            assert wait_for(lambda: len(cw.events) == 70, timeout=90), \
                len(cw.events)
            # SIGTERM flushes what is still open.
            sh.stdin.write(lines(5, 70))
            sh.stdin.flush()
            time.sleep(0.3)
            sh.send_signal(signal.SIGTERM)
            sh.wait(30)
            assert wait_for(lambda: len(cw.events) == 75)
        finally:
            if sh.poll() is None:
                sh.kill()
            cw.stop()
        assert numbers(cw.events) == list(range(75))
        assert cw.bad == []
        # The shipped records form one intact chain.
        chain = tmp_path / "chain.log"
        chain.write_text("".join(e + "\n" for e in cw.events))
        r = subprocess.run([SHIPPER, "--verify", str(chain)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr

    def test_restart_sends_the_spool_first(self, tls, tmp_path):
        cert, key = tls
        cw = FakeCloudWatch(cert, key)
        spool = str(tmp_path / "spool")
        sh = start_shipper(cw, cert, spool)            # endpoint down
        sh.stdin.write(lines(10))
        sh.stdin.close()                               # EOF: flush, exit
        sh.wait(30)
        assert len(os.listdir(spool)) >= 1 and cw.events == []
        cw.start()
        sh = start_shipper(cw, cert, spool)
        try:
            sh.stdin.write(lines(5, 10))
            sh.stdin.flush()
            assert wait_for(lambda: len(cw.events) == 15, timeout=60)
        finally:
            sh.kill()
            cw.stop()
        assert numbers(cw.events) == list(range(15))

    def test_bad_signature_is_refused_and_kept(self, tls, tmp_path):
        cert, key = tls
        cw = FakeCloudWatch(cert, key, secret="another-secret")
        cw.start()
        spool = str(tmp_path / "spool")
        sh = start_shipper(cw, cert, spool)
        try:
            sh.stdin.write(lines(3))
            sh.stdin.flush()
            assert wait_for(lambda: cw.calls >= 1)
        finally:
            sh.kill()
            cw.stop()
        assert cw.events == [] and cw.bad
        assert os.listdir(spool)                       # nothing lost

    def test_ecs_container_credentials(self, tls, tmp_path):
        cert, key = tls
        token = "session-token-xyz"
        cw = FakeCloudWatch(cert, key, secret="ecs-secret", token=token)
        cw.start()
        creds = {"AccessKeyId": "ASIAECS", "SecretAccessKey": "ecs-secret",
                 "Token": token, "Expiration": "2099-01-01T00:00:00Z"}

        class C(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                ok = self.headers.get("Authorization") == "ecs-auth"
                out = json.dumps(creds).encode() if ok else b"{}"
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
        port = ailes_env.free_port()
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), C)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        spool = str(tmp_path / "spool")
        sh = start_shipper(cw, cert, spool, env_extra={
            "AWS_CONTAINER_CREDENTIALS_FULL_URI":
                "http://127.0.0.1:%d/creds" % port,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ecs-auth"})
        try:
            sh.stdin.write(lines(4))
            sh.stdin.flush()
            assert wait_for(lambda: len(cw.events) == 4)
        finally:
            sh.kill()
            cw.stop()
            srv.shutdown()
            srv.server_close()
        assert cw.bad == []


@pytest.mark.skipif(not os.path.exists(SHIPPER), reason="run make first")
class TestChainAndAlerts:

    def test_verify_names_the_first_broken_link(self, tmp_path):
        out = tmp_path / "chain.log"
        r = subprocess.run([SHIPPER, "--file", str(out)], input=lines(5),
                           capture_output=True, timeout=30)
        assert r.returncode == 0
        good = out.read_text().splitlines()
        assert len(good) == 5

        def check(records):
            f = tmp_path / "x.log"
            f.write_text("".join(l + "\n" for l in records))
            return subprocess.run([SHIPPER, "--verify", str(f)],
                                  capture_output=True, text=True)
        assert check(good).returncode == 0
        edited = list(good)
        edited[2] = edited[2].replace('\\"n\\": 2', '\\"n\\": 9')
        assert edited[2] != good[2]
        r = check(edited)
        assert r.returncode == 1 and "line 3" in r.stdout and "edited" in \
            r.stdout
        r = check(good[:2] + good[3:])
        assert r.returncode == 1 and "line 3" in r.stdout
        r = check([good[1], good[0]] + good[2:])
        assert r.returncode == 1 and "line 1" in r.stdout

    def test_alert_exec_rate_limited(self, tmp_path):
        seen = tmp_path / "alerts"
        text = ("[x] [ailes:error] one\nnormal\n[x] [ailes:crit] two\n"
                "custom BOOM here\n").encode()
        subprocess.run([SHIPPER, "--stdout", "--alert-exec",
                        "cat >> %s" % seen, "--alert-interval", "3600"],
                       input=text, capture_output=True, timeout=30)
        time.sleep(0.5)
        assert seen.read_text() == "[x] [ailes:error] one\n"  # rate-limited
        seen.unlink()
        subprocess.run([SHIPPER, "--stdout", "--alert-exec",
                        "cat >> %s" % seen, "--alert-pattern", "BOOM"],
                       input=text, capture_output=True, timeout=30)
        time.sleep(0.5)
        assert seen.read_text() == "custom BOOM here\n"
