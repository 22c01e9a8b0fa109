#!/usr/bin/env bash
# fuzz.sh - build every libFuzzer target under fuzz/ with clang and run each
# for SECONDS seconds (default 60) on a scratch copy of its seed corpus.
#
# A target is fuzz/fuzz_<name>.c; its seeds are fuzz/corpus/<name>/. It is
# linked with the whole portable core (lib/), the mbedTLS crypto port, and
# any extra host sources it names on a line "FUZZ_EXTRA_SOURCES: a.c b.c".
# A finding (crash, leak, timeout, sanitizer report) fails the script and
# leaves the reproducer in build-fuzz/artifacts/.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
shift || true
OUT=build-fuzz
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (scripts/deps.sh installs clang)" >&2; exit 1; }

CFLAGS=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Ilib -Iconfig -Iport -Iport/posix -Iapps/emeter
        -Wall -Wextra -Werror)
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all)

mkdir -p "$OUT/obj" "$OUT/artifacts" "$OUT/corpus"

# The core and the crypto port, compiled once with coverage instrumentation.
CORE_OBJS=()
while IFS= read -r src; do
  obj="$OUT/obj/${src//\//_}.o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ config/emeter_config.h -nt "$obj" ]; then
    "$CC" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  fi
  CORE_OBJS+=("$obj")
done < <(find lib -name '*.c' | sort; ls port/posix/crypto_mbedtls.c port/posix/keywrap_nettle.c 2>/dev/null || true)

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <(ls fuzz/fuzz_*.c | sed 's#fuzz/fuzz_##; s#\.c$##' | sort)
fi
[ ${#TARGETS[@]} -gt 0 ] || { echo "fuzz: no targets" >&2; exit 1; }

fail=0
for t in "${TARGETS[@]}"; do
  src="fuzz/fuzz_$t.c"
  extra=$(sed -n 's/.*FUZZ_EXTRA_SOURCES:\(.*\)/\1/p' "$src" | head -1)
  # shellcheck disable=SC2086
  "$CC" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer "$src" $extra "${CORE_OBJS[@]}" \
        -lmbedcrypto -lnettle -ljson-c -lm -o "$OUT/fuzz_$t"
  work="$OUT/corpus/$t"
  rm -rf "$work"; mkdir -p "$work"
  if [ -d "fuzz/corpus/$t" ]; then cp -r "fuzz/corpus/$t/." "$work/"; fi
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s ($(ls "$work" | wc -l) seeds)"
  if ! "$OUT/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" "$work" \
        > "$OUT/fuzz_$t.log" 2>&1; then
    echo "fuzz: FINDING in $t (log: $OUT/fuzz_$t.log)" >&2
    tail -40 "$OUT/fuzz_$t.log" >&2
    fail=1
  else
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz_$t.log")
    cov=$(grep -o 'cov: [0-9]*' "$OUT/fuzz_$t.log" | tail -1)
    echo "fuzz: $t ok: $execs runs, $cov"
  fi
done
[ $fail -eq 0 ] && echo "fuzz: all ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET}s without a finding"
exit $fail
