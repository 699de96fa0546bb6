#!/usr/bin/env bash
# The main job on one config (default: gen/configs/default.yaml):
# set-up if needed, build, generate -> lint -> verilate and co-simulate against
# the golden model -> synthesize and place for iCE40 UP5K -> short report;
# then the trained pulse network on nn_pulse's engine (strata pulse, docs/train.md).
#   ./scripts/run.sh [CONFIG]
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:-gen/configs/default.yaml}
./scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target strata
strata=./build/bin/strata
work=build/run/$(basename "$config" .yaml)
mkdir -p "$work"

$strata gen "$config" -o "$work/design"
$strata lint "$work/design"
$strata sim "$config" --build-dir "$work/sim" --vectors 1000000 | tee "$work/sim.log"
$strata synth "$config" --target ice40-up5k -o "$work/synth-ice40-up5k" >/dev/null
# The flagship workload: the trained pulse network on nn_pulse's engine,
# 200 pulses at 47.4 dB, each bit-exact against the golden model
# (docs/train.md; verilating the engine takes about two minutes the first time).
$strata pulse gen/configs/nn_pulse.yaml --pulses 200 --build-dir build/run/nn_pulse/nn > "$work/pulse.log"

echo
echo "== Strata report: $config =="
echo "design:      $work/design ($(wc -l < "$work/design/files.f") modules, top $(grep -m1 '"top"' "$work/design/manifest.json" | cut -d'"' -f4))"
echo "lint:        clean (verilator -Wall per module, yosys, icarus)"
echo "co-sim:      $(grep -Eo '[0-9]+ tests?' <(grep -E '^\[  PASSED  \]' "$work/sim.log")) passed, every result bit-exact against the golden model ($(grep -Eo '^seed [0-9]+' "$work/sim.log"); replay with: build/bin/strata sim $config --seed N)"
echo "synthesis:   $work/synth-ice40-up5k/report.json"
cat "$work/synth-ice40-up5k/report.md"
echo
echo "== strata pulse gen/configs/nn_pulse.yaml --pulses 200 (docs/train.md) =="
cat "$work/pulse.log"
