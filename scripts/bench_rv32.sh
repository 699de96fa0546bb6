#!/usr/bin/env bash
# RV32 core benchmark: resources and Fmax placed on the iCE40 UP5K for rv32i,
# rv32im with the fast and the small multiplier/divider, the compact rv32i
# core (RVFI off, 8 KiB IMEM + 4 KiB DMEM in block RAM) and rv32im with 64
# KiB IMEM on SPRAMs, CPI and cycles of the benchmark programs
# (tests/rv32/c, -O2) on the Verilated core, and Verilator's simulation
# speed. Writes docs/results/rv32.md (raw reports under build/bench/rv32/).
#   ./scripts/bench_rv32.sh [--seed N] [--seeds N]
# (--seeds: nextpnr placements per design, the median Fmax is reported; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
seed=1
seeds=3
while (($#)); do
  case $1 in
    --seed) seed=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) echo "bench_rv32: unknown argument '$1'; allowed: --seed N, --seeds N" >&2; exit 2 ;;
  esac
done
build=${STRATA_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
programs=(checksum sort matmul interp hello)
targets=(strata rv32sim_rv32i rv32sim_rv32im rv32sim_rv32im_small rv32sim_rv32im_spram rv32sim_rv32i_compact)
for p in "${programs[@]}"; do targets+=("rv32_c_${p}_rv32i" "rv32_c_${p}_rv32im"); done
cmake --build "$build" --target "${targets[@]}" >/dev/null
strata=$PWD/$build/bin/strata
work=$PWD/build/bench/rv32
rm -rf "$work" && mkdir -p "$work"

# Synthesis configs: the shipped rv32i/rv32im memories (8 KiB IMEM, 4 KiB
# DMEM in block RAM), and rv32im_spram.yaml's (64 KiB IMEM on two SPRAMs),
# RVFI off.
config() {  # tag isa muldiv [imem_bytes imem_memory core]
  {
    printf 'name: bench_%s\nrv32:\n  isa: %s\n  imem_bytes: %s\n  dmem_bytes: 4096\n' "$1" "$2" "${4:-8192}"
    printf '  imem_memory: %s\n  dmem_memory: bram\n' "${5:-bram}"
    [[ -n $3 ]] && printf '  muldiv: %s\n' "$3"
    [[ -n ${6:-} ]] && printf '  core: %s\n' "$6"
    printf '  rvfi: false\nsynth:\n  clock_mhz: 30\n'
  } > "$work/$1.yaml"
}
config rv32i rv32i ""
config rv32im_fast rv32im fast
config rv32im_small rv32im small
config rv32im_spram rv32im fast 65536 ice40_spram
config rv32i_compact rv32i "" 8192 bram compact
# One synthesis at a time (nextpnr is single-threaded; the seeds run in turn).
# The system, then the core alone (<name>_rv32_core as the top, RVFI off,
# memories and MMIO outside, its ports from a shift register), then the
# per-module breakdown: the system synthesized again with -noflatten, each
# module's own cells (a flattened design shares logic across the modules,
# so the parts add up to a little more than the whole).
for t in rv32i rv32im_fast rv32im_small rv32im_spram rv32i_compact; do
  echo "bench_rv32: synthesizing $t for iCE40 UP5K ($seeds seeds)" >&2
  "$strata" synth "$work/$t.yaml" --target ice40-up5k --seed "$seed" --seeds "$seeds" -o "$work/$t" > "$work/$t.synth.log" 2>&1 ||
    echo "bench_rv32: $t failed (see $work/$t.synth.log)" >&2
  echo "bench_rv32: synthesizing the core of $t alone ($seeds seeds)" >&2
  "$strata" synth "$work/$t.yaml" --target ice40-up5k --top "bench_${t}_rv32_core" --seed "$seed" --seeds "$seeds" -o "$work/${t}_core" \
    > "$work/${t}_core.synth.log" 2>&1 || echo "bench_rv32: the core of $t failed (see $work/${t}_core.synth.log)" >&2
  if [[ -f $work/$t/synth.ys ]]; then
    sed -e '/^setattr/d' -e '/^write_json/d' -e "s/^hierarchy -check -top .*/hierarchy -check -top bench_${t}_rv32/" \
        -e "s/^synth_ice40\(.*\) -top .*/synth_ice40 -noflatten\1 -top bench_${t}_rv32/" -e 's/stat.json/breakdown.json/' \
        "$work/$t/synth.ys" > "$work/$t/breakdown.ys"
    (cd "$work/$t" && yosys -q -l breakdown.log -s breakdown.ys > /dev/null 2>&1) || echo "bench_rv32: the breakdown of $t failed" >&2
  fi
done

# Programs: the core alone (cycles, CPI, simulation speed) and once in
# lockstep with the ISS (to show the numbers are of a correct run).
echo "bench_rv32: running the benchmark programs" >&2
for sim in rv32i rv32im rv32im_small rv32im_spram rv32i_compact; do
  isa=rv32im
  [[ $sim == rv32i* ]] && isa=rv32i
  for p in "${programs[@]}"; do
    elf=$build/tests/rv32/rv32_c_${p}_${isa}.elf
    "$build/rv32sim/$sim/rv32_run" --cosim --quiet "$elf" > /dev/null
    "$build/rv32sim/$sim/rv32_run" --quiet --json "$work/run_${sim}_${p}.json" "$elf" > /dev/null
  done
done
python3 scripts/rv32_report.py "$work" "$seed" "$seeds" "$(yosys -V)" "$(nextpnr-ice40 --version 2>&1 | head -1)" "$(verilator --version)"
