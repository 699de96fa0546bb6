#!/usr/bin/env bash
# AU benchmark: resources and Fmax from the real flow for format sets x
# shared/per-format datapath x DSP/LUT multipliers (and pipeline depths),
# switching activity per MAC with and without operand isolation, and the
# Verilator simulation speed. Writes docs/results/au.md (raw reports under
# build/bench/au/).
#   ./scripts/bench_au.sh [--seed N] [--seeds N] [--jobs N]
# (--seeds: nextpnr placements per design, the median Fmax is reported; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
seed=1
seeds=3
jobs=$(nproc)
while (($#)); do
  case $1 in
    --seed) seed=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "bench_au: unknown argument '$1'; allowed: --seed N, --seeds N, --jobs N" >&2; exit 2 ;;
  esac
done
./scripts/setup.sh >/dev/null
build=${STRATA_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target strata >/dev/null
strata=$PWD/$build/bin/strata
work=$PWD/build/bench/au
rm -rf "$work" && mkdir -p "$work"

# Writes one config: tag formats share multipliers stages isolate.
config() {
  printf 'name: au_%s\nau:\n  formats: [%s]\n  max_accumulations: 1024\n  pipeline_stages: %s\n  share: %s\n  isolate: %s\n  multipliers: %s\nsynth:\n  clock_mhz: 24\n' \
    "$1" "$2" "$5" "$3" "$6" "$4" > "$work/$1.yaml"
}
ints="int4, int8, int16"
declare -A sets=([int]="$ints" [int_fp4]="$ints, fp4" [int_posit4]="$ints, posit4_1" [int_posit8]="$ints, posit8_0"
                 [int_posit16]="$ints, posit16_1" [all]="$ints, fp4, posit4_1, posit8_0, posit16_1")
for set in "${!sets[@]}"; do
  for share in true false; do
    for mul in dsp lut; do config "${set}_${share:0:1}${mul}_s1" "${sets[$set]}" $share $mul 1 true; done
  done
done
for stages in 0 2; do config "all_tdsp_s$stages" "${sets[all]}" true dsp $stages true; done

# One synthesis job per config and target; a design that does not fit is
# recorded (its log kept), not fatal.
synth_one() {  # tag target
  local out=$work/$1/$2
  if [[ $2 == up5k ]]; then
    "$strata" synth "$work/$1.yaml" --target ice40-up5k --seed "$seed" --seeds "$seeds" -o "$out" > "$work/$1.$2.log" 2>&1
  else
    "$strata" synth "$work/$1.yaml" --target xc7 -o "$out" > "$work/$1.$2.log" 2>&1
  fi || echo "bench_au: $1 $2 failed (see $work/$1.$2.log)" >&2
}
export -f synth_one
export strata work seed seeds
echo "bench_au: synthesizing $(ls "$work"/*.yaml | wc -l) configs for iCE40 UP5K and xc7 with $jobs jobs" >&2
for cfg in "$work"/*.yaml; do t=$(basename "$cfg" .yaml); echo "$t up5k"; echo "$t xc7"; done |
  xargs -P "$jobs" -L 1 bash -c 'synth_one "$0" "$1"'

# Switching activity: the all-format AU, shared and per-format, with and
# without operand isolation (the same random operands in every build).
for share in true false; do
  for iso in true false; do
    tag=tog_${share:0:1}${iso:0:1}
    config "$tag" "${sets[all]}" $share dsp 1 $iso
    echo "bench_au: toggles $tag" >&2
    cmake -S sim/cosim -B "$work/$tag-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_EXE="$strata" \
      -DSTRATA_CONFIG="$work/$tag.yaml" -DSTRATA_PREBUILT_DIR="$PWD/$build" -DSTRATA_TOGGLES=ON > "$work/$tag.log" 2>&1
    cmake --build "$work/$tag-build" >> "$work/$tag.log" 2>&1
    "$work/$tag-build/au_toggles" --beats=20000 > "$work/$tag.jsonl"
  done
done

echo "bench_au: simulation speed" >&2
for cfg in default mixed; do
  "$strata" sim gen/configs/$cfg.yaml --build-dir "$work/sim-$cfg" --vectors 1000000 --filter 'AuRandom.*' > "$work/sim-$cfg.log" 2>&1
done

python3 scripts/au_report.py "$work" "$seed" "$seeds" "$(yosys -V)" "$(nextpnr-ice40 --version 2>&1 | head -1)" "$(verilator --version)"
