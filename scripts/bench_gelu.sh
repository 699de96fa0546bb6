#!/usr/bin/env bash
# GELU benchmark: accuracy of the unit and of the I-BERT and Edge-MoE
# baselines over every int8 and every int16 input for several quantizations
# (scripts/gelu_accuracy.cpp), resources and Fmax of the unit placed and
# routed on iCE40 UP5K and yosys xc7 estimates for the shipped gelu_unit and
# one-type variants, and cycles per element and latency measured on the
# Verilated unit. Writes the GELU section of docs/results/softmax_gelu.md
# (between <!-- gelu:begin --> and <!-- gelu:end -->; the rest of the file
# is kept) and raw reports under build/bench/gelu/.
#   ./scripts/bench_gelu.sh [--seeds N]
# (--seeds: nextpnr placements per design, the median Fmax is reported; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=1
while (($#)); do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    *) echo "bench_gelu: unknown argument '$1'; allowed: --seeds N" >&2; exit 2 ;;
  esac
done
[[ $seeds =~ ^[1-9][0-9]*$ ]] || { echo "bench_gelu: --seeds needs a positive integer, got '$seeds'" >&2; exit 2; }
changed=$(git status --porcelain -- gen host sim rtl scripts CMakeLists.txt 2>/dev/null | wc -l)
sources="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
((changed == 0)) || sources+=" with $changed uncommitted changed file(s)"
./scripts/setup.sh >/dev/null
build=${STRATA_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target strata gelu_accuracy strata_config strata_golden >/dev/null
strata=$PWD/$build/bin/strata
work=$PWD/build/bench/gelu
rm -rf "$work" && mkdir -p "$work"

echo "bench_gelu: accuracy" >&2
"$build/bin/gelu_accuracy" 64 2 > "$work/accuracy.md"

# The shipped unit and variants with one type and one form.
cp gen/configs/gelu_unit.yaml "$work/gelu_unit.yaml"
variant() {  # tag gelu-body
  printf 'name: %s\ngelu:\n%bsynth:\n  clock_mhz: 24\n' "$1" "$2" > "$work/$1.yaml"
}
variant gelu_int8 "  types: [int8]\n  forms: [erf]\n"
variant gelu_int16_d1 "  types: [int16]\n  forms: [erf]\n  segments: 256\n  degree: 1\n"
variant gelu_int16_d2 "  types: [int16]\n  forms: [erf]\n  segments: 64\n  degree: 2\n"
variant gelu_int16_d3 "  types: [int16]\n  forms: [erf]\n  segments: 32\n  degree: 3\n"
tags=(gelu_unit gelu_int8 gelu_int16_d1 gelu_int16_d2 gelu_int16_d3)

# One synthesis at a time (nextpnr is never run twice at once).
for t in "${tags[@]}"; do
  echo "bench_gelu: synthesis of $t" >&2
  "$strata" synth "$work/$t.yaml" --target ice40-up5k --seed 1 --seeds "$seeds" -o "$work/$t/up5k" > "$work/$t.up5k.log" 2>&1 ||
    echo "bench_gelu: $t up5k failed (see $work/$t.up5k.log)" >&2
  "$strata" synth "$work/$t.yaml" --target xc7 -o "$work/$t/xc7" > "$work/$t.xc7.log" 2>&1 ||
    echo "bench_gelu: $t xc7 failed (see $work/$t.xc7.log)" >&2
done

# Cycles per element and latency: the back-to-back test of the Verilated unit.
for t in "${tags[@]}"; do
  echo "bench_gelu: simulation of $t" >&2
  cmake -S sim/gelu -B "$work/$t/sim" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_EXE="$strata" -DSTRATA_CONFIG="$work/$t.yaml" \
    -DSTRATA_PREBUILT_DIR="$PWD/$build" -DSTRATA_TRACE=OFF > "$work/$t.sim.log" 2>&1
  cmake --build "$work/$t/sim" >> "$work/$t.sim.log" 2>&1
  "$work/$t/sim/gelu_cosim" --seed=1 --gtest_filter='GeluStream.BackToBack*' > "$work/$t.cycles.log"
done

python3 scripts/gelu_report.py "$work" "$seeds" "$sources" "$(yosys -V)" "$(nextpnr-ice40 --version 2>&1 | head -1)" "$(verilator --version)" \
  docs/results/softmax_gelu.md "${tags[@]}"
