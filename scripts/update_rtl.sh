#!/usr/bin/env bash
# Regenerates the checked-in RTL of the shipped configs: rtl/<config>/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja >/dev/null
cmake --build build --target strata >/dev/null
for cfg in gen/configs/*.yaml; do
  ./build/bin/strata gen "$cfg" -o "rtl/$(basename "$cfg" .yaml)"
done
