#!/usr/bin/env bash
# Measures the SoC of gen/configs/soc_pulse.yaml and writes docs/results/soc.md:
#   - pulse_cnn (strata example-model pulse_cnn --seed 3) through the control
#     firmware on the Verilated SoC (strata run): every layer and the whole
#     network, the engine's cycles, the core's cycles of the job and the
#     host's cycles from the doorbell to the answer;
#   - iCE40 UP5K resources of the whole SoC (yosys synth_ice40 -dsp, then
#     nextpnr-ice40 --seed SEED: logic cells packed, Fmax when it is placed)
#     and of its parts synthesized alone (yosys only); the xc7 estimate.
# Usage: scripts/bench_soc.sh [--seed N]   (needs build/bin/strata)
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=1
if [[ "${1:-}" == "--seed" ]]; then SEED="$2"; fi
CFG=gen/configs/soc_pulse.yaml
WORK=build/bench/soc
STRATA=./build/bin/strata
mkdir -p "$WORK"

"$STRATA" example-model pulse_cnn --seed 3 -o "$WORK/pulse_cnn.json"
"$STRATA" run "$CFG" "$WORK/pulse_cnn.json" --seed 5 --json "$WORK/run.json" --markdown "$WORK/run.md" --build-dir "$WORK/sim"
# The same run in the SystemC virtual platform (the TLM-2.0 socket), for its simulation speed.
"$STRATA" run "$CFG" "$WORK/pulse_cnn.json" --seed 5 --json "$WORK/run_systemc.json" --build-dir "$WORK/sim_systemc" --transport systemc

# The whole SoC, placed with one seed (it may not fit: then the packed
# logic cells of nextpnr's log are the figure).
set +e
"$STRATA" synth "$CFG" --target ice40-up5k --seed "$SEED" -o "$WORK/synth-soc" > "$WORK/synth-soc.out" 2>&1
PLACED=$?
set -e
"$STRATA" synth "$CFG" --target xc7 -o "$WORK/synth-xc7" > "$WORK/synth-xc7.out" 2>&1
for top in soc_pulse_soc_axi soc_pulse_soc_regs soc_pulse_rv32_mmio soc_pulse_rv32_core soc_pulse_nn; do
  "$STRATA" synth "$CFG" --target ice40-up5k --top "$top" --no-place -o "$WORK/synth-$top" > "$WORK/synth-$top.out" 2>&1
done
# The same SoC with the compact control core, placed with the same seed
# (packed logic cells if it does not fit), and its core alone.
set +e
"$STRATA" synth gen/configs/soc_pulse_compact.yaml --target ice40-up5k --seed "$SEED" -o "$WORK/synth-compact" > "$WORK/synth-compact.out" 2>&1
PLACED_COMPACT=$?
set -e
"$STRATA" synth gen/configs/soc_pulse_compact.yaml --target ice40-up5k --top soc_pulse_compact_rv32_core --no-place -o "$WORK/synth-compact-core" \
  > "$WORK/synth-compact-core.out" 2>&1
# The UART host bridge alone, and a model run over it (the test config's bridge at 4 clocks per bit).
"$STRATA" synth gen/configs/soc_pulse_uart.yaml --target ice40-up5k --top soc_pulse_uart_soc_uart --no-place -o "$WORK/synth-uart" > "$WORK/synth-uart.out" 2>&1
"$STRATA" run tests/configs/soc_uart_fast.yaml "$WORK/pulse_cnn.json" --seed 5 --json "$WORK/run_uart.json" --build-dir "$WORK/sim_uart" --transport uart

python3 - "$WORK" "$SEED" "$PLACED" "$PLACED_COMPACT" <<'EOF'
import json, re, sys, pathlib
work, seed, placed, placed_compact = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "0", sys.argv[4] == "0"

def cells(d):
    s = json.load(open(d / "stat.json"))
    tot = {}
    for name, m in s["modules"].items():
        if name.endswith("_synth_wrap"):
            continue
        for c, n in m["num_cells_by_type"].items():
            tot[c] = tot.get(c, 0) + n
    ff = sum(n for c, n in tot.items() if c.startswith("SB_DFF"))
    return tot.get("SB_LUT4", 0), ff, tot.get("SB_CARRY", 0), tot.get("SB_MAC16", 0), tot.get("SB_RAM40_4K", 0), tot.get("SB_SPRAM256KA", 0)

