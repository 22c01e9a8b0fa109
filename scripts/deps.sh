#!/usr/bin/env bash
# deps.sh - install the Debian packages emeter needs, only those missing.
#
# Called by `make test`, `make run`, `make arm` and `make fuzz`, so the two
# README commands work on a fresh Debian machine as root. Runs `apt-get
# update` only when something has to be installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config      # compiler, CMake 3.25, pkg-config
  libcmocka-dev                         # unit tests
  libjson-c-dev                         # emeter --config (apps/emeter/config.c)
  libmicrohttpd-dev                     # emeter --control, the operator API (apps/emeter/control.c)
  libmbedtls-dev                        # AES-GCM, SHA-256 (port/posix)
  nettle-dev                            # AES key wrap (Debian's mbedTLS lacks NIST_KW)
  clang libclang-rt-14-dev              # libFuzzer targets (make fuzz)
  gcc-arm-none-eabi libnewlib-arm-none-eabi  # make arm
)

missing=()
for p in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" for a package that is present.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
