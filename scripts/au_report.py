#!/usr/bin/env python3
"""Writes docs/results/au.md from the raw results of scripts/bench_au.sh.

    au_report.py WORK SEED SEEDS YOSYS_VERSION NEXTPNR_VERSION VERILATOR_VERSION
"""
import json
import pathlib
import re
import sys

work, seed, seeds, yosys, nextpnr, verilator = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]

SETS = [("int", "int4/int8/int16"), ("int_fp4", "+ fp4"), ("int_posit4", "+ posit4_1"), ("int_posit8", "+ posit8_0"),
        ("int_posit16", "+ posit16_1"), ("all", "all seven")]
CELLS = {"up5k": {"SB_LUT4": "lut", "SB_DFF": "ff", "SB_CARRY": "carry", "SB_MAC16": "dsp"},
         "xc7": {"LUT": "lut", "FD": "ff", "CARRY4": "carry", "DSP48E1": "dsp"}}


def result(tag, target):
    """The report of one synthesis, or the post-synthesis counts of one that did not place."""
    d = work / tag / target
    rep = d / "report.json"
    if rep.exists():
        r = json.loads(rep.read_text())
        return {**r["resources"], "fmax": r.get("placed", {}).get("fmax_mhz"), "placed": True}
    stat = d / "stat.json"
    if not stat.exists():
        return None
    mods = json.loads(stat.read_text())["modules"]
    cells = next(v for k, v in mods.items() if k.lstrip("\\") == f"au_{tag}_au")["num_cells_by_type"]
    r = {"lut": 0, "ff": 0, "carry": 0, "dsp": 0}
    for typ, n in cells.items():
        for prefix, col in CELLS[target].items():
            if typ.startswith(prefix):
                r[col] += n
                break
    return {**r, "fmax": None, "placed": False}


def cells(r):
    if r is None:
        return "— | — | — | — | —"
    fmax = "%.1f" % r["fmax"] if r["fmax"] else ("does not fit" if not r["placed"] else "—")
    return "%d | %d | %d | %d | %s" % (r["lut"], r["ff"], r["carry"], r["dsp"], fmax)


