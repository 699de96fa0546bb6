#!/usr/bin/env bash
# Pulse benchmark of the trained network: `strata pulse` on nn_pulse's engine
# (Verilated, every pulse bit-exact against the golden model) over an SNR
# sweep, beside CFD, CFD with phase correction and the trapezoid tuned on the
# same kind of pulses and the Cramer-Rao bound (docs/train.md). Writes
# docs/results/pulse_nn.md and its plots docs/results/pulse_nn_*.png.
#   ./scripts/bench_pulse_nn.sh [--pulses N] [--train N] [--snr LIST] [--config CFG] [--model M]
set -euo pipefail
cd "$(dirname "$0")/.."
pulses=5000
train=10000
snr=30,35,40,45,47.4,50,55,60
config=gen/configs/nn_pulse.yaml
model=models/pulse_cnn_trained.json
while (($#)); do
  case $1 in
    --pulses) pulses=$2; shift 2 ;;
    --train) train=$2; shift 2 ;;
    --snr) snr=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    *) echo "bench_pulse_nn: unknown argument '$1'; allowed: --pulses N, --train N, --snr LIST, --config CFG, --model M" >&2; exit 2 ;;
  esac
done
build=${STRATA_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target strata >/dev/null
work=$PWD/build/bench/pulse_nn
mkdir -p "$work"
rm -f "$work"/snr_*.json
start=$(date +%s)
for s in ${snr//,/ }; do
  "$build/bin/strata" pulse "$config" --model "$model" --snr "$s" --pulses "$pulses" --train "$train" --seed 2 --baseline-seed 1 \
    --json "$work/snr_$s.json" --build-dir "$build/nn/$(basename "$config" .yaml)" > "$work/snr_$s.txt"
done
elapsed=$(($(date +%s) - start))
cmd="./scripts/bench_pulse_nn.sh --pulses $pulses --train $train --snr $snr"
/usr/bin/python3 scripts/pulse_nn_report.py --out docs/results/pulse_nn.md --plots docs/results \
  --command "$cmd" --note "$(date -u '+%Y-%m-%d %H:%M UTC'), ${elapsed} s on $(nproc) cores shared with other work; sources of commit $(git rev-parse --short HEAD)" \
  "$work"/snr_*.json
echo "bench_pulse_nn: wrote docs/results/pulse_nn.md" >&2
