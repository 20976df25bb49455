"""The access-control matrix: every API route (read from the route tables
in mod_ailes/httpd, so a new route without a rule here fails) x every
role x anonymous, and the other tenant's objects. A role the rule does
not name gets 403 `forbidden` whatever the request holds; a role it
names gets past the role check (no 401/403); no session gets 401; a
person or object of another tenant answers 404."""

import glob
import os
import re

import pytest

from ailes_env import error_json

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PW = "Matrix-Passw0rd-2025"

ROLES = ["employee", "examinee", "sc_staff", "sc_implementer",
         "health_staff", "tenant_admin"]
ALL = set(ROLES)
EMPLOYEES = ALL - {"examinee"}
ADMIN = {"tenant_admin"}
SC = {"sc_staff", "sc_implementer"}

# (method, route) -> the roles that may call it. "public": no session
# needed; "stage": a route for a session at a stage (tested elsewhere:
# test_009_totp), checked here only for anonymous 401.
RULES = {
    ("GET", "/v1/health"): "public",
    ("POST", "/v1/session"): "public",
    ("POST", "/v1/activation"): "public",
    ("DELETE", "/v1/session"): "stage",
    ("GET", "/v1/me"): "stage",
    ("POST", "/v1/session/totp"): "stage",
    ("POST", "/v1/me/totp"): "stage",
    ("POST", "/v1/me/totp/confirm"): "stage",
    ("POST", "/v1/me/password"): ALL,
    ("GET", "/v1/audit"): ADMIN,
    ("POST", "/v1/checkups"): ADMIN | {"health_staff"},
    ("GET", "/v1/checkups"): EMPLOYEES,
    ("GET", "/v1/checkups/status"): ADMIN,
    ("GET", "/v1/checkups/report"): ADMIN | {"health_staff"},
    ("POST", "/v1/users/import"): ADMIN,
    ("POST", "/v1/users/{employee_no}/activation"): ADMIN,
    ("GET", "/v1/lifelog"): EMPLOYEES,
    ("POST", "/v1/lifelog"): EMPLOYEES,
    ("GET", "/v1/points"): EMPLOYEES,
    ("GET", "/v1/points/rules"): ADMIN,
    ("PUT", "/v1/points/rules"): ADMIN,
    ("GET", "/v1/lifelog/flags"): ADMIN,
    ("POST", "/v1/lifelog/flags/{id}/reverse"): ADMIN,
    ("GET", "/v1/people"): SC | {"health_staff"},
    ("GET", "/v1/people/{employee_no}"): SC | {"health_staff"},
    ("GET", "/v1/stress-check/questionnaire"): ALL,
    ("GET", "/v1/stress-check/campaigns"): ALL,
    ("POST", "/v1/stress-check/campaigns"): SC,
    ("POST", "/v1/stress-check/campaigns/{id}/close"): SC,
    ("GET", "/v1/stress-check/answers"): ALL,
    ("PUT", "/v1/stress-check/answers"): ALL,
    ("GET", "/v1/stress-check/result"): ALL,
    ("POST", "/v1/stress-check/consent"): ALL,
    ("POST", "/v1/stress-check/interview"): ALL,
    ("GET", "/v1/stress-check/results"): SC | ADMIN | {"health_staff"},
    ("GET", "/v1/stress-check/group"): SC | ADMIN | {"health_staff"},
    ("GET", "/v1/tenant/ip-allowlist"): ADMIN,
    ("PUT", "/v1/tenant/ip-allowlist"): ADMIN,
    ("GET", "/v1/users"): ADMIN,
    ("POST", "/v1/users"): ADMIN,
    ("GET", "/v1/users/{employee_no}"): ADMIN,
    ("PATCH", "/v1/users/{employee_no}"): ADMIN,
    ("DELETE", "/v1/users/{employee_no}"): ADMIN,
    ("PUT", "/v1/users/{employee_no}/grants"): ADMIN,
    ("POST", "/v1/users/{employee_no}/unlock"): ADMIN,
    ("POST", "/v1/users/{employee_no}/reset-totp"): ADMIN,
    ("GET", "/v1/labels"): ADMIN,
    ("GET", "/v1/notices"): ALL,
    ("POST", "/v1/notices/{id}/read"): ALL,
    ("POST", "/v1/labels"): ADMIN,
}

