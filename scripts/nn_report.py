#!/usr/bin/env python3
"""Writes docs/results/nn.md (or OUT) from the raw results of scripts/bench_nn.sh.

    nn_report.py WORK COMMAND SEEDS JOBS ELAPSED_S STARTED NPROC CPU SOURCE YOSYS_VERSION NEXTPNR_VERSION VERILATOR_VERSION [OUT]

WORK/plan.json names the configs measured, the models each ran (the first
model runs on every config) and the configs synthesized per module.
"""
import json
import pathlib
import re
import statistics
import sys

work = pathlib.Path(sys.argv[1]).resolve()
command, seeds, jobs, elapsed, started, nproc, cpu, source, yosys, nextpnr, verilator = sys.argv[2:13]
seeds, jobs, elapsed = int(seeds), int(jobs), int(elapsed)
out_path = pathlib.Path(sys.argv[13] if len(sys.argv) > 13 else "docs/results/nn.md")

plan = json.loads((work / "plan.json").read_text())
CONFIGS = plan["configs"]
MODELS = plan["models"]  # config -> the models run on it
HIER = plan["hier"]
# The model every config runs, and the others with the configs that run them.
BASE = next(m for m in MODELS[CONFIGS[0]] if all(m in MODELS[c] for c in CONFIGS))
EXTRA = [(m, c) for c in CONFIGS for m in MODELS[c] if m != BASE]
POOLS = ("max_pool", "avg_pool", "global_avg_pool")
UP5K = {"lut": 5280, "ff": 5280, "dsp": 8, "bram": 30, "spram": 4}
CELLS = {"up5k": [("SB_LUT4", "lut"), ("SB_DFF", "ff"), ("SB_CARRY", "carry"), ("SB_MAC16", "dsp"),
                  ("SB_RAM40_4K", "bram"), ("SB_SPRAM256KA", "spram")],
         "xc7": [("LUT", "lut"), ("FD", "ff"), ("CARRY4", "carry"), ("DSP48E1", "dsp"), ("RAMB18E1", "ramb18"),
                 ("RAMB36E1", "ramb36"), ("RAM", "lutram")]}


def load(path):
    return json.loads(path.read_text()) if path.exists() else None


