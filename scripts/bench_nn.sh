#!/usr/bin/env bash
# Network-engine benchmark: for nn_small, nn_medium and nn_large, resources and
# Fmax placed and routed on iCE40 UP5K and yosys xc7 estimates; cycles, ideal
# cycles and MAC utilization per layer of the pulse_cnn example model (seed 1)
# on the Verilated engine, whole-network cycles and inferences per second; and
# the Verilator simulation speed. Writes docs/results/nn.md (raw reports under
# build/bench/nn/).
#   ./scripts/bench_nn.sh [--seeds N] [--jobs N]
# (--seeds: nextpnr placements per design, the median Fmax is reported; default 3.
#  --jobs: synthesis and simulation builds run at once; default nproc.)
# A design that does not fit the UP5K, or is not placed within 20 minutes per
# seed, is recorded as such (its log kept), not fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
seeds=3
jobs=$(nproc)
while (($#)); do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "bench_nn: unknown argument '$1'; allowed: --seeds N, --jobs N" >&2; exit 2 ;;
  esac
done
[[ $seeds =~ ^[1-9][0-9]*$ ]] || { echo "bench_nn: --seeds needs a positive integer, got '$seeds'" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "bench_nn: --jobs needs a positive integer, got '$jobs'" >&2; exit 2; }
start=$EPOCHREALTIME
# The sources measured: the commit, and the files changed from it that the results depend on.
changed=$(git status --porcelain -- gen host sim rtl CMakeLists.txt 2>/dev/null | wc -l)
sources="commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
((changed == 0)) || sources+=" with $changed uncommitted changed file(s) under gen/ host/ sim/ rtl/"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
./scripts/setup.sh >/dev/null
build=${STRATA_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target strata >/dev/null
strata=$PWD/$build/bin/strata
work=$PWD/build/bench/nn
rm -rf "$work" && mkdir -p "$work"
configs=(nn_small nn_medium nn_large)
limit=$((1200 * seeds))  # seconds for one UP5K place and route job
model=$work/pulse_cnn.json
"$strata" example-model pulse_cnn -o "$model" --seed 1 > "$work/model.log" 2>&1

# One job: a synthesis (up5k, xc7) or the simulation build and first run of
# pulse_cnn (run), or a per-module synthesis (hier). Its exit status and wall
# time go to <cfg>.<step>.status.json.
job() {  # cfg step
  local cfg=$1 step=$2 t0=$EPOCHREALTIME rc=0
  mkdir -p "$work/$cfg"
  case $step in
    up5k) timeout "$limit" "$strata" synth "gen/configs/$cfg.yaml" --target ice40-up5k --seeds "$seeds" -o "$work/$cfg/up5k" ;;
    xc7) "$strata" synth "gen/configs/$cfg.yaml" --target xc7 -o "$work/$cfg/xc7" ;;
    # Where the area goes: the same yosys flow without flattening, per module.
    hier) "$strata" gen "gen/configs/$cfg.yaml" -o "$work/$cfg/hier/design" &&
          (cd "$work/$cfg/hier" &&
           top=$(sed -n 's/.*"top": *"\([^"]*\)".*/\1/p' design/manifest.json) &&
           printf 'read_verilog -sv %s\nhierarchy -check -top %s\nsynth_ice40 -dsp -noflatten -top %s\ntee -q -o stat.json stat -json\n' \
             "$(sed 's|^|design/|' design/files.f | tr '\n' ' ')" "$top" "$top" > hier.ys &&
           yosys -q -l yosys.log -s hier.ys) ;;
    run) CMAKE_BUILD_PARALLEL_LEVEL=1 "$strata" run "gen/configs/$cfg.yaml" "$model" --seed 1 --json "$work/$cfg/run.json" \
           --build-dir "$work/$cfg/sim" ;;
  esac > "$work/$cfg.$step.log" 2>&1 || rc=$?
  printf '{"rc": %d, "seconds": %s, "limit": %d}\n' "$rc" "$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")" "$limit" \
    > "$work/$cfg.$step.status.json"
  ((rc == 0)) || echo "bench_nn: $cfg $step failed with status $rc (see $work/$cfg.$step.log)" >&2
}
export -f job
export strata work model seeds limit
echo "bench_nn: ${#configs[@]} configs: UP5K place and route ($seeds seed(s)), xc7 synthesis, engine simulation; $jobs jobs" >&2
# The longest jobs first.
{ for c in "${configs[@]}"; do echo "$c up5k"; done
  for c in "${configs[@]}"; do echo "$c run"; done
  for c in "${configs[@]}"; do echo "$c xc7"; done
  for c in nn_small nn_medium; do echo "$c hier"; done; } | xargs -P "$jobs" -L 1 bash -c 'job "$0" "$1"'

# Simulation speed: the built nn_run alone, one run after another (nothing
# else of this benchmark runs meanwhile), ten times per config.
echo "bench_nn: simulation speed" >&2
for c in "${configs[@]}"; do
  [[ -x $work/$c/sim/nn_run ]] || continue
  for i in $(seq 10); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$EPOCHREALTIME rc=0
    "$work/$c/sim/nn_run" "$model" --seed 1 --json "$work/$c/timed-$i.json" > "$work/$c.timed-$i.log" 2>&1 || rc=$?
    printf '{"rc": %d, "seconds": %s, "loadavg_1min_before": %s}\n' "$rc" "$(awk "BEGIN{printf \"%.3f\", $EPOCHREALTIME - $t0}")" "$load" \
      > "$work/$c/timed-$i.status.json"
  done
done

elapsed=$(awk "BEGIN{printf \"%.0f\", $EPOCHREALTIME - $start}")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
python3 scripts/nn_report.py "$work" "./scripts/bench_nn.sh${args[*]:+ ${args[*]}}" "$seeds" "$jobs" "$elapsed" "$started" \
  "$(nproc)" "$cpu" "$sources" "$(yosys -V)" "$(nextpnr-ice40 --version 2>&1 | head -1)" "$(verilator --version)"
