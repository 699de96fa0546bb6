#!/usr/bin/env bash
# Softmax benchmark: accuracy of the unit's three algorithms and of the
# published approximations (I-BERT, Edge-MoE) against float64 on the same
# vectors (host/bench/softmax_accuracy.cpp), resources and Fmax on the iCE40
# UP5K placed for the three-algorithm unit and one unit per algorithm
# (`strata synth`; xc7 yosys estimates beside), and cycles per vector from simulation (sim/softmax
# --timing). Writes the softmax section of docs/results/softmax_gelu.md
# (raw reports under build/bench/softmax/).
#   ./scripts/bench_softmax.sh [--vectors N] [--seed N] [--seeds N] [--report-only]
# (--report-only: write the section again from the raw reports of the last run)
set -euo pipefail
cd "$(dirname "$0")/.."
vectors=100000
seed=1
seeds=1
report_only=0
while (($#)); do
  case $1 in
    --vectors) vectors=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --report-only) report_only=1; shift ;;
    *) echo "bench_softmax: unknown argument '$1'; allowed: --vectors N, --seed N, --seeds N, --report-only" >&2; exit 2 ;;
  esac
done
build=${STRATA_BUILD_DIR:-build}
strata=$PWD/$build/bin/strata
work=$PWD/build/bench/softmax
configs=(softmax_unit sm_three_pass sm_online sm_two_pass softmax_small)
if ((report_only == 0)); then
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target strata softmax_accuracy strata_config strata_golden >/dev/null
rm -rf "$work" && mkdir -p "$work"

echo "bench_softmax: accuracy over $vectors random vectors per input type" >&2
"$build/bin/softmax_accuracy" --vectors="$vectors" --seed="$seed" --max-length=256 > "$work/accuracy.md"

# One unit per algorithm beside the shipped three-algorithm unit and the small one.
for alg in three_pass online two_pass; do
  printf 'name: sm_%s\nsoftmax:\n  algorithms: [%s]\n  max_length: 256\n  in_types: [int8, int16]\n  out_types: [uint8, uint16, int8]\nsynth:\n  clock_mhz: 24\n' \
    "$alg" "$alg" > "$work/sm_$alg.yaml"
done
cp gen/configs/softmax_unit.yaml gen/configs/softmax_small.yaml "$work/"
for cfg in "${configs[@]}"; do
  echo "bench_softmax: strata synth $cfg (ice40-up5k)" >&2
  "$strata" synth "$work/$cfg.yaml" --target ice40-up5k --seed "$seed" --seeds "$seeds" -o "$work/$cfg" > "$work/$cfg.log" 2>&1 ||
    echo "bench_softmax: $cfg failed (see $work/$cfg.log)" >&2
  echo "bench_softmax: strata synth $cfg (xc7, yosys estimate)" >&2
  "$strata" synth "$work/$cfg.yaml" --target xc7 -o "$work/$cfg-xc7" > "$work/$cfg-xc7.log" 2>&1 ||
    echo "bench_softmax: $cfg xc7 failed (see $work/$cfg-xc7.log)" >&2
done

echo "bench_softmax: cycles per vector (simulation)" >&2
cmake -S sim/softmax -B "$work/sim" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRATA_EXE="$strata" \
  -DSTRATA_CONFIG="$PWD/gen/configs/softmax_unit.yaml" -DSTRATA_PREBUILT_DIR="$PWD/$build" > "$work/sim.log" 2>&1
cmake --build "$work/sim" >> "$work/sim.log" 2>&1
"$work/sim/softmax_cosim" --timing --gtest_filter='SoftmaxTiming.*' > "$work/timing.log"
fi