ROUTE_RE = re.compile(r'\{\s*M_(GET|POST|PUT|PATCH|DELETE),\s*"([^"]+)",'
                      r'\s*AILES_API_(\w+)')


def server_routes():
    routes = []
    for path in sorted(glob.glob(os.path.join(TOP, "mod_ailes", "httpd",
                                              "ailes_api_*.c"))):
        with open(path, encoding="utf-8") as f:
            routes += [(m.group(1), m.group(2), m.group(3))
                       for m in ROUTE_RE.finditer(f.read())]
    return routes


ROUTES = server_routes()
# G001 exists only in the other tenant: a path naming it is another
# tenant's object.
FOREIGN = {"{employee_no}": "G001", "{id}": "999999"}


# Bodies valid enough to get past validation to the lookup (a 400 for a
# bad body says nothing about whether the object exists).
BODIES = {
    ("PUT", "/v1/users/{employee_no}/grants"): {"labels": []},
    ("POST", "/v1/lifelog/flags/{id}/reverse"): {"reason": "matrix"},
    ("PATCH", "/v1/users/{employee_no}"): {"role": "employee"},
}


def concrete(route):
    for k, v in FOREIGN.items():
        route = route.replace(k, v)
    return route


def test_every_route_has_a_rule():
    assert len(ROUTES) > 40, "route tables not found"
    missing = [(m, r) for m, r, _ in ROUTES if (m, r) not in RULES]
    assert not missing, "routes without an access rule: %s" % missing
    stale = set(RULES) - {(m, r) for m, r, _ in ROUTES}
    assert not stale, "rules for routes that do not exist: %s" % stale


class TestMatrix:

    @pytest.fixture(scope="class", autouse=True)
    def sessions(self, env):
        env.add_tenant("acme", "Acme Corp")
        env.add_tenant("globex", "Globex")
        env.add_user("globex", "G001", "employee", "Globex Emp", PW)
        env.roles = {}
        for i, role in enumerate(ROLES):
            no = "R%02d" % i
            env.add_user("acme", no, role, "役割 " + role, PW)
            s, login = env.login(no, PW)
            env.roles[role] = (s, {"X-CSRF-Token": login["csrf_token"]})

    def call(self, env, s, headers, method, route):
        kw = {"timeout": 20, "headers": dict(headers)}
        if method in ("POST", "PUT", "PATCH"):
            kw["json"] = BODIES.get((method, route), {})
        return s.request(method, env.url("/api" + concrete(route)), **kw)

    @pytest.mark.parametrize("method,route", sorted(
        (m, r) for m, r in RULES if RULES[(m, r)] not in ("public",
                                                          "stage")))
    def test_roles(self, env, method, route):
        allowed = RULES[(method, route)]
        wrong = []
        for role in ROLES:
            s, headers = env.roles[role]
            r = self.call(env, s, headers, method, route)
            refused = r.status_code == 403 and error_json(r) == "forbidden"
            if role in allowed:
                if r.status_code in (401, 500) or refused:
                    wrong.append((role, r.status_code, r.text[:120]))
                # Another tenant's person or object: like nobody.
                if "{" in route and r.status_code != 404:
                    wrong.append((role, "foreign", r.status_code))
            elif not refused:
                wrong.append((role, r.status_code, r.text[:120]))
        assert not wrong, wrong

    @pytest.mark.parametrize("method,route", sorted(
        (m, r) for m, r in RULES if RULES[(m, r)] != "public"))
    def test_anonymous(self, env, method, route):
        r = env.session().request(
            method, env.url("/api" + concrete(route)), timeout=20,
            json={} if method in ("POST", "PUT", "PATCH") else None)
        # A write without Origin and CSRF header, or a read: 401 first.
        assert r.status_code == 401, (r.status_code, r.text[:200])
        assert error_json(r) == "unauthenticated"
