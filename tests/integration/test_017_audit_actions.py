"""Every kind of event the spec wants recorded is emitted: authentication,
admin changes, reads of other people's data, uploads, IP refusals,
exports. One scenario walks through them; the audit table (and thus the
AilesAuditLog lines, written from the same records) must hold each."""

import pytest

from ailes_env import totp_code

PW = "Employee-Passw0rd"
ADMIN_PW = "Admin-Passw0rd-2025"

EXPECTED = {
    "login.ok", "login.fail", "login.locked", "account.locked",
    "account.unlocked", "logout", "password.changed",
    "totp.enrollment_started", "totp.enrolled", "totp.reset",
    "login.totp_fail", "login.password_ok", "user.created", "user.updated",
    "user.deleted", "label.created", "grants.changed", "users.imported",
    "user.activated", "activation.issued", "activation.fail", "ip.denied",
    "ip.allowlist_changed", "person.read", "people.listed",
    "audit.exported", "tenant.created",
}


class TestEveryAction:
    EXTRA_CONF = "AilesTenantAllowIP 127.0.0.1/32\n"

    def test_scenario_emits_every_action(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_user("acme", "A001", "tenant_admin", "人事 一郎", ADMIN_PW)
        env.add_user("acme", "E001", "employee", "山田 太郎", PW)
        a, al = env.login("A001", ADMIN_PW)         # enrolment, login.ok
        h = {"X-CSRF-Token": al["csrf_token"]}
        post = lambda path, body=None: a.post(env.url("/api" + path),
                                             json=body, headers=h,
                                             timeout=30)
        assert post("/v1/labels", {"name": "営業部"}).status_code == 201
        assert post("/v1/users", {"employee_no": "H001", "name": "保健 師",
                                  "role": "health_staff",
                                  "password": "Health-Staff-Pw1"}) \
            .status_code == 201
        assert a.patch(env.url("/api/v1/users/E001"), headers=h, timeout=10,
                       json={"labels": ["営業部"]}).status_code == 200
        assert a.put(env.url("/api/v1/users/H001/grants"), headers=h,
                     timeout=10, json={"labels": ["営業部"]}) \
            .status_code == 200
        r = a.post(env.url("/api/v1/users/import"), timeout=30,
                   data="employee_no,name\nE009,新 人\n".encode(),
                   headers=dict(h, **{"Content-Type": "text/csv"}))
        assert r.status_code == 200
        code = r.json()["activation_codes"][0]["activation_code"]
        env.session().post(env.url("/api/v1/activation"), timeout=10,
                           json={"employee_no": "E009",
                                 "activation_code": "abcd-efgh-jkmn-pqrs",
                                 "new_password": "New-Passw0rd-1"})
        assert env.session().post(env.url("/api/v1/activation"), timeout=10,
                                  json={"employee_no": "E009",
                                        "activation_code": code,
                                        "new_password": "New-Passw0rd-1"}) \
            .status_code == 204
        assert post("/v1/users/E009/activation").status_code == 200
        assert a.delete(env.url("/api/v1/users/E009"), headers=h,
                        timeout=10).status_code == 204
        # Lock and unlock, password change, logout.
        for _ in range(6):
            env.post_session("E001", "Wrong-Passw0rd-1")
        assert post("/v1/users/E001/unlock").status_code == 204
        s, sl = env.login("E001", PW)
        assert s.post(env.url("/api/v1/me/password"), timeout=10,
                      headers={"X-CSRF-Token": sl["csrf_token"]},
                      json={"current_password": PW,
                            "new_password": "Changed-Passw0rd"}) \
            .status_code == 204
        s.delete(env.url("/api/v1/session"), timeout=10,
                 headers={"X-CSRF-Token": sl["csrf_token"]})
        # A wrong second factor, then the reset of the admin's own TOTP by
        # a second admin.
        half, r = env.post_session("A001", ADMIN_PW)
        half.post(env.url("/api/v1/session/totp"), json={"code": "000000"
                  if totp_code(env.totp[("acme.test", "A001")]) != "000000"
                  else "111111"},
                  headers={"X-CSRF-Token": r.json()["csrf_token"]},
                  timeout=10)
        env.sql("DELETE FROM login_attempts")
        assert post("/v1/users/H001/reset-totp").status_code == 204
        # Staff reads, IP refusal, allow-list change, export.
        hs, _ = env.login("H001", "Health-Staff-Pw1")
        assert hs.get(env.url("/api/v1/people"), timeout=10).status_code \
            == 200
        assert hs.get(env.url("/api/v1/people/E001"), timeout=10) \
            .status_code == 200
        env.post_session("A001", ADMIN_PW, source="127.0.0.2")
        a, al = env.login("A001", ADMIN_PW)
        h = {"X-CSRF-Token": al["csrf_token"]}
        assert a.put(env.url("/api/v1/tenant/ip-allowlist"), headers=h,
                     timeout=10, json={"cidrs": ["127.0.0.1"]}) \
            .status_code == 200
        assert a.patch(env.url("/api/v1/users/E001"), headers=h, timeout=10,
                       json={"name": "山田 太朗"}).status_code == 200
        assert a.get(env.url("/api/v1/audit"), timeout=30).status_code == 200
        actions = {a for (a,) in env.sql("SELECT DISTINCT action FROM audit")}
        missing = EXPECTED - actions
        assert not missing, "not emitted: %s" % sorted(missing)
