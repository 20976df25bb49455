#!/bin/sh
# Builds mod_ailes out of tree: scripts/build.sh [BUILD_DIR [CONFIGURE_ARGS...]]
# (default BUILD_DIR: build). Regenerates configure when needed, configures
# once, then runs make. Idempotent; prints the build folder on success.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case "$build" in /*) ;; *) build="$top/$build" ;; esac

if [ -f "$top/config.status" ]; then
    echo "build.sh: the source tree is configured in place; run 'make distclean' there first" >&2
    exit 1
fi
if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] \
   || [ "$top/Makefile.am" -nt "$top/Makefile.in" ]; then
    (cd "$top" && ./autogen.sh >/dev/null 2>&1) || (cd "$top" && ./autogen.sh)
fi
mkdir -p "$build"
cd "$build"
if [ ! -f config.status ]; then
    "$top/configure" --quiet "$@"
fi
make -s -j"$(nproc)"
