#!/usr/bin/python3
"""Plots of a sweep's report.json (strata sweep draws them; docs/sweep.md).

    scripts/sweep_plot.py REPORT.json OUTDIR

Writes OUTDIR/pareto.png: per placed synthesis target, LUTs against the
sweep's performance objective (inferences per second, else Fmax), points
coloured by their AU formats, the Pareto front ringed and joined by a line. Needs Debian's
python3-matplotlib (scripts/setup.sh installs it).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def formats_of(point):
    v = point.get("values", {}).get("au.formats")
    if isinstance(v, list):
        return "+".join(v)
    if v is not None:
        return str(v)
    return "base formats"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        report = json.load(f)
    out = sys.argv[2]
    # Only the targets with a performance number of their own (placed ones).
    targets = [t for t in report.get("targets", [])
               if any(((p.get("result") or {}).get("synth") or {}).get(t, {}).get("fmax_mhz") for p in report["points"])]
    perf_name = report.get("objectives", {}).get("performance", "")
    uses_inf = perf_name.startswith("inferences")
    fig, axes = plt.subplots(1, max(1, len(targets)), figsize=(6 * max(1, len(targets)), 4.5), squeeze=False)
    for ax, target in zip(axes[0], targets or [""]):
        groups = {}
        front = []
        for p in report["points"]:
            r = p.get("result") or {}
            s = (r.get("synth") or {}).get(target)
            if p.get("status") != "ok" or not s:
                continue
            if uses_inf:
                cyc = (r.get("run") or {}).get("cycles_per_inference")
                fmax = s.get("fmax_mhz")
                y = fmax * 1e6 / cyc if fmax and cyc else None
            else:
                y = s.get("fmax_mhz")
            if y is None:
                continue
            groups.setdefault(formats_of(p), []).append((s["lut"], y))
            if p.get("pareto") and target == report["targets"][0]:
                front.append((s["lut"], y))
        for name, pts in sorted(groups.items()):
            ax.scatter([x for x, _ in pts], [y for _, y in pts], label=name, s=28)
        if front:
            front.sort()
            ax.plot([x for x, _ in front], [y for _, y in front], "k--", linewidth=1)
            ax.scatter([x for x, _ in front], [y for _, y in front], s=110, facecolors="none", edgecolors="k", label="Pareto front")
        ax.set_xlabel(f"LUTs ({target})")
        ax.set_ylabel("inferences / s" if uses_inf else "Fmax (MHz)")
        ax.set_title(target)
        ax.grid(True, alpha=0.3)
        if groups:
            ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "pareto.png")
    fig.savefig(path, dpi=110)
    print(f"sweep_plot: wrote {path}")


if __name__ == "__main__":
    main()
