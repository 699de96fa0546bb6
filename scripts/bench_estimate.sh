#!/usr/bin/env bash
# Fits `strata estimate` to real synthesis and measures its error on held-out
# points: two sweeps (gen/sweep/examples/estimate_au.yaml, estimate_nn.yaml),
# each point synthesized for xc7 (yosys) and the iCE40 UP5K (yosys + nextpnr);
# every third point of each is held out, the coefficients are fitted to the
# others (written to gen/sweep/estimate_coefficients.json) and the error on
# the held-out points is written to docs/results/estimate.md.
#   scripts/bench_estimate.sh [--jobs N]      (default 1: one synthesis at a time)
#   REPORT_ONLY=1 scripts/bench_estimate.sh   (fit and measure on the points already synthesized)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=1
[[ ${1:-} == --jobs ]] && jobs=$2
STRATA=${STRATA:-build/bin/strata}
OUT=build/bench/estimate
mkdir -p "$OUT"
for s in estimate_au estimate_nn; do
  # A point that does not fit the UP5K still has its xc7 numbers: go on.
  # REPORT_ONLY=1: synthesize nothing more, use the points there are.
  if [[ ${REPORT_ONLY:-0} == 1 ]]; then
    "$STRATA" sweep gen/sweep/examples/$s.yaml --report-only -o "$OUT/$s" || true
  else
    nice -n 10 "$STRATA" sweep gen/sweep/examples/$s.yaml --jobs "$jobs" --resume -o "$OUT/$s" || true
  fi
done
# The sweeps' own wall times (also right for REPORT_ONLY=1, which runs nothing).
wall=$(python3 -c "import json,sys; print(round(sum(json.load(open(f))['wall_seconds'] for f in sys.argv[1:])))" "$OUT"/estimate_au/timing.json "$OUT"/estimate_nn/timing.json)
# Train on two thirds, hold out every third point (by its position in each table).
python3 - "$OUT" <<'PY'
import csv, os, sys
out = sys.argv[1]
for part in ("train", "test"):
    rows, header = [], None
    for s in ("estimate_au", "estimate_nn"):
        with open(os.path.join(out, s, "report.csv")) as f:
            r = list(csv.reader(f))
        h, body = r[0], r[1:]
        for i, row in enumerate(body):
            held = i % 3 == 2
            if held == (part == "test"):
                d = dict(zip(h, row))
                d["config"] = os.path.join(s, d["config"])
                rows.append(d)
        header = header or h
    keys = ["point", "key", "status", "config"] + [k for k in sorted({k for d in rows for k in d}) if "." in k and k.split(".", 1)[0] in ("xc7", "ice40-up5k")]
    with open(os.path.join(out, part + ".csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        for d in rows:
            w.writerow(d)
PY
"$STRATA" estimate --fit "$OUT/train.csv" -o gen/sweep/estimate_coefficients.json
train_n=$(($(wc -l <"$OUT/train.csv") - 1))
test_n=$(($(wc -l <"$OUT/test.csv") - 1))
held=$("$STRATA" estimate --errors "$OUT/test.csv")
fitted=$("$STRATA" estimate --errors "$OUT/train.csv")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Estimate against synthesis, point by point, for the held-out rows.
per_point=$(python3 - "$OUT/test.csv" "$STRATA" <<'PY'
import csv, json, os, subprocess, sys, tempfile
table, strata = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(table)))
res = ["lut", "ff", "carry", "dsp", "bram"]
print("| point | config | target | " + " | ".join(f"{r} est / real" for r in res) + " |")
print("|---|---|---|" + "---|" * len(res))
for row in rows:
    cfg = os.path.join(os.path.dirname(table), row["config"])
    for target in ("ice40-up5k", "xc7"):
        if not row.get(f"{target}.lut"):
            continue
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            subprocess.run([strata, "estimate", cfg, "--target", target, "--json", f.name], check=True, capture_output=True)
            e = json.load(open(f.name))["estimate"]
        cells = [f"{e.get(r, '-')} / {row.get(target + '.' + r, '-')}" for r in res]
        print(f"| {row['point']} | {row['config'].split('/')[0]}/{row['key']} | {target} | " + " | ".join(cells) + " |")
PY
)
{
  echo "# strata estimate: error against real synthesis"
  echo
  echo "Measured by \`./scripts/bench_estimate.sh --jobs $jobs\` ($(date -u '+%Y-%m-%d %H:%M:%S UTC'); the sweeps took ${wall} s on $(nproc) cores shared with other work) on the sources of commit $commit."
  echo "Tools: $(yosys -V | head -1); $(nextpnr-ice40 --version 2>&1 | head -1)."
  echo
  echo "Points: the sweeps gen/sweep/examples/estimate_au.yaml (12 random AU-only configs: formats, multipliers, pipeline stages, sharing, accumulator size) and estimate_nn.yaml (9 random draws of engines, duplicates merged: PEs, AUs per PE, formats, memory sizes, the add layer), each synthesized for xc7 (\`strata synth --target xc7\`, yosys synth_xilinx) and the iCE40 UP5K (yosys synth_ice40 -dsp; the AU points also placed by nextpnr, the engine points not: \`synth.place: false\`, so that engines too big for the UP5K still count); resources are the design module's own cells. Every third point of each sweep is held out; the model (docs/sweep.md, \"The estimate model\") is fitted to the other $train_n rows and the committed coefficients gen/sweep/estimate_coefficients.json are that fit."
  echo
  echo "Relative error = |estimate - synthesized| / max(synthesized, 1), per target and resource; the median of an even count is the mean of the middle two, the 90th percentile is by nearest rank (with fewer than 10 points it is the largest error)."
  echo
  echo "## Held-out points ($test_n rows; not used by the fit)"
  echo
  echo "$held"
  echo
  echo "Each held-out point, estimate / synthesized:"
  echo
  echo "$per_point"
  echo
  echo "## Training points ($train_n rows; the fit's own residual)"
  echo
  echo "$fitted"
  echo
  echo "Raw tables: $OUT/{estimate_au,estimate_nn}/report.csv, $OUT/train.csv, $OUT/test.csv."
} >docs/results/estimate.md
cat docs/results/estimate.md
