#!/bin/sh
# The one list of Debian 12 packages mod_ailes needs to build, run its demo and
# run its tests. README, scripts/demo.sh, scripts/test.sh and .ci/run all call
# this script, so the lists cannot drift apart. Idempotent: installs only what
# is missing. Must run as root.
set -eu

PACKAGES="
apache2 apache2-dev apache2-utils
libaprutil1-dbd-sqlite3 libaprutil1-dbd-pgsql
libssl-dev libjansson-dev liboath-dev libsodium-dev libqrencode-dev
libcurl4-openssl-dev libsqlite3-dev
autoconf automake libtool pkg-config make gcc
clang libclang-rt-14-dev
check
sqlite3 postgresql redis-server
oathtool openssl
python3 python3-pytest python3-requests python3-aiosmtpd
chromium
sqlmap wapiti
libapache2-mod-security2 modsecurity-crs
"
# ModSecurity and the OWASP Core Rule Set: the WAF of conf/ailes-waf.conf,
# tested by tests/integration/test_034_waf.py. Their install enables
# security2 for the system's Apache, which no script here starts.
# Node.js runs the browser tests (playwright-core from npm, tests/browser).
# Machines of this kind bring Node 20; elsewhere Debian's package does.
if ! command -v node >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps.sh: missing Debian packages:$missing (run as root to install)" >&2
        exit 1
    fi
    echo "deps.sh: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
