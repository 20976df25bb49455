#!/bin/sh
# Runs the whole mod_ailes test suite on a Debian 12 machine, as root:
#   1. installs missing packages (scripts/deps.sh),
#   2. builds (build/) and runs the C unit tests (libcheck),
#   3. builds again with ASan+UBSan (build-asan/) and runs the unit tests,
#      and runs every libFuzzer target for a few seconds (scripts/fuzz.sh),
#   4. runs the integration suite (a real httpd) against SQLite and against
#      a private PostgreSQL cluster that the suite starts itself, with the
#      browser tests (Debian's chromium driven by playwright-core),
#   5. runs it again with the sanitizer build loaded into httpd,
#   6. runs sqlmap and wapiti (tests/security) against a private httpd,
#   7. runs the benchmarks for a second each (they must still run; the
#      numbers are recorded by tests/bench/bench.py, not judged here).
# Exits non-zero on the first failure.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/deps.sh
# playwright-core for the browser tests, pinned by tests/browser/package-lock.json.
(cd tests/browser && npm ci --no-audit --no-fund --silent)

echo "== build and unit tests"
sh scripts/build.sh build
make -s -C build check || { cat build/test-suite.log 2>/dev/null; exit 1; }
cat build/tests/unit/unit_tests.log

echo "== unit tests under ASan+UBSan"
sh scripts/build.sh build-asan --enable-sanitizers
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make -s -C build-asan check || { cat build-asan/test-suite.log 2>/dev/null; exit 1; }
cat build-asan/tests/unit/unit_tests.log

echo "== fuzzing every core parser (libFuzzer, ASan+UBSan; 5 s each here)"
FUZZ_SECONDS=${FUZZ_SECONDS:-5} sh scripts/fuzz.sh

echo "== integration tests (httpd on SQLite and PostgreSQL)"
AILES_BUILD_DIR="$top/build" /usr/bin/python3 -m pytest -v -p no:cacheprovider tests/integration

echo "== integration tests, module and ailesctl under ASan+UBSan"
AILES_BUILD_DIR="$top/build-asan" AILES_HTTPD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration

echo "== scanners: sqlmap and wapiti against a private httpd"
AILES_BUILD_DIR="$top/build" /usr/bin/python3 tests/security/sqlmap_scan.py
AILES_BUILD_DIR="$top/build" /usr/bin/python3 tests/security/wapiti_scan.py

echo "== benchmark smoke (tests/bench/bench.py --smoke)"
AILES_BUILD_DIR="$top/build" /usr/bin/python3 tests/bench/bench.py --smoke > build/bench-smoke.log 2>&1 \
    || { cat build/bench-smoke.log; exit 1; }
tail -n 3 build/bench-smoke.log
