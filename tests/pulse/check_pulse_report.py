#!/usr/bin/python3
"""Checks a `strata pulse --json` report against an independent computation
from its own per-pulse data (no Strata code, no numpy):

  - every pulse was compared bit-exact with the golden model, and the report
    and the printed table say so for each of the --pulses pulses;
  - each pulse's network time and energy follow from its int8 output codes,
    the model file's output quantization and the .pulse.json scaling;
  - the network's, the CFD's and the trapezoid's resolutions are the standard
    deviations of the per-pulse errors; pulses per second is the clock over
    the mean engine cycles; the printed table shows the same numbers;
  - with `soc`: the report says it ran through the control firmware on the
    SoC, each pulse's cycles from the doorbell to the firmware's answer
    exceed its engine cycles, and the firmware's mean overhead is their
    difference; with `engine` it says it ran on the network engine alone.

  check_pulse_report.py REPORT.json STDOUT.txt PULSES [engine|soc]
"""

import json
import math
import statistics
import sys


def fail(msg):
    print(f"check_pulse_report: FAIL: {msg}")
    sys.exit(1)


def close(a, b, rel=1e-9, what=""):
    if not math.isclose(a, b, rel_tol=rel, abs_tol=1e-12):
        fail(f"{what}: {a} != {b}")


def main():
    report_path, stdout_path, pulses = sys.argv[1], sys.argv[2], int(sys.argv[3])
    backend = sys.argv[4] if len(sys.argv) > 4 else "engine"
    r = json.load(open(report_path))
    text = open(stdout_path).read()
    model = json.load(open(r["model_file"]))
    scaling = json.load(open(r["scaling_file"]))
    per = r["per_pulse"]
    if r["pulses"] != pulses or r["bit_exact_pulses"] != pulses or len(per) != pulses:
        fail(f"pulses {r['pulses']}, bit-exact {r['bit_exact_pulses']}, per-pulse entries {len(per)}; expected {pulses}")
    if [p["index"] for p in per] != list(range(pulses)) or not all(p["bit_exact"] is True for p in per):
        fail("a pulse is missing or was not compared bit-exact")
    if f"bit-exact: {pulses} of {pulses} pulses" not in text:
        fail("the printed report does not say every pulse was bit-exact")

    out_layer = next(l for l in model["layers"] if l["output"] == model["outputs"][0])
    s, z = out_layer["output_quant"]["scale"], out_layer["output_quant"]["zero_point"]
    outs = scaling["outputs"]

    def value(codes, o, offset, scale):
        return o[offset] + o[scale] * statistics.fmean(s * (codes[c] - z) for c in o["channels"])

    dt, de, dcfd, dtrap = [], [], [], []
    for p in per:
        if len(p["output"]) != out_layer["units"] or not all(-128 <= c <= 127 for c in p["output"]):
            fail(f"pulse {p['index']}: output {p['output']} is not {out_layer['units']} int8 codes")
        t = value(p["output"], outs["time"], "offset_ns", "scale_ns")
        e = value(p["output"], outs["energy"], "offset", "scale")
        close(t, p["time_ns"], 1e-6, f"pulse {p['index']} time")
        close(e, p["energy"], 1e-6, f"pulse {p['index']} energy")
        dt.append((t - p["t0_ns"]) * 1000)
        de.append(e / p["amplitude"] - 1)
        if p["cfd_ns"] is not None:
            dcfd.append((p["cfd_ns"] - p["t0_ns"]) * 1000)
        if p["trapezoid"] is not None:
            dtrap.append(p["trapezoid"] / p["amplitude"] - 1)
    res = r["resolution"]
    close(statistics.stdev(dt), res["network_time_ps"]["std"], 1e-6, "network time resolution")
    close(statistics.stdev(de) * 100, res["network_energy_percent"]["std"], 1e-6, "network energy resolution")
    close(statistics.stdev(dcfd), res["cfd_time_ps"]["std"], 1e-6, "CFD time resolution")
    close(statistics.stdev(dtrap) * 100, res["trapezoid_energy_percent"]["std"], 1e-6, "trapezoid energy resolution")
    cycles = [p["cycles"] for p in per]
    if min(cycles) < 100 or r["cycles"]["min"] != min(cycles) or r["cycles"]["max"] != max(cycles):
        fail(f"cycles {r['cycles']} against per-pulse {min(cycles)} .. {max(cycles)}")
    close(r["cycles"]["mean"], statistics.fmean(cycles), 1e-9, "mean cycles")
    close(r["pulses_per_second"], r["clock_mhz"] * 1e6 / statistics.fmean(cycles), 1e-9, "pulses per second")
    if not (0 < res["crb_time_ps"] < 1000 and 0 < res["crb_energy_percent"] < 10):
        fail(f"Cramer-Rao bound {res['crb_time_ps']} ps, {res['crb_energy_percent']}%")
    rows = {
        "network (int8, on the engine)": f"| {res['network_time_ps']['std']:.1f} | {res['network_energy_percent']['std']:.3f} |",
        "Cramer-Rao bound": f"| {res['crb_time_ps']:.1f} | {res['crb_energy_percent']:.3f} |",
        "PulseDL-II": "| 60 | 0.40 |",
    }
    for name, cells in rows.items():
        line = next((l for l in text.splitlines() if l.startswith("| " + name)), None)
        if line is None or not line.endswith(cells):
            fail(f"the printed row '{name}' is {line!r}, expected it to end with {cells!r}")
    if f"{r['pulses_per_second']:.0f} pulses/s at" not in text:
        fail("the printed report does not give the pulses per second")
    if backend == "soc":
        if r.get("transport") != "soc_axi4_lite" or "through its control firmware" not in r.get("backend", ""):
            fail(f"the report does not say it ran through the firmware on the SoC: {r.get('transport')!r}, {r.get('backend')!r}")
        if "ran on the SoC" not in text or "through the firmware:" not in text:
            fail("the printed report does not say it ran through the firmware on the SoC")
        host = [p["host_cycles"] for p in per]
        if not all(h > c for h, c in zip(host, cycles)) or not all(0 < p["core_cycles"] < p["host_cycles"] for p in per):
            fail(f"the firmware's cycles {host} do not exceed the engine's {cycles}")
        fw = r["firmware"]
        close(fw["host_cycles_mean"], statistics.fmean(host), 1e-9, "mean cycles through the firmware")
        close(fw["overhead_cycles_mean"], statistics.fmean(host) - statistics.fmean(cycles), 1e-9, "mean firmware overhead")
        if f"{fw['overhead_cycles_mean']:.0f} of them the firmware's overhead" not in text:
            fail("the printed report does not give the firmware's overhead")
    elif "transport" in r or "ran on the network engine of" not in text:
        fail("the report does not say it ran on the network engine")
    print(f"check_pulse_report: {pulses} pulses bit-exact; network {statistics.stdev(dt):.1f} ps, {statistics.stdev(de) * 100:.3f}%; "
          f"CFD {statistics.stdev(dcfd):.1f} ps; trapezoid {statistics.stdev(dtrap) * 100:.3f}%; {r['pulses_per_second']:.0f} pulses/s: consistent")


if __name__ == "__main__":
    main()