def rel(path):
    """A path as written in the report: relative to the working directory (the repository) if under it."""
    path = pathlib.Path(path).resolve()
    try:
        return path.relative_to(pathlib.Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


WORK = rel(work)


def config(name):
    """The nn and au sizes, formats and synth.clock_mhz of a shipped config (flat YAML, read by pattern)."""
    text = (pathlib.Path("gen/configs") / f"{name}.yaml").read_text()
    get = lambda key: float(re.search(r"^\s+%s:\s*([\d.]+)" % key, text, re.M).group(1))
    word = lambda key: (re.search(r"^\s+%s:\s*(\w+)" % key, text, re.M) or [None, None])[1]
    return {"pes": int(get("pes")), "aus": int(get("aus_per_pe")), "clock_mhz": get("clock_mhz"),
            "formats": [f.strip() for f in re.search(r"^\s+formats:\s*\[([^\]]*)\]", text, re.M).group(1).split(",")],
            "share": word("share") == "true", "stages": int(get("pipeline_stages")),
            "weight_memory": word("weight_memory") or "bram",
            "sizes": tuple(word(k) for k in ("pes", "aus_per_pe", "act_words", "weight_words", "weight_memory", "ctrl_words",
                                              "max_accumulations", "pipeline_stages", "multipliers"))}


def reference(c):
    """The measured config whose AUs take a subset of c's formats and which is otherwise the same engine (for the
    cost of c's extra formats), or None."""
    k = cfgs[c]
    return next((r for r in CONFIGS if r != c and cfgs[r]["sizes"] == k["sizes"] and
                 set(cfgs[r]["formats"]) < set(k["formats"])), None)


def layer_formats(model):
    """Each layer's (input format, output format), following the formats through the layers as the model loader does
    (docs/model-format.md, 'Posit8 layers')."""
    fmt = {model["input"]["name"]: model["input"].get("format", "int8")}
    out = []
    for l in model["layers"]:
        fin = [fmt[i] for i in l["inputs"]]
        fmt[l["output"]] = l.get("output_format", fin[0] if l["op"] in POOLS else "int8")
        out.append((" + ".join(sorted(set(fin))), fmt[l["output"]]))
    return out


def model_text(name):
    """The model's command line, input and layers, for the sections' first lines."""
    m = models[name]
    shape, f = m["input"]["shape"], m["input"].get("format", "int8")
    return "`strata example-model %s --seed 1` (input [%d, %d] %s, %s)" % (
        name, shape[0], shape[1], f, ", ".join("%s %s" % (l["name"], l["op"]) for l in m["layers"]))


def input_text(name):
    f = models[name]["input"].get("format", "int8")
    return "a random int8 input (seed 1)" if f == "int8" else "a random %s input (seed 1; codes other than NaR)" % f


def status(cfg, step):
    return load(work / f"{cfg}.{step}.status.json") or {"rc": None, "seconds": None, "limit": None}


def top_cells(stat, target):
    """Cell counts of the engine's own module (everything but the out-of-context wrapper)."""
    mods = {k.lstrip("\\"): v for k, v in stat["modules"].items()}
    top = next(k for k in mods if not k.endswith("_synth_wrap"))
    r = {col: 0 for _, col in CELLS[target]}
    for typ, n in mods[top]["num_cells_by_type"].items():
        for prefix, col in CELLS[target]:
            if typ.startswith(prefix):
                r[col] += n
                break
    return top, r


def error_reason(cfg, target):
    """The first ERROR line of the failed step's logs."""
    d = work / cfg / target
    for log in sorted(d.glob("nextpnr-seed*.log")) + [d / "yosys.log", d / "synth.log", work / f"{cfg}.{target}.log"]:
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("ERROR:") or "error:" in line:
                    return line.replace("ERROR:", "").strip(), log
    return None, None


def synth(cfg, target):
    d = work / cfg / target
    st = status(cfg, target)
    stat = load(d / "stat.json")
    out = {"status": st, "report": load(d / "report.json")}
    if stat:
        out["top"], out["cells"] = top_cells(stat, target)
    if out["report"] and "placed" in out["report"]:
        out["fmax"] = out["report"]["placed"]["fmax_mhz"]
        out["seed"] = out["report"]["placed"]["median_seed"]
        out["pnr"] = load(d / f"pnr-seed{out['seed']}.json")
    # nextpnr's packed demand ("Device utilisation"), printed before placement: known also when placement fails.
    logs = sorted(d.glob("nextpnr-seed*.log"))
    log = d / ("nextpnr-seed%d.log" % out["seed"]) if "seed" in out else (logs[0] if logs else None)
    if log and log.exists():
        out["util"] = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in
                       re.finditer(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%", log.read_text(errors="replace"), re.M)}
    if st["rc"] is None:
        out["why"] = "no result (the job did not run)"
    elif st["rc"] == 124:
        out["why"] = "not placed within %d min (timeout)" % (st["limit"] // 60)
    elif st["rc"] != 0:
        reason, log = error_reason(cfg, target)
        placing = target == "up5k" and stat is not None
        out["why"] = ("does not fit: " if placing else "failed: ") + (reason or "exit status %s" % st["rc"])
        out["short"] = "does not fit" if placing else "failed"
        out["why_log"] = log
    return out


def critical_path(log):
    """The clock domain's critical path in a nextpnr log: start and end cells, delay, LUT levels, RTL lines."""
    lines = log.read_text(errors="replace").splitlines()
    starts = [i for i, l in enumerate(lines) if l.startswith("Info: Critical path report for clock ")]
    if not starts:
        return None
    steps, rtl, logic = [], [], None
    for l in lines[starts[-1] + 2:]:
        m = re.match(r"Info:\s+([\d.]+)\s+([\d.]+)\s+(Source|Net|Setup)\s+(\S+)", l)
        if m:
            steps.append((m.group(3), m.group(4), float(m.group(2))))
            continue
        m = re.match(r"Info:\s+([\d.]+) ns logic, ([\d.]+) ns routing", l)
        if m:
            logic = (float(m.group(1)), float(m.group(2)))
            break
        m = re.match(r"Info:\s+(design/rtl/\S+|wrap/\S+)", l)
        if m and m.group(1) not in rtl:
            rtl.append(m.group(1))
        if not l.startswith("Info:"):
            break
    src = [s for s in steps if s[0] == "Source"]
    end = [s for s in steps if s[0] == "Setup"]
    return {"start": src[0][1], "end": end[-1][1] if end else steps[-1][1], "delay": steps[-1][2], "logic": logic,
            "luts": sum(1 for s in src if s[1].endswith("_LC.O")), "carries": sum(1 for s in src if s[1].endswith(".COUT")),
            "rtl": rtl}


def max_delays(log):
    """The 'Max delay' lines of the final (post-route) timing summary: paths nextpnr does not constrain."""
    lines = log.read_text(errors="replace").splitlines()
    last = max((i for i, l in enumerate(lines) if "Max frequency for clock" in l), default=None)
    if last is None:
        return []
    out = []
    for l in lines[last + 1:]:
        m = re.match(r"Info: Max delay (.+?)\s*:\s*([\d.]+) ns", l)
        if m:
            out.append((re.sub(r"\s+", " ", m.group(1)), float(m.group(2))))
        elif out:
            break
    return out


def cell(text):
    """Text for a Markdown table cell."""
    return str(text).replace("|", "\\|")


def pct(n, of):
    return "%.1f%%" % (100.0 * n / of)


cfgs = {c: config(c) for c in CONFIGS}
up5k = {c: synth(c, "up5k") for c in CONFIGS}
xc7 = {c: synth(c, "xc7") for c in CONFIGS}
models = {m: load(work / f"{m}.json") for c in CONFIGS for m in MODELS[c]}
runs = {(c, m): load(work / c / f"run-{m}.json") for c in CONFIGS for m in MODELS[c]}

h, m = divmod(elapsed // 60, 60)
out = ["# Network engine: resources, Fmax, cycles per layer and simulation speed", "",
       "Measured by `%s` (%s UTC; the whole benchmark took %d s = %dh%02dm on %s cores, %d jobs at once, with other "
       "work sharing the machine) on the sources of %s. Raw reports under `%s/`." % (
           command, started.replace("T", " ").rstrip("Z"), elapsed, h, m, nproc, jobs, source, WORK), "",
       "Machine: %s, `nproc` = %s. Tools: %s; %s; %s." % (cpu, nproc, yosys, nextpnr, verilator), "",
       "Configs (`gen/configs/`). AU formats: the number formats every AU takes (posit8_0 is posit(8,0), the models' "
       "posit8); AU datapath: one multiplier fabric shared by the formats (`au.share: true`) or one per format; "
       "weight memory: where each AU's weights are (`nn.weight_memory`: `bram` inferred block RAM, `ice40_spram` one "
       "SPRAM). Peak MACs/cycle = 2 lanes of 8 bits (int8 or posit8) x PEs x AUs per PE:", "",
       "| config | PEs | AUs/PE | AU formats | AU datapath | pipeline stages | weight memory | peak MACs/cycle | synth.clock_mhz (nextpnr target) |",
       "|---|---|---|---|---|---|---|---|---|"]
for c in CONFIGS:
    k = cfgs[c]
    out.append("| %s | %d | %d | %s | %s | %d | %s | %d | %g |" % (
        c, k["pes"], k["aus"], " + ".join(k["formats"]),
        ("shared" if k["share"] else "per format") if len(k["formats"]) > 1 else "— (one format)", k["stages"],
        k["weight_memory"], 2 * k["pes"] * k["aus"], k["clock_mhz"]))

# --------------------------------------------------------------- UP5K
out += ["", "## iCE40 UP5K (sg48), placed and routed", "",
        "Resources are the engine module's own cells (yosys `synth_ice40 -dsp`, the engine kept as its own hierarchy "
        "inside the 3-pin out-of-context wrapper that feeds its inputs from a shift register and XORs its outputs); "
        "logic cells are nextpnr's packed ICESTORM_LCs of the whole wrapper (its device-utilisation count, "
        "printed before placement, so known also for a design that does not fit). Fmax is nextpnr's for the clock, %s. "
        "A design that is not placed shows its post-synthesis counts and the reason." %
        ("seed 1" if seeds == 1 else "the median over seeds 1 to %d" % seeds), "",
        "| config | LUT4 | FF | carry | DSP (SB_MAC16) | EBR (SB_RAM40_4K) | SPRAM | logic cells (ICESTORM_LC) | Fmax (MHz) | synth + P&R wall time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|"]
for c in CONFIGS:
    s = up5k[c]
    r = s.get("cells")
    if r is None:
        out.append("| %s | — | — | — | — | — | — | — | %s | %s |" % (c, cell(s.get("why", "no result")), s["status"]["seconds"] or "—"))
        continue
    lc = s.get("util", {}).get("ICESTORM_LC")
    out.append("| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |" % (
        c, r["lut"], r["ff"], r["carry"], r["dsp"], r["bram"], r["spram"],
        "%d / %d%s" % (lc[0], lc[1], "" if "fmax" in s else " (needed)") if lc else "—",
        "%.1f" % s["fmax"] if "fmax" in s else "**%s** (below)" % s.get("short", cell(s.get("why", "—"))), s["status"]["seconds"] or "—"))

out += ["", "### Share of the UP5K used, and what is left for a RISC-V core", "",
        "Of 5280 LUT4, 5280 FF, 8 DSP, 30 EBR (4 kbit block RAMs) and 4 SPRAM (256 kbit). The engine's own cells; "
        "the logic-cell column is nextpnr's packed total for the whole wrapper (a logic cell holds one LUT4, one FF and "
        "one carry; a LUT4 and a carry or FF that cannot share a cell take two), so it is the figure that decides the fit. "
        "The 'left' columns subtract the engine's cell counts from the device's; a design whose logic cells exceed "
        "5280 does not fit even where LUT4s are left.", "",
        "| config | LUT4 | FF | DSP | EBR | SPRAM | logic cells | left: LUT4 | FF | DSP | EBR | SPRAM |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for c in CONFIGS:
    r = up5k[c].get("cells")
    if r is None:
        continue
    lc = up5k[c].get("util", {}).get("ICESTORM_LC")
    note = "" if "fmax" in up5k[c] else " (not placed)"
    out.append("| %s%s | %s | %s | %s | %s | %s | %s | %s |" % (
        c, note, *(pct(r[k], UP5K[k]) for k in ("lut", "ff", "dsp", "bram", "spram")),
        pct(*lc) if lc else "—",
        " | ".join(str(UP5K[k] - r[k]) if r[k] <= UP5K[k] else "over by %d" % (r[k] - UP5K[k])
                   for k in ("lut", "ff", "dsp", "bram", "spram"))))
for c in CONFIGS:
    s = up5k[c]
    if "why" in s:
        u = s.get("util", {})
        need = ", ".join("%d of %d %s" % (u[k][0], u[k][1], name) for k, name in
                         (("ICESTORM_LC", "logic cells"), ("ICESTORM_DSP", "DSPs"), ("ICESTORM_RAM", "EBRs"), ("ICESTORM_SPRAM", "SPRAMs"))
                         if k in u)
        out += ["", "**%s on the UP5K: %s**%s%s" % (
            c, s["why"], " (`%s`)" % rel(s["why_log"]) if s.get("why_log") else "",
            ". nextpnr's packed design needs %s." % need if need else "")]

out += ["", "### What limits Fmax: nextpnr's critical path", "",
        "From the post-route timing report in the placement's log (`nextpnr-seed<N>.log`): the path's first cell "
        "(clock-to-out) and the cell whose input it ends at (setup), the LUT levels and carry cells on it, and the "
        "RTL lines the path's nets are defined in.", "",
        "| config | path delay (ns) | logic + routing (ns) | LUT levels | carry cells | starts at | ends at | RTL |",
        "|---|---|---|---|---|---|---|---|"]
unconstrained = {}
if not any("seed" in up5k[c] for c in CONFIGS):
    out[-4:] = ["No config was placed on the UP5K, so there is no placed Fmax and no critical path to report."]
for c in CONFIGS:
    s = up5k[c]
    if "seed" not in s:
        continue
    log = work / c / "up5k" / ("nextpnr-seed%d.log" % s["seed"])
    p = critical_path(log)
    if p:
        out.append("| %s | %.1f | %s | %d | %d | `%s` | `%s` | %s |" % (
            c, p["delay"], "%.1f + %.1f" % p["logic"] if p["logic"] else "—", p["luts"], p["carries"], p["start"], p["end"],
            "<br>".join("`%s`" % x for x in p["rtl"])))
    unconstrained[c] = [(path, d) for path, d in max_delays(log) if "PACKER_GND" in path or "PACKER_VCC" in path]
if any(unconstrained.values()):
    out += ["", "Paths nextpnr 0.4 leaves out of the clock's Fmax: an SB_MAC16 whose input and output registers are "
            "bypassed has its CLK pin tied to a constant, which this nextpnr promotes to a global net and times as a "
            "clock domain of its own, so register -> DSP -> register paths appear only as unconstrained cross-domain "
            "'Max delay' lines:", "",
            "| config | path | max delay (ns) |", "|---|---|---|"]
    for c, rows in unconstrained.items():
        for path, d in rows:
            out.append("| %s | `%s` | %.1f |" % (c, path, d))

# --------------------------------------------------------------- hierarchy
def hier_stat(cfg):
    """yosys stat -json of the unflattened synthesis; yosys 0.23 writes its hierarchy tree into the JSON, dropped here."""
    p = work / cfg / "hier" / "stat.json"
    if not p.exists():
        return None
    text = "\n".join(l for l in p.read_text().splitlines() if not re.match(r'^\s*[^\s"{}\[\]]+\s+\d+\s*$', l))
    return {k.lstrip("\\"): v["num_cells_by_type"] for k, v in json.loads(text)["modules"].items()}


hier = {}
for c in HIER:
    mods = hier_stat(c)
    if not mods:
        out += ["", "### Where the area goes: %s per module" % c, "",
                "**No result** (see `%s/%s.hier.log`)." % (WORK, c)]
        continue
    top = next(m for m in mods if m.endswith("_nn"))
    count = {}

    def visit(m, n):
        count[m] = count.get(m, 0) + n
        for sub, k in mods[m].items():
            if sub in mods:
                visit(sub, n * k)
    visit(top, 1)
    own = {m: {col: 0 for _, col in CELLS["up5k"]} for m in mods}
    for m, cells in mods.items():
        for typ, n in cells.items():
            for prefix, col in CELLS["up5k"]:
                if typ.startswith(prefix):
                    own[m][col] += n
                    break
    total = {col: sum(own[m][col] * count.get(m, 0) for m in mods) for _, col in CELLS["up5k"]}
    hier[c] = {"own": own, "count": count, "total": total}
    out += ["", "### Where the area goes: %s per module" % c, "",
            "The same yosys flow without flattening (`synth_ice40 -dsp -noflatten` on the engine alone, "
            "`%s/%s/hier/`), so no optimisation across module boundaries: the totals (%d LUT4, %d FF, %d carry, "
            "%d DSP, %d EBR, %d SPRAM) differ a little from the flat synthesis above. Each module's own cells, not its submodules'." %
            (WORK, c, total["lut"], total["ff"], total["carry"], total["dsp"], total["bram"], total["spram"]), "",
            "| module | instances | LUT4 each | FF each | carry each | DSP each | EBR each | SPRAM each | LUT4 all instances | share of LUT4 |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for m in sorted((m for m in mods if m in count), key=lambda m: -own[m]["lut"] * count[m]):
        o = own[m]
        out.append("| `%s` | %d | %d | %d | %d | %d | %d | %d | %d | %s |" % (
            m, count[m], o["lut"], o["ff"], o["carry"], o["dsp"], o["bram"], o["spram"], o["lut"] * count[m],
            pct(o["lut"] * count[m], total["lut"])))

# --------------------------------------------------------------- xc7
out += ["", "## Xilinx 7-series, yosys estimate (`synth_xilinx -family xc7 -flatten`, not placed)", "",
        "| config | LUT | FF | CARRY4 | DSP48E1 | RAMB36E1 | RAMB18E1 | LUTRAM | yosys wall time (s) |",
        "|---|---|---|---|---|---|---|---|---|"]
for c in CONFIGS:
    r = xc7[c].get("cells")
    if r is None or xc7[c]["status"]["rc"] != 0:
        out.append("| %s | %s | | | | | | | %s |" % (c, cell(xc7[c].get("why", "no result")), xc7[c]["status"]["seconds"] or "—"))
        continue
    out.append("| %s | %d | %d | %d | %d | %d | %d | %d | %s |" % (c, r["lut"], r["ff"], r["carry"], r["dsp"], r["ramb36"],
                                                               r["ramb18"], r["lutram"], xc7[c]["status"]["seconds"]))

# --------------------------------------------------------------- cycles
def util_cells(x):
    return ("%.1f" % x["ideal_cycles"] if x["macs"] else "—", "%.1f%%" % (100 * x["utilization"]) if x["macs"] else "—")


def network_row(label, c, r):
    """A row of a whole-network table: cycles, utilization, inferences/s at the placed Fmax and synth.clock_mhz, result."""
    k = cfgs[c]
    macs = sum(l["macs"] for l in r["layers"])
    n = r["network_cycles"]
    f = up5k[c].get("fmax")
    bad = [l["name"] for l in r["layers"] if l["mismatch"]] + (["network"] if r["network_mismatch"] else [])
    return "| %s | %d | %d | %d | %.1f%% | %s | %.0f (%g MHz) | %s |" % (
        label, sum(l["cycles"] for l in r["layers"]), n, macs, 100.0 * macs / (2 * k["pes"] * k["aus"]) / n,
        "%.0f (%.1f MHz)" % (f * 1e6 / n, f) if f else "— (not placed)", k["clock_mhz"] * 1e6 / n, k["clock_mhz"],
        "bit-exact" if r["match"] and not bad else "MISMATCH in " + ", ".join(bad))


NETWORK_HEAD = "| sum of layer cycles | network cycles | MACs | network MAC utilization | inferences/s at UP5K Fmax | at synth.clock_mhz | results |"
out += ["", "## %s on the Verilated engine" % BASE, "",
        "%s, run with `strata run CONFIG MODEL --seed 1 --json` "
        "on %s: each layer alone, then the whole model as one descriptor list; every tensor is "
        "compared bit for bit with the golden model. Ideal cycles = MACs / peak MACs per cycle; MAC utilization = ideal "
        "cycles / cycles. Pooling layers do no MACs (—)." % (model_text(BASE), input_text(BASE)), ""]
have = [c for c in CONFIGS if runs[(c, BASE)]]
head = "| layer | MACs |" + "".join(" %s cycles | ideal | util. |" % c for c in have)
out += [head, "|---|---|" + "---|---|---|" * len(have)]
for i, l in enumerate(runs[(have[0], BASE)]["layers"] if have else []):
    row = "| %s | %d |" % (l["name"], l["macs"])
    for c in have:
        x = runs[(c, BASE)]["layers"][i]
        assert x["name"] == l["name"] and x["macs"] == l["macs"]
        row += " %d | %s | %s |" % (x["cycles"], *util_cells(x))
    out.append(row)
for c in CONFIGS:
    if not runs[(c, BASE)]:
        out += ["", "**%s: no run result for %s** (see `%s/%s.run.log`)." % (c, BASE, WORK, c)]

out += ["", "### Whole network", "",
        "Network cycles: the whole descriptor list in one engine run (start to done, host transfers not counted). "
        "Inferences per second = clock / network cycles, at the placed UP5K Fmax and at the config's synth.clock_mhz.", "",
        "| config " + NETWORK_HEAD, "|---|---|---|---|---|---|---|---|"]
for c in have:
    out.append(network_row(c, c, runs[(c, BASE)]))

# --------------------------------------------------------------- the other models
def delta(a, b, unit, of=None):
    """'+N unit (b against a[ of OF], +p%)' for b against a."""
    return "%+d %s (%d against %d%s%s)" % (b - a, unit, b, a, " of %d" % of if of else "",
                                          ", %+.1f%%" % (100.0 * (b - a) / a) if a else "")


def cost_line(c, r):
    """One paragraph: config c against r, the same engine with fewer formats, from the measured numbers."""
    extra = [f for f in cfgs[c]["formats"] if f not in cfgs[r]["formats"]]
    k = cfgs[c]
    parts = []
    a, b = up5k[r].get("cells"), up5k[c].get("cells")
    if not (a and b):
        parts.append("UP5K: no synthesis result for %s" % " and ".join(x for x in (c, r) if not up5k[x].get("cells")))
    else:
        la, lb = up5k[r].get("util", {}).get("ICESTORM_LC"), up5k[c].get("util", {}).get("ICESTORM_LC")
        same = [(name, b[col]) for col, name in (("dsp", "DSPs"), ("bram", "EBRs"), ("spram", "SPRAMs")) if a[col] == b[col]]
        parts.append("on the UP5K %s%s, %+d FF, %+d carry%s" % (
            delta(a["lut"], b["lut"], "LUT4"),
            " and %s" % delta(la[0], lb[0], "logic cells", lb[1]) if la and lb else "", b["ff"] - a["ff"], b["carry"] - a["carry"],
            "".join(", %s %d against %d" % (name, b[col], a[col])
                    for col, name in (("dsp", "DSPs"), ("bram", "EBRs"), ("spram", "SPRAMs")) if a[col] != b[col]) +
            (", the same %s" % ", ".join("%s (%d)" % x for x in same) if same else "")))
        fa, fb = up5k[r].get("fmax"), up5k[c].get("fmax")
        parts.append("placed Fmax %.1f against %.1f MHz" % (fb, fa) if fa and fb else
                     "%s %s (%s: %s)" % (c if not fb else r, up5k[c if not fb else r].get("short", "not placed"),
                                         r if not fb else c, "%.1f MHz placed" % (fa or fb) if fa or fb else "not placed either"))
    a, b = xc7[r].get("cells"), xc7[c].get("cells")
    if a and b and xc7[r]["status"]["rc"] == 0 and xc7[c]["status"]["rc"] == 0:
        parts.append("xc7 estimate %s" % delta(a["lut"], b["lut"], "LUT"))
    if r in hier and c in hier:
        # Per module, matched by name without the config prefix; the largest LUT4 changes (all instances).
        name = lambda cfg, m: m[len(cfg) + 1:] if m.startswith(cfg + "_") else m
        lut = lambda cfg: {name(cfg, m): (hier[cfg]["own"][m]["lut"], hier[cfg]["count"].get(m, 0), m) for m in hier[cfg]["own"]}
        la, lb = lut(r), lut(c)
        diffs = []
        for m in set(la) | set(lb):
            (ea, na, ma), (eb, nb, mb) = la.get(m, (0, 0, None)), lb.get(m, (0, 0, None))
            if ea * na != eb * nb:
                diffs.append((eb * nb - ea * na, mb or ma, ea, na, eb, nb))
        diffs.sort(key=lambda d: (-abs(d[0]), d[1]))
        if diffs:
            parts.append("per module (unflattened synthesis, %d against %d LUT4): %s" % (
                hier[c]["total"]["lut"], hier[r]["total"]["lut"],
                ", ".join("`%s` %+d (%s)" % (m, d, "new: %d x %d LUT4" % (nb, eb) if not na else
                                             "gone: %d x %d LUT4" % (na, ea) if not nb else
                                             "%d against %d LUT4 each, x %d" % (eb, ea, nb) if na == nb else
                                             "%d x %d against %d x %d LUT4" % (nb, eb, na, ea))
                          for d, m, ea, na, eb, nb in diffs[:4])))
    ra, rb = runs.get((r, BASE)), runs.get((c, BASE))
    if ra and rb:
        parts.append("%s: %s" % (BASE, "%d network cycles on both" % ra["network_cycles"]
                                 if ra["network_cycles"] == rb["network_cycles"] else
                                 "%d network cycles against %d" % (rb["network_cycles"], ra["network_cycles"])))
    return ("**What %s costs: %s against %s** (the same engine, %d PE%s x %d AU%s, whose AUs take %s only): %s." % (
        " + ".join(extra), c, r, k["pes"], "s" if k["pes"] > 1 else "", k["aus"], "s" if k["aus"] > 1 else "",
        " + ".join(cfgs[r]["formats"]), "; ".join(parts)))


costed = set()
for m, c in EXTRA:
    r, base = runs[(c, m)], runs.get((c, BASE))
    fm = layer_formats(models[m])
    out += ["", "## %s on %s" % (m, c), ""]
    if not r:
        out += ["%s: **no run result** (see `%s/%s.run.log`)." % (model_text(m), WORK, c)]
        continue
    names = [l["name"] for l in r["layers"]]
    same = base is not None and [(l["name"], l["macs"]) for l in base["layers"]] == [(l["name"], l["macs"]) for l in r["layers"]]
    groups = {}
    for l, (fi, fo) in zip(models[m]["layers"], fm):
        if fi != "int8" or fo != "int8":
            groups.setdefault((fi, fo), []).append("%s %s" % (l["name"], l["op"]))
    other = sorted({fi for fi, _ in fm} - {"int8"})
    out += ["%s, run like %s above on %s%s. %s The format column is each layer's input and output tensor format; "
            "a layer with a posit input has weights and arithmetic in that format.%s" % (
                model_text(m), BASE, input_text(m),
                "; it has %s's layers and MACs" % BASE if same else "",
                "Layers in %s: %s; the rest int8." % (" and ".join(other), "; ".join(
                    "%s (%s -> %s)" % (", ".join(ls), fi, fo) for (fi, fo), ls in groups.items())) if groups else "All layers int8.",
                " Columns as above; the last ones are %s on %s, the same layers in int8." % (BASE, c) if same else
                " Columns as above (its shape differs from %s's, so no per-layer comparison)." % BASE) if base else
            "%s, run like %s above on %s." % (model_text(m), BASE, input_text(m)), ""]
    out += ["| layer | op | format (in -> out) | MACs | cycles | ideal | util. |" + (
                " %s cycles | util. | cycles %s - %s |" % (BASE, m, BASE) if same else ""),
            "|---|---|---|---|---|---|---|" + ("---|---|---|" if same else "")]
    for i, (x, l, (fi, fo)) in enumerate(zip(r["layers"], models[m]["layers"], fm)):
        assert x["name"] == l["name"]
        row = "| %s | %s | %s | %d | %d | %s | %s |" % (
            x["name"], l["op"], ("**%s -> %s**" if fi != "int8" or fo != "int8" else "%s -> %s") % (fi, fo), x["macs"],
            x["cycles"], *util_cells(x))
        if same:
            y = base["layers"][i]
            row += " %d | %s | %+d |" % (y["cycles"], util_cells(y)[1], x["cycles"] - y["cycles"])
        out.append(row)
    out += ["", "Whole network on %s (as above: one descriptor list; inferences/s at %s's placed UP5K Fmax and at its "
            "synth.clock_mhz):" % (c, c), "",
            "| model " + NETWORK_HEAD, "|---|---|---|---|---|---|---|---|", network_row(m, c, r)]
    if base:
        out.append(network_row(BASE, c, base))
    ref = reference(c)
    if ref and c not in costed:
        costed.add(c)
        out += ["", cost_line(c, ref)]
    elif not ref and c not in costed:
        costed.add(c)
        out += ["", "(No config with fewer formats and otherwise the same engine was measured in this run, so the cost "
                "of %s's extra formats is not given.)" % c]

# --------------------------------------------------------------- sim speed
pairs = [(c, m) for c in CONFIGS for m in MODELS[c]]
timed_runs = {(c, m): len(list((work / c).glob("timed-%s-*.status.json" % m))) for c, m in pairs}
out += ["", "## Verilator simulation speed", "",
        "The `nn_run` binary that `strata run` built (in `%s/<config>/sim/`, no waveform tracing), run alone "
        "%d times per config and model after every other job of the benchmark had finished (other users' work may still share "
        "the cores: the 1-minute load average before the runs is given), on the same models and inputs. Its wall time "
        "covers everything nn_run does: loading and compiling the model, the golden model, writing weights and inputs "
        "and reading results through the host port one word per clock, each layer alone and the whole network. The "
        "cycles counted are only the engine runs' own (sum of layer cycles + network cycles), not the host-port "
        "access cycles, so the figures are lower bounds on the clock cycles simulated per second. A run takes well under "
        "a second, so process start-up and model loading weigh in and the spread between runs is large on a shared machine: "
        "the fastest run is the best estimate of the simulator's own speed." % (WORK, max(timed_runs.values(), default=0)), "",
        "| config | model | engine cycles counted | wall time: fastest (s) | median (s) | slowest (s) | load avg before | engine cycles/s, fastest run | median run | same cycles every run |",
        "|---|---|---|---|---|---|---|---|---|---|"]
for c, m in pairs:
    if not runs[(c, m)]:
        continue
    timed = [(load(work / c / ("timed-%s-%d.status.json" % (m, i))), load(work / c / ("timed-%s-%d.json" % (m, i))))
             for i in range(1, timed_runs[(c, m)] + 1)]
    timed = [(s, j) for s, j in timed if s and s["rc"] == 0 and j]
    if not timed:
        out.append("| %s | %s | — | — | — | — | — | — | — | — |" % (c, m))
        continue
    r = runs[(c, m)]
    cyc = r["network_cycles"] + sum(l["cycles"] for l in r["layers"])
    same = all(j["network_cycles"] == r["network_cycles"] and
               [l["cycles"] for l in j["layers"]] == [l["cycles"] for l in r["layers"]] for _, j in timed)
    walls = [s["seconds"] for s, _ in timed]
    loads = [s["loadavg_1min_before"] for s, _ in timed]
    med = statistics.median(walls)
    out.append("| %s | %s | %d | %.3f | %.3f | %.3f | %g to %g | %s | %s | %s |" % (
        c, m, cyc, min(walls), med, max(walls), min(loads), max(loads), "{:,.0f}".format(cyc / min(walls)),
        "{:,.0f}".format(cyc / med), "yes (%d runs)" % len(timed) if same else "NO"))


def run_seconds(c):
    """The run job's wall time; with more than one model, each model's strata run (the first includes the build)."""
    total = status(c, "run")["seconds"]
    if total is None or len(MODELS[c]) < 2:
        return total or "—"
    each = [(m, (load(work / c / ("run-%s.status.json" % m)) or {}).get("seconds")) for m in MODELS[c]]
    return "%s (%s)" % (total, ", ".join("%s %s" % (m, s if s is not None else "—") for m, s in each))


out += ["", "## Job wall times", "", "Each job's wall time with %d jobs sharing the machine (s); the simulation job builds "
        "the engine simulation with the first model's `strata run` and then runs the config's other models in the same "
        "build:" % jobs, "",
        "| config | UP5K synth + P&R | xc7 synth | simulation build + runs | per-module synthesis |", "|---|---|---|---|---|"]
for c in CONFIGS:
    out.append("| %s | %s | %s | %s | %s |" % (c, *(status(c, s)["seconds"] or "—" for s in ("up5k", "xc7")), run_seconds(c),
                                              status(c, "hier")["seconds"] or "—"))
out.append("")
out_path.write_text("\n".join(out))
print("\n".join(out))
