#!/bin/sh
# Builds the libFuzzer targets of tests/fuzz/ (one per core parser) with
# clang, ASan and UBSan into build-fuzz/, then runs each for FUZZ_SECONDS
# (default 10) from its seed corpus in tests/fuzz/corpus/NAME/.
#   sh scripts/fuzz.sh                     every target, 10 s each
#   FUZZ_SECONDS=600 sh scripts/fuzz.sh    the long run, on demand
#   sh scripts/fuzz.sh csv json            only these targets
# The corpus is copied to a temporary folder first, so the run never
# changes the repository. Exits non-zero when any target crashes, leaks,
# times out or gets a sanitizer report; the input that did it is left in
# build-fuzz/ (fuzz_NAME-crash-..., -leak-..., -timeout-...) and the log in
# build-fuzz/logs/NAME.log. Replay one with build-fuzz/fuzz_NAME FILE.
# The core is compiled here directly (not through configure), with the same
# pkg-config packages as configure.ac.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/deps.sh

seconds=${FUZZ_SECONDS:-10}
cc=${CLANG:-clang}
out="$top/build-fuzz"
objs="$out/core"
mkdir -p "$objs" "$out/logs"

pkgs="apr-1 apr-util-1 libcrypto jansson liboath libsodium libqrencode"
pkg_cflags=$(pkg-config --cflags $pkgs)
pkg_libs=$(pkg-config --libs $pkgs)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
-Wno-unused-parameter $san $pkg_cflags -I$top/mod_ailes/core"

# Every target, by the name of its tests/fuzz/fuzz_NAME.c.
all=$(cd tests/fuzz && ls fuzz_*.c | sed -e '/^fuzz_common\.c$/d' \
      -e 's/^fuzz_\(.*\)\.c$/\1/')
targets=${*:-$all}

echo "== building the core with clang, ASan, UBSan and fuzzer coverage"
"$cc" --version | head -n 1
sh build-aux/embed-sql.sh sql > "$out/ailes_sql_embedded.c.tmp"
if ! cmp -s "$out/ailes_sql_embedded.c.tmp" "$out/ailes_sql_embedded.c"; then
    mv "$out/ailes_sql_embedded.c.tmp" "$out/ailes_sql_embedded.c"
else
    rm -f "$out/ailes_sql_embedded.c.tmp"
fi
newest_h=$(ls -t mod_ailes/core/*.h | head -n 1)
core_o=""
for src in mod_ailes/core/*.c "$out/ailes_sql_embedded.c"; do
    o="$objs/$(basename "$src" .c).o"
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
        # shellcheck disable=SC2086
        "$cc" $cflags -fsanitize=fuzzer-no-link -c "$src" -o "$o"
    fi
    core_o="$core_o $o"
done
rm -f "$out/libailes_core_fuzz.a"
# shellcheck disable=SC2086
ar rcs "$out/libailes_core_fuzz.a" $core_o

echo "== building the targets"
for t in $targets; do
    # shellcheck disable=SC2086
    "$cc" $cflags -fsanitize=fuzzer -o "$out/fuzz_$t" \
        "tests/fuzz/fuzz_$t.c" tests/fuzz/fuzz_common.c \
        "$out/libailes_core_fuzz.a" $pkg_libs -ldl
done

echo "== running each target for ${seconds}s"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
failed=""
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
for t in $targets; do
    mkdir -p "$work/$t"
    if [ -d "tests/fuzz/corpus/$t" ]; then
        cp -R "tests/fuzz/corpus/$t/." "$work/$t/"
    fi
    log="$out/logs/$t.log"
    if "$out/fuzz_$t" -max_total_time="$seconds" -timeout=25 \
            -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
            -artifact_prefix="$out/fuzz_$t-" "$work/$t" > "$log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed="$failed $t"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    corpus=$(ls "$work/$t" | wc -l)
    printf '%-16s %-6s %10s runs %8s exec/s %6s corpus files\n' \
        "$t" "$status" "${runs:-?}" "${rate:-?}" "$corpus"
    if [ "$status" = FAILED ]; then
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" \
            | head -n 20 | sed 's/^/    /'
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz.sh: findings in:$failed (logs in build-fuzz/logs, inputs in build-fuzz/)" >&2
    exit 1
fi
echo "fuzz.sh: no findings"
