#!/usr/bin/env bash
# Network-engine benchmark: for nn_small, nn_medium, nn_large (int8 AUs),
# nn_mixed (AUs that take int8 and posit8 layers), nn_formats (int8, posit8
# and posit16 layers) and nn_pulse (nn_small built for the PulseDL CNN's
# layer operations alone), resources and Fmax placed
# and routed on iCE40 UP5K and yosys xc7 estimates, and the per-module area of
# nn_small, nn_medium, nn_mixed and nn_pulse (unflattened yosys); cycles, ideal cycles
# and MAC utilization per layer of the example models (seed 1) on the
# Verilated engine -- pulse_cnn on every config, and on nn_mixed also
# pulse_cnn_mixed (posit8 input, conv1 and pool1 in posit8, conv2 from posit8
# to int8), and on nn_formats pulse_cnn_posit16 too (the same in posit16, 128
# samples) -- whole-network cycles and inferences per second; and the
# Verilator simulation speed. Writes docs/results/nn.md (raw reports under
# build/bench/nn/).
#   ./scripts/bench_nn.sh [--seeds N] [--jobs N]
# (--seeds: nextpnr placements per design, the median Fmax is reported; default 3.
#  --jobs: synthesis and simulation builds run at once; default nproc.)
# Environment (the report's command line shows the STRATA_BENCH_ ones set):
#   STRATA_BENCH_CONFIGS="nn_small nn_mixed"  measure only these of the five
#                            configs (space- or comma-separated; default all);
#   STRATA_BENCH_OUT=FILE    the report's path (default docs/results/nn.md);
#   STRATA_BENCH_WORK=DIR    the raw reports' directory (default build/bench/nn;
#                            emptied first, so it must be missing, empty or
#                            hold an earlier run of this benchmark);
#   STRATA_BUILD_DIR=DIR     the main build, configured and its strata built
#                            here and used (default build).
# A trial run: STRATA_BENCH_CONFIGS=nn_mixed STRATA_BENCH_WORK=/tmp/nn
#   STRATA_BENCH_OUT=/tmp/nn.md ./scripts/bench_nn.sh --seeds 1 --jobs 1
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
work=$(realpath -m "${STRATA_BENCH_WORK:-build/bench/nn}")
report=${STRATA_BENCH_OUT:-docs/results/nn.md}
if [[ -d $work && ! -e $work/plan.json && $work != "$(realpath -m build/bench/nn)" && -n $(ls -A "$work") ]]; then
  echo "bench_nn: STRATA_BENCH_WORK=$work is not empty and holds no earlier run of this benchmark (no plan.json); not removing it" >&2
  exit 2
fi
rm -rf "$work" && mkdir -p "$work"
limit=$((1200 * seeds))  # seconds for one UP5K place and route job
# The configs, the models each runs (the first, pulse_cnn, runs on every
# config) and the configs whose per-module area is reported.
all_configs=(nn_small nn_medium nn_large nn_mixed nn_formats nn_pulse)
declare -A models_of=([nn_small]=pulse_cnn [nn_medium]=pulse_cnn [nn_large]=pulse_cnn [nn_mixed]="pulse_cnn pulse_cnn_mixed"
  [nn_formats]="pulse_cnn pulse_cnn_mixed pulse_cnn_posit16" [nn_formats4]="pulse_cnn pulse_cnn_fp4 pulse_cnn_posit4" [nn_pulse]=pulse_cnn)
