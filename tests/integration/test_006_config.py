"""httpd configuration: bad directives stop `apache2 -t` (configtest) with a
message naming the problem, and conf/ailes.conf documents every directive."""

import os
import re
import subprocess

import pytest

import ailes_env

REFERENCE_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "..", "conf", "ailes.conf")


def configtest(env, text):
    """Run httpd's configtest on text; return (returncode, output)."""
    path = env.path("configtest.conf")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([ailes_env.APACHE, "-t", "-f", path],
                       capture_output=True, text=True, timeout=60,
                       env=ailes_env.httpd_environ(env.path("sanitizer")))
    return r.returncode, r.stdout + r.stderr


def base_conf(env):
    with open(env.conf) as f:
        return f.read()


def write_key(env, name, data, mode):
    path = env.path(name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


class TestConfigtest:

    def test_valid_config_passes(self, env):
        rc, out = configtest(env, base_conf(env))
        assert rc == 0, out
        assert "Syntax OK" in out

    @pytest.mark.parametrize("slug", ["Bad_Slug", "a" * 33, "acme.com"])
    def test_bad_tenant_slug(self, env, slug):
        text = base_conf(env).replace("AilesTenant acme",
                                      "AilesTenant %s" % slug)
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "AilesTenant" in out and "slug" in out
        assert re.search(r"line \d+", out), out

    @pytest.mark.parametrize("cost", ["3", "16", "abc", "12x", ""])
    def test_bad_bcrypt_cost(self, env, cost):
        text = base_conf(env).replace("AilesBcryptCost 4",
                                      'AilesBcryptCost "%s"' % cost)
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "AilesBcryptCost" in out

    @pytest.mark.parametrize("mode", [0o440, 0o404, 0o600 | 0o004])
    def test_key_file_readable_by_others(self, env, mode):
        key = write_key(env, "loose.key", os.urandom(32), mode)
        text = re.sub(r'AilesVaultKeyFile .*', 'AilesVaultKeyFile "%s"' % key,
                      base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "group or others" in out

    @pytest.mark.parametrize("size", [0, 31, 33, 64])
    def test_key_file_wrong_size(self, env, size):
        key = write_key(env, "size.key", os.urandom(size), 0o400)
        text = re.sub(r'AilesVaultKeyFile .*', 'AilesVaultKeyFile "%s"' % key,
                      base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "exactly 32 bytes" in out

    def test_key_file_missing(self, env):
        text = re.sub(r'AilesVaultKeyFile .*',
                      'AilesVaultKeyFile "%s"' % env.path("nope.key"),
                      base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "does not exist" in out

    def test_index_key_must_not_be_a_vault_key(self, env):
        text = re.sub(r'AilesVaultIndexKeyFile .*',
                      'AilesVaultIndexKeyFile "%s"' % env.key_file,
                      base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "AilesVaultIndexKeyFile must hold a key of its own" in out

    def test_index_key_file_checked_like_the_vault_key(self, env):
        key = write_key(env, "loose-index.key", os.urandom(32), 0o444)
        text = re.sub(r'AilesVaultIndexKeyFile .*',
                      'AilesVaultIndexKeyFile "%s"' % key, base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "AilesVaultIndexKeyFile" in out and "group or others" in out

    def test_vault_required_with_tenants(self, env):
        text = re.sub(r'\nAilesVaultDB .*', '\n', base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "AilesVaultDB is required" in out

    def test_vault_driver_unknown(self, env):
        text = re.sub(r'\nAilesVaultDB .*', '\nAilesVaultDB mysql x',
                      base_conf(env))
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "sqlite3 or pgsql" in out

    def test_vault_db_not_in_vhost(self, env):
        text = base_conf(env).replace(
            "AilesTenant acme",
            "AilesTenant acme\n    AilesVaultDB sqlite3 /tmp/x.db")
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "AilesVaultDB" in out and "VirtualHost" in out

    @pytest.mark.parametrize("require", ["Require ailes-role wizard",
                                         "Require ailes-role"])
    def test_require_unknown_role(self, env, require):
        text = base_conf(env).replace("Require ailes-role tenant_admin",
                                      require)
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "ailes-role" in out


    @pytest.mark.parametrize("line,words", [
        ("AilesTenantAllowIP 192.0.2.1/24", "host bits"),
        ("AilesTenantAllowIP 192.0.2.0/33", "prefix"),
        ("AilesTenantAllowIP example.com", "not an IPv4 or IPv6"),
        ("AilesTenantIPScope everyone", "staff"),
        ("AilesTOTPWindow 3", "AilesTOTPWindow"),
        ("AilesTenantRequireTOTP examinee", "no TOTP"),
        ("AilesSessionIdle 10s", "AilesSessionIdle"),
        ("AilesLockout 0", "AilesLockout"),
        ("AilesTenantPathPrefix t", "AilesTenantPathPrefix"),
        ("AilesTenantPathPrefix /t/", "AilesTenantPathPrefix"),
        ("<Location /x>\nRequire ailes-label\n</Location>", "ailes-label"),
        ("<Location /x>\nRequire ailes-label \"a\tb\"\n</Location>",
         "control character")])
    def test_bad_directive(self, env, line, words):
        text = base_conf(env).replace("AilesTenant acme",
                                      "AilesTenant acme\n    " + line)
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert words in out, out


    def test_unknown_session_cache(self, env):
        text = base_conf(env).replace(
            "AilesCookieSecure Off",
            "AilesCookieSecure Off\nAilesSessionCache nosuchcache:x")
        rc, out = configtest(env, text)
        assert rc != 0, out
        assert "no socache provider 'nosuchcache'" in out


class TestReferenceConf:

    def test_every_directive_documented(self, env):
        """`apache2 -L` lists the module's directives; each must appear,
        uncommented, in conf/ailes.conf."""
        r = subprocess.run([ailes_env.APACHE, "-f", env.conf, "-L"],
                           capture_output=True, text=True, timeout=60,
                           env=ailes_env.httpd_environ(env.path("sanitizer")))
        assert r.returncode == 0, r.stderr
        directives = re.findall(r"^(Ailes\w+) \(mod_ailes\.c\)", r.stdout,
                                re.M)
        assert len(directives) >= 5, r.stdout
        with open(REFERENCE_CONF) as f:
            active = [l.split()[0] for l in f
                      if l.strip() and not l.lstrip().startswith("#")]
        missing = [d for d in directives if d not in active]
        assert not missing, "missing from conf/ailes.conf: %s" % missing
