#!/usr/bin/python3
"""The tables and plots of scripts/bench_pulse_nn.sh from `strata pulse --json`
reports (one per SNR): docs/results/pulse_nn.md, pulse_nn_resolution.png
(time and energy resolution against SNR for every method and the Cramer-Rao
bound) and pulse_nn_time_errors.png (histograms of the time errors at the
SNR nearest 47.4 dB). Needs Debian's python3-matplotlib.

  pulse_nn_report.py --out MD --plots DIR --command CMD --note TEXT REPORT.json...
"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import ScalarFormatter  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--plots", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--note", default="")
    ap.add_argument("reports", nargs="+")
    a = ap.parse_args()
    reps = sorted((json.load(open(p)) for p in a.reports), key=lambda r: r["pulse"]["snr_db"])
    r0 = reps[0]
    scaling = json.load(open(r0["scaling_file"]))
    tr = scaling.get("training", {})
    snrs = [r["pulse"]["snr_db"] for r in reps]
    res = [r["resolution"] for r in reps]
    p = r0["pulse"]

    lines = [
        "# Pulses: the trained int8 network on the engine, against the baselines",
        "",
        f"Measured by `{a.command}` ({a.note}).",
        f"Every pulse ran through `{r0['model']}` ([../train.md](../train.md)) on the Verilated engine of `{r0['config']}` with `strata pulse`,"
        " and every output was compared with the golden model's, bit for bit: "
        f"{sum(r['bit_exact_pulses'] for r in reps)} of {sum(r['pulses'] for r in reps)} pulses equal.",
        f"Pulses: {p['shape']} (CR-RC^{p['order']}, tau {p['tau_ns']} ns), {p['adc_bits']}-bit ADC at {p['rate_msps']} MSPS, {p['samples']} samples,"
        f" the simulator's defaults ([../pulse.md](../pulse.md)); {r0['pulses']} test pulses per SNR (seed {r0['seed']}),"
        f" CFD and trapezoid tuned on {r0['baseline_train']} other pulses of the same SNR (seed {r0['baseline_seed']}) as in [pulse.md](pulse.md).",
        f"The network was trained once, on pulses of 30 to 60 dB ({tr.get('command', 'scripts/train_pulse.py')}; seeds other than these), and is the same at every SNR.",
        "",
        "Time resolution: standard deviation of (estimate - true t0), ps. Energy resolution: standard deviation of (estimate / true amplitude - 1), %."
        " CRB: the Cramer-Rao bound of the bench. PulseDL-II: 60 ps and 0.40% at 47.4 dB on its own pulses (IEEE TNS 2023), not these.",
        "",
        "| SNR (dB) | CRB t (ps) | network t (ps) | CFD (ps) | CFD + phase correction (ps) | CRB E (%) | network E (%) | trapezoid (%) | network t / CFD | network E / trapezoid |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s, x in zip(snrs, res):
        nt, ne = x["network_time_ps"]["std"], x["network_energy_percent"]["std"]
        ct, te = x["cfd_time_ps"]["std"], x["trapezoid_energy_percent"]["std"]
        lines.append(f"| {s:g} | {x['crb_time_ps']:.1f} | {nt:.1f} | {ct:.1f} | {x['cfd_phase_time_ps']['std']:.1f} | {x['crb_energy_percent']:.3f} |"
                     f" {ne:.3f} | {te:.3f} | {nt / ct:.2f} | {ne / te:.2f} |")
    d = min(reps, key=lambda r: abs(r["pulse"]["snr_db"] - 47.4))
    x = d["resolution"]
    lines += [
        "",
        f"At {d['pulse']['snr_db']:g} dB in detail (sigma68: half the central 68.27% interval; bias: the mean error):",
        "",
        "| method | std | sigma68 | bias | tuned |",
        "|---|---|---|---|---|",
        f"| network, time | {x['network_time_ps']['std']:.1f} ps | {x['network_time_ps']['sigma68']:.1f} ps | {x['network_time_ps']['mean']:.1f} ps | trained ({tr.get('command', '')}) |",
        f"| CFD, time | {x['cfd_time_ps']['std']:.1f} ps | {x['cfd_time_ps']['sigma68']:.1f} ps | {x['cfd_time_ps']['mean']:.1f} ps | {d['baselines']['cfd']} |",
        f"| CFD + phase correction, time | {x['cfd_phase_time_ps']['std']:.1f} ps | {x['cfd_phase_time_ps']['sigma68']:.1f} ps | {x['cfd_phase_time_ps']['mean']:.1f} ps | {d['baselines']['cfd_phase']} |",
        f"| network, energy | {x['network_energy_percent']['std']:.3f}% | {x['network_energy_percent']['sigma68']:.3f}% | {x['network_energy_percent']['mean']:.3f}% | |",
        f"| trapezoid, energy | {x['trapezoid_energy_percent']['std']:.3f}% | {x['trapezoid_energy_percent']['sigma68']:.3f}% | {x['trapezoid_energy_percent']['mean']:.3f}% | {d['baselines']['trapezoid']} |",
        f"| Cramer-Rao bound | {x['crb_time_ps']:.1f} ps, {x['crb_energy_percent']:.3f}% | | | |",
        "",
        f"Throughput: {d['cycles']['mean']:.0f} engine cycles per pulse (the network's descriptor list, from the engine's CYCLES counter; the same for every pulse),"
        f" {d['pulses_per_second']:.0f} pulses/s at {d['clock_mhz']:g} MHz (the config's synth.clock_mhz), i.e. {d['cycles']['mean'] / d['clock_mhz']:.0f} µs per pulse"
        " against the 256 ns a 32-sample window lasts at 125 MSPS.",
        "",
        "![time and energy resolution against SNR](pulse_nn_resolution.png)",
        "",
        "![time errors at 47.4 dB](pulse_nn_time_errors.png)",
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))

    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    ax[0].plot(snrs, [x["crb_time_ps"] for x in res], "k--", label="Cramér–Rao bound")
    ax[0].plot(snrs, [x["network_time_ps"]["std"] for x in res], "o-", label="network (int8, engine)")
    ax[0].plot(snrs, [x["cfd_time_ps"]["std"] for x in res], "s-", label="CFD")
    ax[0].plot(snrs, [x["cfd_phase_time_ps"]["std"] for x in res], "^-", label="CFD + phase correction")
    ax[0].plot([47.4], [60], "r*", markersize=12, label="PulseDL-II (its pulses)")
    ax[0].set_yscale("log")
    ax[0].set_xlabel("SNR (dB)")
    ax[0].set_ylabel("time resolution σ (ps)")
    ax[0].grid(True, which="both", alpha=0.3)
    ax[0].legend(fontsize=8)
    ax[1].plot(snrs, [x["crb_energy_percent"] for x in res], "k--", label="Cramér–Rao bound")
    ax[1].plot(snrs, [x["network_energy_percent"]["std"] for x in res], "o-", label="network (int8, engine)")
    ax[1].plot(snrs, [x["trapezoid_energy_percent"]["std"] for x in res], "s-", label="trapezoid")
    ax[1].plot([47.4], [0.40], "r*", markersize=12, label="PulseDL-II (its pulses)")
    ax[1].set_yscale("log")
    ax[1].set_xlabel("SNR (dB)")
    ax[1].set_ylabel("energy resolution σ_E/E (%)")
    ax[1].grid(True, which="both", alpha=0.3)
    ax[1].legend(fontsize=8)
    for axis in ax:
        axis.yaxis.set_major_formatter(ScalarFormatter())
        axis.yaxis.set_minor_formatter(ScalarFormatter())
    fig.suptitle(f"{r0['model']} on {r0['config']}: {r0['pulses']} pulses per SNR, CR-RC^4 at 125 MSPS")
    fig.tight_layout()
    fig.savefig(os.path.join(a.plots, "pulse_nn_resolution.png"), dpi=110)

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    nn_err = [(q["time_ns"] - q["t0_ns"]) * 1000 for q in d["per_pulse"]]
    cfd_err = [(q["cfd_ns"] - q["t0_ns"]) * 1000 for q in d["per_pulse"] if q["cfd_ns"] is not None]
    lim = 4 * max(x["network_time_ps"]["std"], x["cfd_time_ps"]["std"])
    bins = [-lim + i * 2 * lim / 60 for i in range(61)]
    ax.hist(nn_err, bins=bins, histtype="step", linewidth=1.5, label=f"network: σ {x['network_time_ps']['std']:.1f} ps")
    ax.hist(cfd_err, bins=bins, histtype="step", linewidth=1.5, label=f"CFD: σ {x['cfd_time_ps']['std']:.1f} ps")
    ax.set_xlabel("estimated − true arrival time (ps)")
    ax.set_ylabel("pulses")
    ax.set_title(f"time errors at {d['pulse']['snr_db']:g} dB ({d['pulses']} pulses)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(a.plots, "pulse_nn_time_errors.png"), dpi=110)


if __name__ == "__main__":
    main()