out = ["# AU resources, Fmax, switching activity and simulation speed", "",
       "Measured by `./scripts/bench_au.sh%s`: every config has max_accumulations 1024 and, unless a table says "
       "otherwise, one pipeline stage and operand isolation. Resources are the AU module's own cells (yosys "
       "`stat`, kept as its own hierarchy inside the 3-pin out-of-context wrapper); Fmax is nextpnr's for the "
       "whole placed wrapper on iCE40 UP5K (sg48, iCEBreaker pins), %s. A design that does not fit the UP5K "
       "shows its post-synthesis counts." % ("" if seeds == 3 and seed == 1 else " --seed %d --seeds %d" % (seed, seeds),
                                            "nextpnr seed %d" % seed if seeds == 1 else
                                            "the median over nextpnr seeds %d to %d" % (seed, seed + seeds - 1)), "",
       "Tools: %s; %s; %s." % (yosys, nextpnr, verilator), "",
       "## Shared fabric against per-format datapaths, iCE40 UP5K placed and routed", "",
       "`share: true` is the RMMEC-style unit: one multiplier fabric (four 8x8 DSP sub-multipliers with "
       "`multipliers: dsp`, sixteen 4x4 LUT sub-multipliers with `lut`) and one alignment path per lane count "
       "for every format. `share: false` gives each format its own multipliers, shifters and adder tree.", "",
       "| formats | multipliers | shared LUT4 | FF | carry | DSP | Fmax (MHz) | per-format LUT4 | FF | carry | DSP | Fmax (MHz) | LUT4 shared / per-format |",
       "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for key, name in SETS:
    for mul in ("dsp", "lut"):
        s, p = result(f"{key}_t{mul}_s1", "up5k"), result(f"{key}_f{mul}_s1", "up5k")
        ratio = "%.2f" % (s["lut"] / p["lut"]) if s and p and p["lut"] else "—"
        out.append("| %s | %s | %s | %s | %s |" % (name, mul, cells(s), cells(p), ratio))

out += ["", "## Area each format adds to the integer unit (LUT4 on UP5K, post-synthesis)", "",
        "| added format | shared, dsp | shared, lut | per-format, dsp | per-format, lut |", "|---|---|---|---|---|"]
for key, name in SETS[1:]:
    row = []
    for variant in ("tdsp", "tlut", "fdsp", "flut"):
        base, r = result(f"int_{variant}_s1", "up5k"), result(f"{key}_{variant}_s1", "up5k")
        row.append("%+d" % (r["lut"] - base["lut"]) if base and r else "—")
    out.append("| %s | %s |" % (name, " | ".join(row)))

out += ["", "## Pipeline depth (all seven formats, shared, dsp)", "",
        "| stages | LUT4 | FF | carry | DSP | Fmax (MHz) |", "|---|---|---|---|---|---|"]
for stages in (0, 1, 2):
    tag = "all_tdsp_s%d" % stages
    out.append("| %d | %s |" % (stages, cells(result(tag, "up5k"))))

out += ["", "## Xilinx 7-series, yosys estimate (`synth_xilinx -family xc7`, not placed)", "",
        "| formats | multipliers | shared LUT | FF | CARRY4 | DSP48E1 | per-format LUT | FF | CARRY4 | DSP48E1 |",
        "|---|---|---|---|---|---|---|---|---|---|"]
for key, name in SETS:
    for mul in ("dsp", "lut"):
        row = []
        for share in "tf":
            r = result(f"{key}_{share}{mul}_s1", "xc7")
            row.append("%d | %d | %d | %d" % (r["lut"], r["ff"], r["carry"], r["dsp"]) if r else "— | — | — | —")
        out.append("| %s | %s | %s |" % (name, mul, " | ".join(row)))

tog = {}
for share in "tf":
    for iso in "tf":
        for line in (work / f"tog_{share}{iso}.jsonl").read_text().splitlines():
            j = json.loads(line)
            tog[(share, iso, j["format"])] = j
formats = [j["format"] for (s, i, _), j in tog.items() if s == "t" and i == "t"]
out += ["", "## Switching activity per MAC (dynamic-power proxy)", "",
        "The all-format AU in Verilator with `--coverage-toggle`: 20,000 beats of uniformly random real operands "
        "per format in dot products of 16 beats, every toggle of every signal bit of every module counted "
        "(`sim/au/au_toggles.cpp`), divided by the multiply-accumulates done. Isolation holds the operands of "
        "the paths not selected (and of idle sub-multipliers) at zero. MACs per cycle are measured in the same run.", "",
        "| format | MACs/cycle | shared, isolated | shared, not isolated | saved | per-format, isolated | per-format, not isolated | saved |",
        "|---|---|---|---|---|---|---|---|"]
for f in formats:
    row = ["%.2f" % tog[("t", "t", f)]["macs_per_cycle"]]
    for share in "tf":
        a, b = tog[(share, "t", f)]["toggles_per_mac"], tog[(share, "f", f)]["toggles_per_mac"]
        row += ["%.1f" % a, "%.1f" % b, "%.0f%%" % (100 * (1 - a / b))]
    out.append("| %s | %s |" % (f, " | ".join(row)))

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "this machine")
out += ["", "## Verilator simulation speed", "",
        "The co-simulation harness (Verilated AU, golden model checking every result, random operands), "
        "1,000,000 beats per test, one thread on %s:" % cpu, "",
        "| config | test | cycles | results compared | M cycles/s |", "|---|---|---|---|---|"]
for cfg in ("default", "mixed"):
    log = (work / f"sim-{cfg}.log").read_text()
    speeds = re.findall(r"compared (\d+) results \([^)]*\) over (\d+) cycles \(([\d.]+) M cycles/s\)", log)
    tests = re.findall(r"\[ RUN      \] (\S+)", log)
    for t, (res, cyc, mcs) in zip(tests, speeds):
        out.append("| %s | %s | %s | %s | %s |" % (cfg, t, cyc, res, mcs))
out.append("")
pathlib.Path("docs/results/au.md").write_text("\n".join(out))
print("\n".join(out))
