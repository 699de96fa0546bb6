#!/usr/bin/env bash
# AU benchmark: resources and Fmax from the real flow for every enabled width
# set and pipeline depth, and Verilator simulation speed. Writes
# docs/results/au.md (and the raw reports under build/bench/au/).
#   ./scripts/bench_au.sh [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
seed=1
[[ ${1:-} == --seed ]] && seed=$2
./scripts/setup.sh >/dev/null
build=${STRATA_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target strata >/dev/null
strata=$PWD/$build/bin/strata
work=build/bench/au
rm -rf "$work" && mkdir -p "$work"

# Runs a command quietly; on failure shows its output and stops.
quiet() { "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; echo "bench_au: failed: $*" >&2; exit 1; }; }

sets=("int4" "int8" "int16" "int4, int8" "int4, int16" "int8, int16" "int4, int8, int16")
for formats in "${sets[@]}"; do
  for stages in 0 1 2; do
    tag=$(echo "$formats" | tr -d ' ' | tr ',' '_')_s$stages
    cfg=$work/$tag.yaml
    printf 'name: au_%s\nau:\n  formats: [%s]\n  max_accumulations: 1024\n  pipeline_stages: %s\nsynth:\n  clock_mhz: 24\n' \
      "$tag" "$formats" "$stages" > "$cfg"
    echo "bench_au: $tag" >&2
    quiet $strata synth "$cfg" --target ice40-up5k --seed "$seed" --seeds 3 -o "$work/$tag/up5k"
    quiet $strata synth "$cfg" --target ice40-up5k --no-dsp --seed "$seed" --seeds 3 -o "$work/$tag/up5k-nodsp"
    quiet $strata synth "$cfg" --target xc7 -o "$work/$tag/xc7"
  done
done

echo "bench_au: simulation speed" >&2
quiet $strata sim gen/configs/default.yaml --build-dir "$work/sim" --vectors 2000000 --filter 'AuRandom.*'
cp "$work/last.log" "$work/sim.log"

python3 - "$work" "$seed" "$(yosys -V)" "$(nextpnr-ice40 --version 2>&1 | head -1)" "$(verilator --version)" <<'PY'
import json, re, sys, pathlib
work, seed, yosys, nextpnr, verilator = pathlib.Path(sys.argv[1]), *sys.argv[2:]
rows = []
for cfg in sorted(work.glob("*.yaml"), key=lambda p: (len(p.stem.split("_s")[0]), p.stem)):
    tag = cfg.stem
    r = {k: json.loads((work / tag / k / "report.json").read_text()) for k in ("up5k", "up5k-nodsp", "xc7")}
    rows.append((tag, r))
def fmts(tag): return tag.rsplit("_s", 1)[0].replace("_", "/")
out = ["# AU resources, Fmax and simulation speed", "",
       "Measured by `./scripts/bench_au.sh`: every config has max_accumulations 1024; " +
       "formats and pipeline stages as listed. Resources are the AU module's own cells (yosys `stat`, "
       "kept as its own hierarchy inside the 3-pin out-of-context wrapper); Fmax is nextpnr's for the whole "
       "placed wrapper on iCE40 UP5K (sg48, iCEBreaker pins), the median over placement seeds %d, %d and %d." % (int(seed), int(seed) + 1, int(seed) + 2), "",
       "Tools: %s; %s; %s." % (yosys, nextpnr, verilator), "",
       "## iCE40 UP5K, placed and routed", "",
       "| formats | stages | LUT4 | FF | carry | DSP (SB_MAC16) | Fmax (MHz) | LUT4 without DSP | carry without DSP | Fmax without DSP (MHz) |",
       "|---|---|---|---|---|---|---|---|---|---|"]
for tag, r in rows:
    a, b = r["up5k"], r["up5k-nodsp"]
    out.append("| %s | %s | %d | %d | %d | %d | %.1f | %d | %d | %.1f |" % (
        fmts(tag), tag[-1], a["resources"]["lut"], a["resources"]["ff"], a["resources"]["carry"], a["resources"]["dsp"],
        a["placed"]["fmax_mhz"], b["resources"]["lut"], b["resources"]["carry"], b["placed"]["fmax_mhz"]))
out += ["", "## Xilinx 7-series, yosys estimate (`synth_xilinx -family xc7`, not placed)", "",
        "| formats | stages | LUT | FF | CARRY4 | DSP48E1 |", "|---|---|---|---|---|---|"]
for tag, r in rows:
    x = r["xc7"]["resources"]
    out.append("| %s | %s | %d | %d | %d | %d |" % (fmts(tag), tag[-1], x["lut"], x["ff"], x["carry"], x["dsp"]))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "this machine")
speeds = re.findall(r"compared (\d+) results \(\d+ saturated\) over (\d+) cycles \(([\d.]+) M cycles/s\)", (work / "sim.log").read_text())
tests = re.findall(r"\[ RUN      \] (\S+)", (work / "sim.log").read_text())
out += ["", "## Verilator simulation speed", "",
        "The default config's co-simulation harness (Verilated AU, golden model checking every result, random "
        "operands), 2,000,000 beats per test, one thread on %s:" % cpu, "",
        "| test | cycles | results compared | M cycles/s |", "|---|---|---|---|"]
for t, (res, cyc, mcs) in zip(tests, speeds):
    out.append("| %s | %s | %s | %s |" % (t, cyc, res, mcs))
out.append("")
pathlib.Path("docs/results/au.md").write_text("\n".join(out))
print("\n".join(out))
PY
