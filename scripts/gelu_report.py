#!/usr/bin/env python3
"""Writes the GELU section of docs/results/softmax_gelu.md from the raw
results of scripts/bench_gelu.sh (between <!-- gelu:begin --> and
<!-- gelu:end -->; the file is created with a softmax marker pair too when
it does not exist, and nothing outside the GELU markers changes).

    gelu_report.py WORK SEEDS SOURCES YOSYS NEXTPNR VERILATOR REPORT TAG...
"""
import json
import pathlib
import re
import sys

work, seeds, sources, yosys, nextpnr, verilator, report = pathlib.Path(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:8]
tags = sys.argv[8:]
report = pathlib.Path(report)


def synth(tag, target):
    rep = work / tag / target / "report.json"
    return json.loads(rep.read_text()) if rep.exists() else None


def cycles(tag):
    m = re.search(r"gelu throughput: (\d+) (\w+) elements accepted in (\d+) cycles, ([\d.]+) cycles per element; latency (\d+) cycles",
                  (work / f"{tag}.cycles.log").read_text())
    return m.groups() if m else None


def config_text(tag):
    lines = [l.strip() for l in (work / f"{tag}.yaml").read_text().splitlines()]
    body = [l for l in lines if l and not l.startswith("#") and ":" in l and not l.startswith(("name", "gelu:", "synth", "clock_mhz"))]
    return ", ".join(body)


out = ["<!-- gelu:begin -->", "## GELU", ""]
out.append(f"Measured by `./scripts/bench_gelu.sh --seeds {seeds}` on {sources}. Tools: {yosys}; {nextpnr}; {verilator}.")
out.append("")
out.append("### Accuracy")
out.append("")
out.append("Every input code of the type, against the float64 GELU of the same form (`gelu::reference`, clamped to the type). Strata is the "
           "golden model, which the RTL matches bit for bit (`ctest -R gelu.cosim`). The baselines are evaluated at their best case: "
           "I-BERT's integer i-GELU with the final requantization in float64, Edge-MoE's 1/32-step delta table in float64 with the exact "
           "dequantized input (host/golden/gelu_baselines.h).")
out.append((work / "accuracy.md").read_text().rstrip())
out.append("")
out.append("### Resources, Fmax and cycles")
out.append("")
out.append("The unit's own cells (yosys `stat` of `<name>_gelu` and its memories inside the 3-pin out-of-context wrapper); Fmax is nextpnr's "
           f"for the placed wrapper on iCE40 UP5K (sg48), median of {seeds} seed(s); xc7 is yosys `synth_xilinx` without placement. "
           "Cycles per element and latency are measured on the Verilated unit: 10000 elements back to back without back-pressure "
           "(`gelu_cosim --gtest_filter=GeluStream.BackToBack*`).")
out.append("")
out.append("| config | gelu section | UP5K LUT4 | FF | carry | DSP | BRAM | logic cells | Fmax (MHz) | xc7 LUT | FF | DSP48 | BRAM | LUTRAM | cycles / element | latency (cycles) |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for t in tags:
    u, x, c = synth(t, "up5k"), synth(t, "xc7"), cycles(t)
    row = [t, config_text(t)]
    if u:
        r = u["resources"]
        p = u.get("placed", {})
        row += [r["lut"], r["ff"], r["carry"], r["dsp"], r["bram"], p.get("logic_cells", "n/a"), f'{p["fmax_mhz"]:.1f}' if p else "n/a"]
    else:
        row += ["failed"] * 7
    if x:
        r = x["resources"]
        row += [r["lut"], r["ff"], r["dsp"], r["bram"], r["lutram"]]
    else:
        row += ["failed"] * 5
    row += [c[3], c[4]] if c else ["n/a", "n/a"]
    out.append("| " + " | ".join(str(v) for v in row) + " |")
out.append("")
out.append("<!-- gelu:end -->")
section = "\n".join(out) + "\n"

if report.exists():
    text = report.read_text()
else:
    text = ("# Softmax and GELU: accuracy, resources and cycles\n\n"
            "Each section is written by its benchmark script, which replaces only the text between its own markers.\n\n"
            "<!-- softmax:begin -->\n<!-- softmax:end -->\n\n<!-- gelu:begin -->\n<!-- gelu:end -->\n")
begin, end = text.find("<!-- gelu:begin -->"), text.find("<!-- gelu:end -->")
if begin < 0 or end < begin:
    text = text.rstrip("\n") + "\n\n" + section
else:
    text = text[:begin] + section.rstrip("\n") + text[end + len("<!-- gelu:end -->"):]
report.write_text(text)
print(f"gelu_report: wrote the GELU section of {report}")
