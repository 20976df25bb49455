#!/bin/sh
# Starts the mod_ailes demo: a private httpd in the foreground on
# 127.0.0.1:8080 (AILES_DEMO_PORT to change), SQLite main and vault
# databases, a vault key, a tenant "demo" with a tenant admin and an
# employee. Prints the URL and the credentials. Run as root; idempotent:
# a second run reuses the databases and prints the same credentials.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
port=${AILES_DEMO_PORT:-8080}
demo=${AILES_DEMO_DIR:-/var/lib/ailes-demo}

if [ "$(id -u)" != 0 ]; then
    echo "demo.sh: run as root (it installs packages and starts httpd as www-data)" >&2
    exit 1
fi
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh" build
build="$top/build"

mkdir -p "$demo/run" "$demo/data" "$demo/htdocs"
chown www-data:www-data "$demo/data"
chmod 0755 "$demo"
for key in vault.key index.key; do
    if [ ! -f "$demo/$key" ]; then
        (umask 077; head -c 32 /dev/urandom > "$demo/$key")
    fi
    chmod 0400 "$demo/$key"
done
# www-data must reach the pages, so they are copied out of the checkout
# (which may sit under /root).
rm -rf "$demo/htdocs"
cp -R "$top/htdocs" "$demo/htdocs"
chmod -R a+rX "$demo/htdocs"
sed -e "s|@DEMO@|$demo|g" -e "s|@BUILD@|$build|g" \
    -e "s|@LISTEN@|127.0.0.1:$port|g" "$top/conf/demo.conf.in" > "$demo/httpd.conf"

ctl() { "$build/mod_ailes/cli/ailesctl" -f "$demo/httpd.conf" "$@"; }
ctl migrate >/dev/null
ctl tenant list | grep -q '^demo	' || ctl tenant add demo "デモ株式会社 (Demo Corp.)" >/dev/null

creds="$demo/credentials.txt"
if [ ! -f "$creds" ]; then
    # Random passwords that meet the policy: 12+ characters, upper, lower,
    # digit.
    gen() { printf '%s%s' "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12)" "Aa7"; }
    admin_pw=$(gen)
    emp_pw=$(gen)
    printf '%s\n' "$admin_pw" | ctl user add --tenant demo --employee-no A0001 \
        --role tenant_admin --name "人事 花子" >/dev/null
    printf '%s\n' "$emp_pw" | ctl user add --tenant demo --employee-no E0001 \
        --role employee --name "山田 太郎" >/dev/null
    (umask 077; printf 'tenant admin: employee number A0001, password %s\nemployee:     employee number E0001, password %s\n' \
        "$admin_pw" "$emp_pw" > "$creds")
fi

/usr/sbin/apache2 -f "$demo/httpd.conf" -t >/dev/null 2>&1 || /usr/sbin/apache2 -f "$demo/httpd.conf" -t
cat <<MSG

mod_ailes demo: http://127.0.0.1:$port/   (tenant "demo", SQLite in $demo/data)
$(cat "$creds")
Health: http://127.0.0.1:$port/api/v1/health     Stop with Ctrl-C.

MSG
exec /usr/sbin/apache2 -f "$demo/httpd.conf" -DFOREGROUND
