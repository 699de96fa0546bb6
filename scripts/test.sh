#!/usr/bin/env bash
# Set-up if needed, build, then every test with ctest (output shown on failure).
#   ./scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
./scripts/setup.sh
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" "$@"
echo "test.sh: done in $((SECONDS - start)) s"
