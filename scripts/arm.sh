#!/usr/bin/env bash
# arm.sh - cross-compile the portable core (lib/) for a Cortex-M4 and check
# that it is fit for a microcontroller.
#
#   1. Every lib/**/*.c compiles with arm-none-eabi-gcc -mcpu=cortex-m4
#      -mthumb -Os -ffunction-sections -fdata-sections, warnings as errors.
#   2. A size table: text/data/bss per module (one .c file), per layer and total.
#   3. No object references the heap (malloc, calloc, realloc, free) or the
#      printf family (also their newlib _r variants, and puts/putchar that
#      gcc substitutes for simple printf calls).
#   4. No object has writable static storage (.data/.bss > 0): the core keeps
#      every meter's state in its context struct, so one process can run
#      many meters. const tables live in .rodata and count as text.
#
# Usage: scripts/arm.sh [OUTDIR]   (default build-arm)
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:-build-arm}
CC=${ARM_CC:-arm-none-eabi-gcc}
SIZE=${ARM_SIZE:-arm-none-eabi-size}
NM=${ARM_NM:-arm-none-eabi-nm}
CFLAGS=(-std=c11 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os
        -ffunction-sections -fdata-sections -ffreestanding
        -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -Wvla -Wcast-align
        -Ilib -Iconfig -Iport)

command -v "$CC" >/dev/null || { echo "arm: $CC not found (scripts/deps.sh installs gcc-arm-none-eabi)" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
mapfile -t SRCS < <(find lib -name '*.c' | sort)
if [ ${#SRCS[@]} -eq 0 ]; then
  echo "arm: no sources under lib/" >&2; exit 1
fi

fail=0
OBJS=()
for src in "${SRCS[@]}"; do
  obj="$OUT/${src%.c}.o"
  mkdir -p "$(dirname "$obj")"
  if ! "$CC" "${CFLAGS[@]}" -c "$src" -o "$obj"; then
    echo "arm: FAILED to compile $src" >&2
    fail=1
    continue
  fi
  OBJS+=("$obj")
done
[ $fail -eq 0 ] || exit 1

# Forbidden references: heap and printf family (incl. newlib reentrant forms).
FORBIDDEN='^(_?malloc|_?calloc|_?realloc|_?free|_malloc_r|_calloc_r|_realloc_r|_free_r|_sbrk|sbrk|printf|fprintf|sprintf|snprintf|vprintf|vfprintf|vsprintf|vsnprintf|asprintf|vasprintf|dprintf|iprintf|fiprintf|siprintf|sniprintf|_printf_r|_fprintf_r|_sprintf_r|_snprintf_r|_vfprintf_r|_svfprintf_r|puts|putchar|fputs|fputc|fwrite|fopen)$'

printf '\n%-44s %8s %6s %6s\n' "module (lib/)" "text" "data" "bss"
printf '%-44s %8s %6s %6s\n' "--------------------------------------------" "--------" "------" "------"
total_t=0; total_d=0; total_b=0
declare -A layer_t layer_d layer_b
for obj in "${OBJS[@]}"; do
  read -r t d b _ < <("$SIZE" -B "$obj" | awk 'NR==2 {print $1, $2, $3}')
  mod=${obj#"$OUT"/lib/}
  mod=${mod%.o}
  layer=${mod%%/*}
  printf '%-44s %8d %6d %6d\n' "$mod" "$t" "$d" "$b"
  total_t=$((total_t + t)); total_d=$((total_d + d)); total_b=$((total_b + b))
  layer_t[$layer]=$(( ${layer_t[$layer]:-0} + t ))
  layer_d[$layer]=$(( ${layer_d[$layer]:-0} + d ))
  layer_b[$layer]=$(( ${layer_b[$layer]:-0} + b ))
  if [ "$d" -ne 0 ] || [ "$b" -ne 0 ]; then
    echo "arm: $mod has writable static storage (data=$d bss=$b): keep state in the context struct" >&2
    "$NM" -S --size-sort "$obj" | grep -E ' [bBdD] ' >&2 || true
    fail=1
  fi
  bad=$("$NM" -u "$obj" | awk '{print $NF}' | grep -E "$FORBIDDEN" || true)
  if [ -n "$bad" ]; then
    echo "arm: $mod references forbidden symbols: $(echo $bad)" >&2
    fail=1
  fi
done
printf '%-44s %8s %6s %6s\n' "--------------------------------------------" "--------" "------" "------"
for layer in $(printf '%s\n' "${!layer_t[@]}" | sort); do
  printf '%-44s %8d %6d %6d\n' "layer $layer" "${layer_t[$layer]}" "${layer_d[$layer]}" "${layer_b[$layer]}"
done
printf '%-44s %8d %6d %6d\n' "total" "$total_t" "$total_d" "$total_b"
echo
echo "compiler: $("$CC" --version | head -1)"
echo "flags: ${CFLAGS[*]}"

if [ $fail -ne 0 ]; then
  echo "arm: FAILED" >&2
  exit 1
fi
echo "arm: OK (${#OBJS[@]} modules, no heap, no printf, no writable statics)"