run = json.load(open(work / "run.json"))
sc = json.load(open(work / "run_systemc.json"))["simulation"]
fw = run["firmware"]
lines = ["# SoC results (soc_pulse)", "",
         f"Measured by `scripts/bench_soc.sh --seed {seed}` (yosys 0.23, nextpnr-ice40 0.4, Verilator); config `gen/configs/soc_pulse.yaml`.", "",
         "## pulse_cnn through the firmware", "",
         "`strata run gen/configs/soc_pulse.yaml pulse_cnn.json --seed 5` (model `strata example-model pulse_cnn --seed 3`): the firmware loaded over the "
         "AXI4-Lite host port, each layer and then the whole network a mailbox job, every tensor compared with the golden model: "
         f"**{'bit-exact' if run['match'] else 'MISMATCH'}**.", "",
         "| layer | engine cycles |", "| --- | ---: |"]
for l in run["layers"]:
    lines.append(f"| {l['name']} | {l['cycles']} |")
lines += ["", "| whole network (one job) | cycles |", "| --- | ---: |",
          f"| engine (its CYCLES register) | {fw['engine_cycles']} |",
          f"| core, from taking the job to answering it | {fw['core_cycles']} |",
          f"| host, from ringing the doorbell to the answer (irq_o) | {fw['host_cycles']} |",
          f"| firmware overhead (host's view minus the engine's) | {fw['host_cycles'] - fw['engine_cycles']} |",
          f"| boot: firmware load over AXI4-Lite, release, ping | {fw['boot_cycles']} |", "",
          f"Simulation speed of the whole SoC (the whole `strata run`: boot, program load, ten jobs): {run['simulation']['cycles']} cycles in "
          f"{run['simulation']['seconds']:.2f} s, {run['simulation']['cycles'] / run['simulation']['seconds']:,.0f} cycles/s (Verilator -O3, one thread, on this machine); "
          f"in the SystemC virtual platform (`--transport systemc`, [docs/systemc.md](../systemc.md)), the same run, {sc['cycles']} cycles in {sc['seconds']:.2f} s, "
          f"{sc['cycles'] / sc['seconds']:,.0f} cycles/s.", "",
          "The per-layer figures are the engine's CYCLES as the firmware reports them in its answer.", "",
          "## iCE40 UP5K resources", "",
          "Of 5280 LUT4/logic cells, 8 DSP, 30 EBR, 4 SPRAM. Each part synthesized alone (`strata synth ... --top MODULE --no-place`, out-of-context wrapper excluded); "
          "the whole SoC with `strata synth gen/configs/soc_pulse.yaml --target ice40-up5k --seed " + seed + "`.", "",
          "| design | LUT4 | FF | carry | DSP | EBR | SPRAM |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
for name, d in [("whole SoC (soc_pulse_soc)", "synth-soc"), ("engine (soc_pulse_nn)", "synth-soc_pulse_nn"), ("core (soc_pulse_rv32_core)", "synth-soc_pulse_rv32_core"),
                ("core's system MMIO: console, exit, timer (soc_pulse_rv32_mmio)", "synth-soc_pulse_rv32_mmio"),
                ("AXI4-Lite slave (soc_pulse_soc_axi)", "synth-soc_pulse_soc_axi"), ("SoC registers (soc_pulse_soc_regs)", "synth-soc_pulse_soc_regs")]:
    lines.append("| " + name + " | " + " | ".join(str(x) for x in cells(work / d)) + " |")
whole = cells(work / "synth-soc")
parts = [cells(work / f"synth-soc_pulse_{p}") for p in ("nn", "rv32_core", "rv32_mmio", "soc_axi", "soc_regs")]
lines += ["", f"The whole minus its parts, {whole[0] - sum(p[0] for p in parts)} LUT4 and {whole[1] - sum(p[1] for p in parts)} FF, is the top's own glue "
          "(the core's and the host's decoders, the read-data and address multiplexers, the shared write-data bus) and what flattening changes."]
log = (work / "synth-soc" / f"nextpnr-seed{seed}.log").read_text()
lc = re.search(r"ICESTORM_LC:\s+(\d+)/\s*(\d+)", log)
lines.append("")
if placed:
    rep = json.load(open(work / "synth-soc" / f"pnr-seed{seed}.json"))
    fmax = max((v["achieved"] for k, v in rep["fmax"].items() if "PACKER" not in k), default=0)
    lines.append(f"Placed and routed: {lc.group(1)} of {lc.group(2)} logic cells, Fmax {fmax:.1f} MHz.")
else:
    lines.append(f"nextpnr packs the whole SoC into **{lc.group(1)} logic cells of {lc.group(2)}** ({100 * int(lc.group(1)) / int(lc.group(2)):.0f}%): "
                 "it does not fit the UP5K yet, so there is no Fmax. The RAM blocks, SPRAMs and DSPs fit (see the table).")
log = (work / "synth-compact" / f"nextpnr-seed{seed}.log").read_text()
lc = re.search(r"ICESTORM_LC:\s+(\d+)/\s*(\d+)", log)
lines += ["", "## With the compact control core", "",
          "`gen/configs/soc_pulse_compact.yaml` is soc_pulse with `rv32.core: compact` (the multi-cycle core, docs/blocks/rv32.md), "
          f"`strata synth gen/configs/soc_pulse_compact.yaml --target ice40-up5k --seed {seed}`; its core alone with `--top soc_pulse_compact_rv32_core --no-place`:", "",
          "| design | LUT4 | FF | carry | DSP | EBR | SPRAM |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
          "| whole SoC (soc_pulse_compact_soc) | " + " | ".join(str(x) for x in cells(work / "synth-compact")) + " |",
          "| core (soc_pulse_compact_rv32_core) | " + " | ".join(str(x) for x in cells(work / "synth-compact-core")) + " |", ""]
if placed_compact:
    rep = json.load(open(work / "synth-compact" / f"pnr-seed{seed}.json"))
    fmax = max((v["achieved"] for k, v in rep["fmax"].items() if "PACKER" not in k), default=0)
    lines.append(f"Placed and routed: {lc.group(1)} of {lc.group(2)} logic cells, Fmax {fmax:.1f} MHz.")
else:
    lines.append(f"nextpnr packs it into **{lc.group(1)} logic cells of {lc.group(2)}** ({100 * int(lc.group(1)) / int(lc.group(2)):.0f}%, "
                 f"{int(lc.group(1)) - int(lc.group(2))} over): it does not fit yet.")
ur = json.load(open(work / "run_uart.json"))
lines += ["", "## UART host bridge", "",
          "`strata synth gen/configs/soc_pulse_uart.yaml --target ice40-up5k --top soc_pulse_uart_soc_uart --no-place` (the bridge alone, 115200 baud at 12 MHz: "
          "104 clocks per bit, out-of-context wrapper excluded):", "",
          "| design | LUT4 | FF | carry | DSP | EBR | SPRAM |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
          "| UART host bridge (soc_pulse_uart_soc_uart) | " + " | ".join(str(x) for x in cells(work / "synth-uart")) + " |", "",
          "`strata run tests/configs/soc_uart_fast.yaml pulse_cnn.json --seed 5 --transport uart` (the test config's bridge at 4 clocks per bit): the firmware loaded "
          "and every word of the run moved over the serial line of the Verilated SoC, every tensor "
          + ("**bit-exact**" if ur["match"] else "**NOT bit-exact**")
          + f"; the whole network's job {ur['firmware']['engine_cycles']} engine cycles, {ur['firmware']['host_cycles']} cycles from the doorbell to the answer "
          f"(polled over the UART); boot {ur['firmware']['boot_cycles']} cycles; {ur['simulation']['cycles']} cycles simulated in {ur['simulation']['seconds']:.2f} s."]
x = json.load(open(work / "synth-xc7" / "report.json"))
xr = x.get("resources", x)
lines += ["", "## xc7 estimate", "", "`strata synth gen/configs/soc_pulse.yaml --target xc7` (yosys synth_xilinx, not placed; the SPRAM model becomes block RAM):", "",
          "| LUT | FF | carry | DSP | BRAM |", "| ---: | ---: | ---: | ---: | ---: |",
          f"| {xr.get('lut')} | {xr.get('ff')} | {xr.get('carry')} | {xr.get('dsp')} | {xr.get('bram')} |"]
(pathlib.Path("docs/results/soc.md")).write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
