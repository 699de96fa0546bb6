#!/usr/bin/env bash
# Installs every dependency of Strata from Debian's packages. Idempotent: a
# package already installed is skipped, and nothing is done when all are there.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config git
  # C++ libraries
  libfmt-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libgmp-dev libelf-dev
  googletest libgtest-dev libgmock-dev libsystemc-dev
  # ONNX import (strata import): ONNX's protobuf classes, and its Python package for the tests
  libonnx-dev libprotobuf-dev
  # HDL tools
  verilator iverilog yosys nextpnr-ice40 fpga-icestorm
  # RISC-V tool-chain
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  # scripts
  python3
  python3-onnx python3-numpy
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "setup: error: apt-get not found; install these Debian packages by hand: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      echo "setup: error: not root and no password-less sudo; run as root or install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "setup: error: apt-get install failed for: ${missing[*]}" >&2
    exit 1
  fi
fi

# Versions this project is tested with; older ones lack features the build uses.
need_version() {  # name, found, minimum
  if [[ "$(printf '%s\n%s\n' "$3" "$2" | sort -V | head -1)" != "$3" ]]; then
    echo "setup: error: $1 $2 is too old; need >= $3" >&2
    exit 1
  fi
}
need_version verilator "$(verilator --version | awk '{print $2}')" 5.006
need_version yosys "$(yosys -V | awk '{print $2}')" 0.23
need_version cmake "$(cmake --version | awk 'NR==1{print $3}')" 3.22
command -v nextpnr-ice40 >/dev/null || { echo "setup: error: nextpnr-ice40 missing" >&2; exit 1; }
echo "setup: all dependencies present"