hier_configs=(nn_small nn_medium nn_mixed nn_pulse)
if [[ -n ${STRATA_BENCH_CONFIGS:-} ]]; then
  configs=()
  for c in ${STRATA_BENCH_CONFIGS//,/ }; do
    [[ -n ${models_of[$c]:-} ]] || { echo "bench_nn: STRATA_BENCH_CONFIGS: unknown config '$c'; allowed: ${all_configs[*]}" >&2; exit 2; }
    [[ " ${configs[*]} " == *" $c "* ]] || configs+=("$c")
  done
  ((${#configs[@]})) || { echo "bench_nn: STRATA_BENCH_CONFIGS names no config; allowed: ${all_configs[*]}" >&2; exit 2; }
else
  configs=("${all_configs[@]}")
fi
hier=()
for c in "${hier_configs[@]}"; do [[ " ${configs[*]} " == *" $c "* ]] && hier+=("$c"); done
models=()
for c in "${configs[@]}"; do
  for m in ${models_of[$c]}; do [[ " ${models[*]} " == *" $m "* ]] || models+=("$m"); done
done
# The plan, for the report: the configs in order, the models each runs, the per-module ones.
plan=()
for c in "${configs[@]}"; do plan+=("$c=${models_of[$c]}"); done
python3 -c 'import json, sys; out, hier, *plan = sys.argv[1:]; plan = [p.split("=", 1) for p in plan]
json.dump({"configs": [c for c, _ in plan], "models": {c: m.split() for c, m in plan}, "hier": hier.split()}, open(out, "w"), indent=1)' \
  "$work/plan.json" "${hier[*]}" "${plan[@]}"
for m in "${models[@]}"; do
  "$strata" example-model "$m" -o "$work/$m.json" --seed 1 > "$work/$m.log" 2>&1
done

# One job: a synthesis (up5k, xc7), or the simulation build and a run of each
# of the config's models, one after another in the same build (run), or a
# per-module synthesis (hier). Its exit status and wall time go to
# <cfg>.<step>.status.json; each model's run's to <cfg>/run-<model>.status.json.
job() {  # cfg step [model...]
  local cfg=$1 step=$2 t0=$EPOCHREALTIME rc=0 m t1 mrc
  shift 2
  mkdir -p "$work/$cfg"
  case $step in
    up5k) timeout "$limit" "$strata" synth "gen/configs/$cfg.yaml" --target ice40-up5k --seeds "$seeds" -o "$work/$cfg/up5k" ;;
    xc7) "$strata" synth "gen/configs/$cfg.yaml" --target xc7 -o "$work/$cfg/xc7" ;;
    # Where the area goes: the same yosys flow without flattening, per module.
    # A vendor primitive's simulation model (the manifest's primitive_model,
    # e.g. SB_SPRAM256KA) is left out: the UP5K has the primitive, which yosys's
    # iCE40 cell library declares for `hierarchy -check`.
    hier) "$strata" gen "gen/configs/$cfg.yaml" -o "$work/$cfg/hier/design" &&
          (cd "$work/$cfg/hier" &&
           top=$(sed -n 's/.*"top": *"\([^"]*\)".*/\1/p' design/manifest.json) &&
           files=$(python3 -c 'import json; skip = {m["file"] for m in json.load(open("design/manifest.json"))["modules"] if m.get("primitive_model")}
print(" ".join("design/" + f for f in open("design/files.f").read().split() if f not in skip))') &&
           printf 'read_verilog -lib +/ice40/cells_sim.v\nread_verilog -sv %s\nhierarchy -check -top %s\nsynth_ice40 -dsp -noflatten -top %s\ntee -q -o stat.json stat -json\n' \
             "$files" "$top" "$top" > hier.ys &&
           yosys -q -l yosys.log -s hier.ys) ;;
    run) for m in "$@"; do
           t1=$EPOCHREALTIME mrc=0
           CMAKE_BUILD_PARALLEL_LEVEL=1 "$strata" run "gen/configs/$cfg.yaml" "$work/$m.json" --seed 1 --json "$work/$cfg/run-$m.json" \
             --build-dir "$work/$cfg/sim" || mrc=$?
           printf '{"rc": %d, "seconds": %s}\n' "$mrc" "$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t1}")" > "$work/$cfg/run-$m.status.json"
           ((mrc == 0)) || rc=$mrc
         done
         (exit "$rc") ;;
  esac > "$work/$cfg.$step.log" 2>&1 || rc=$?
  printf '{"rc": %d, "seconds": %s, "limit": %d}\n' "$rc" "$(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $t0}")" "$limit" \
    > "$work/$cfg.$step.status.json"
  ((rc == 0)) || echo "bench_nn: $cfg $step failed with status $rc (see $work/$cfg.$step.log)" >&2
}
export -f job
export strata work seeds limit
echo "bench_nn: ${#configs[@]} config(s) (${configs[*]}): UP5K place and route ($seeds seed(s)), xc7 synthesis, engine simulation" \
  "(${models[*]}), per-module synthesis (${hier[*]:-none}); $jobs jobs" >&2
# The longest jobs first.
{ for c in "${configs[@]}"; do echo "$c up5k"; done
  for c in "${configs[@]}"; do echo "$c run ${models_of[$c]}"; done
  for c in "${configs[@]}"; do echo "$c xc7"; done
  for c in "${hier[@]}"; do echo "$c hier"; done; } | xargs -P "$jobs" -L 1 bash -c 'job "$@"' job

# Simulation speed: the built nn_run alone, one run after another (nothing
# else of this benchmark runs meanwhile), ten times per config and model.
echo "bench_nn: simulation speed" >&2
for c in "${configs[@]}"; do
  [[ -x $work/$c/sim/nn_run ]] || continue
  for m in ${models_of[$c]}; do
    for i in $(seq 10); do
      load=$(cut -d' ' -f1 /proc/loadavg)
      t0=$EPOCHREALTIME rc=0
      "$work/$c/sim/nn_run" "$work/$m.json" --seed 1 --json "$work/$c/timed-$m-$i.json" > "$work/$c.timed-$m-$i.log" 2>&1 || rc=$?
      printf '{"rc": %d, "seconds": %s, "loadavg_1min_before": %s}\n' "$rc" "$(awk "BEGIN{printf \"%.3f\", $EPOCHREALTIME - $t0}")" "$load" \
        > "$work/$c/timed-$m-$i.status.json"
    done
  done
done

elapsed=$(awk "BEGIN{printf \"%.0f\", $EPOCHREALTIME - $start}")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
# The command as run, with the environment that changes what is measured or where it goes.
command="./scripts/bench_nn.sh${args[*]:+ ${args[*]}}"
for v in STRATA_BENCH_OUT STRATA_BENCH_WORK STRATA_BENCH_CONFIGS; do
  [[ -z ${!v:-} ]] || command="$v=$([[ ${!v} == *[[:space:]]* ]] && echo "\"${!v}\"" || echo "${!v}") $command"
done
python3 scripts/nn_report.py "$work" "$command" "$seeds" "$jobs" "$elapsed" "$started" \
  "$(nproc)" "$cpu" "$sources" "$(yosys -V)" "$(nextpnr-ice40 --version 2>&1 | head -1)" "$(verilator --version)" "$report"