section=$work/section.md
{
  echo "<!-- softmax:begin -->"
  echo "## Softmax"
  echo
  echo "Measured by \`./scripts/bench_softmax.sh --vectors $vectors --seed $seed --seeds $seeds\` ($(date -u +%Y-%m-%d); $(yosys -V | cut -d' ' -f1-2), $(nextpnr-ice40 --version 2>&1 | head -1), $(verilator --version | cut -d' ' -f1-2))."
  echo "The unit's codes are its golden model's (the RTL is co-simulated bit-exact against it, \`ctest -R softmax.cosim\`)."
  echo
  echo "### Accuracy against float64"
  echo
  echo "Error of the probability a code stands for against the float64 softmax of the real logits S·q (S the scale drawn for the vector; the unit gets its nearest (M, s), the baselines S itself)."
  echo "Random vectors: lengths 1 to 256 log-uniform, a random centre and a spread of 0 to 127 (int8) or 0 to 65535 (int16) steps, scales log-uniform from 2^-12 to 2^3 base-2 units per int8 step (int16 steps 256 times finer); the adversarial set: all equal, one dominant, the type's extremes, alternating extremes and ramps at lengths 1, 2, 7 and 256 and four scales."
  echo "LSB is 2^-8 (uint8, int8) or 2^-16 (uint16). \"Max error below 1 - 2^-B\" leaves out the probabilities that round above the largest code (p = 1 shows as 255/256: one LSB for any method)."
  echo "\"float64 rounded\" is the floor of every method: the exact probability rounded to the nearest code. Monotonicity: a larger logit with a smaller code, counted as vectors and as elements."
  echo
  cat "$work/accuracy.md"
  echo
  echo "The unit's 8-bit codes are within 1 LSB everywhere and within about half an LSB wherever the exact probability is below the largest code, like correctly rounded float64, for every algorithm; the baselines' worst cases come from their ranges, as the table by scale shows: I-BERT's integer polynomial has only floor(1.353/S) steps of b at coarse scales, and at fine scales its sum of q_exp (each about 0.96/(0.3585 S^2)) outgrows the 2^32 of its division; Edge-MoE's ap_fixed<32,10> holds |S q| < 512 only (int8 logits: S < 4.03), beyond which the logits saturate."
  echo
  echo "### Resources and Fmax, iCE40 UP5K placed"
  echo
  echo "Out of context (\`strata synth --target ice40-up5k\`, inputs from a shift register, outputs XOR-reduced); L_max = 256, int8 and int16 in, every output type, except softmax_small (two_pass, int8 in, uint8/int8 out, L_max = 64). Fmax of the clk domain (median of $seeds placement seed(s)), target 24 MHz."
  echo
  echo "| config | algorithms | logic cells (of 5280) | LUT | FF | carry | DSP | BRAM | Fmax (MHz) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for cfg in "${configs[@]}"; do
    r=$work/$cfg/report.json
    algs=$(grep -A0 'algorithms:' "$work/$cfg.yaml" | sed 's/.*\[\(.*\)\]/\1/')
    if [[ -f $r ]]; then
      jq -r --arg algs "$algs" '"| \(.config) | \($algs) | \(.placed.logic_cells) | \(.resources.lut) | \(.resources.ff) | \(.resources.carry) | \(.resources.dsp) | \(.resources.bram) | \(.placed.fmax_mhz * 10 | round / 10) |"' "$r"
    else
      echo "| $cfg | $algs | failed | | | | | | |"
    fi
  done
  echo
  echo "Xilinx 7-series, yosys estimate (\`strata synth --target xc7\`, synth_xilinx -flatten, not placed):"
  echo
  echo "| config | LUT | FF | carry | DSP | BRAM | LUTRAM |"
  echo "|---|---|---|---|---|---|---|"
  for cfg in "${configs[@]}"; do
    r=$work/$cfg-xc7/report.json
    if [[ -f $r ]]; then
      jq -r '"| \(.config) | \(.resources.lut) | \(.resources.ff) | \(.resources.carry) | \(.resources.dsp) | \(.resources.bram) | \(.resources.lutram) |"' "$r"
    else
      echo "| $cfg | failed | | | | | |"
    fi
  done
  echo
  echo "### Cycles per vector (simulation)"
  echo
  echo "One vector of L logits streamed in with no gaps and no back-pressure, from its first logit accepted to its last code taken (softmax_unit, \`softmax_cosim --timing\`). The next vector's first logit is accepted the cycle after; the passes over the buffer show as 3L (three_pass) against 2L (online, two_pass)."
  echo
  echo "| algorithm | L = 1 | L = 16 | L = 64 | L = 256 | cycles per element at L = 256 |"
  echo "|---|---|---|---|---|---|"
  for alg in three_pass online two_pass; do
    row="| $alg"
    c256=0
    for n in 1 16 64 256; do
      c=$(grep "^timing $alg L=$n " "$work/timing.log" | head -1 | sed 's/.*cycles_per_vector=\([0-9]*\).*/\1/')
      row="$row | $c"
      [[ $n == 256 ]] && c256=$c
    done
    echo "$row | $(awk "BEGIN { printf \"%.2f\", $c256 / 256 }") |"
  done
  echo "<!-- softmax:end -->"
} > "$section"

out=docs/results/softmax_gelu.md
if [[ ! -f $out ]]; then
  printf '# Softmax and GELU: measured accuracy and resources\n\n<!-- softmax:begin -->\n<!-- softmax:end -->\n\n<!-- gelu:begin -->\n<!-- gelu:end -->\n' > "$out"
fi
python3 - "$out" "$section" <<'PY'
import sys
path, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
text = open(path).read()
begin, end = "<!-- softmax:begin -->", "<!-- softmax:end -->"
a, b = text.find(begin), text.find(end)
if a < 0 or b < a:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
else:
    text = text[:a] + section + text[b + len(end):]
open(path, "w").write(text)
PY
echo "bench_softmax: wrote the softmax section of $out" >&2
